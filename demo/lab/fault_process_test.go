package lab

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// testProcessFaults runs the process faults on one provider's lab.
func testProcessFaults(t *testing.T, p Provider) {
	l := startFaultLab(t, p, nil)
	ctx := context.Background()
	addr := l.Redis.Addr
	rdb := quickClient(t, addr, l.Redis.Password, 500*time.Millisecond)
	for _, k := range []FaultKind{FaultPause, FaultStop, FaultRestartDataLoss, FaultPostgresStop} {
		if err := l.Supports(k); err != nil {
			t.Fatalf("%s lab does not support %s: %v", p, k, err)
		}
	}
	var events []FaultEvent
	var evMu sync.Mutex
	l.SetFaultObserver(func(ev FaultEvent) {
		evMu.Lock()
		events = append(events, ev)
		evMu.Unlock()
	})

	t.Run("pause", func(t *testing.T) {
		if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		took := mustInject(t, l, "pause")
		wantActive(t, l, "pause@redis")
		d, err := timedPing(rdb)
		if err == nil {
			t.Fatal("a paused Redis answered")
		}
		t.Logf("pause: inject took %v; PING failed after %v: %v", took, d, err)
		took = mustHeal(t, l, FaultPause)
		eventually(t, 2*time.Second, "PING after unpause", func() error { _, err := timedPing(rdb); return err })
		if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
			t.Fatalf("data after unpause: %q, %v", v, err)
		}
		t.Logf("pause: heal took %v; data kept", took)
		wantActive(t, l)
	})

	t.Run("stop", func(t *testing.T) {
		if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		took := mustInject(t, l, "stop")
		wantActive(t, l, "stop@redis")
		if _, err := timedPing(rdb); err == nil {
			t.Fatal("a stopped Redis answered")
		}
		if p == Docker {
			if _, rd := l.servers.(*dockerRun).current(); rd != nil {
				t.Fatal("the stopped Redis container is still held")
			}
		}
		healTook := mustHeal(t, l, FaultStop)
		t.Logf("stop: inject took %v, heal (a new server) %v; direct address now %s", took, healTook, l.CurrentInfo().Redis.DirectAddr)
		if l.CurrentInfo().Redis.Addr != addr {
			t.Fatal("the lab's Redis address changed")
		}
		eventually(t, 2*time.Second, "PING after start", func() error { _, err := timedPing(rdb); return err })
		if err := rdb.Get(ctx, "k").Err(); !errors.Is(err, redis.Nil) {
			t.Fatalf("data survived a stop (the lab's Redis keeps none): %v", err)
		}
		wantActive(t, l)
	})

	t.Run("restart_data_loss", func(t *testing.T) {
		if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		took := mustInject(t, l, "restart_data_loss")
		t.Logf("restart_data_loss took %v", took)
		wantActive(t, l) // instantaneous
		eventually(t, 2*time.Second, "PING after restart", func() error { _, err := timedPing(rdb); return err })
		if err := rdb.Get(ctx, "k").Err(); !errors.Is(err, redis.Nil) {
			t.Fatalf("data survived restart_data_loss: %v", err)
		}
		if err := rdb.Set(ctx, "k", "again", 0).Err(); err != nil {
			t.Fatalf("write after restart: %v", err)
		}
	})

	t.Run("stop while paused", func(t *testing.T) {
		mustInject(t, l, "pause")
		mustInject(t, l, "stop")
		wantActive(t, l, "stop@redis") // the pause was healed first
		if err := l.Inject(ctx, Fault{Kind: FaultPause}); err == nil || !strings.Contains(err.Error(), "heal it") {
			t.Fatalf("pause of a stopped Redis: %v", err)
		}
		if err := l.HealAll(ctx); err != nil {
			t.Fatal(err)
		}
		wantActive(t, l)
		eventually(t, 2*time.Second, "PING after heal all", func() error { _, err := timedPing(rdb); return err })
	})

	t.Run("postgres_stop keeps the rows", func(t *testing.T) {
		db, err := sql.Open("postgres", l.Postgres.DSN())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		qctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(qctx, "CREATE TABLE fault_keep (id int PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(qctx, "INSERT INTO fault_keep SELECT generate_series(1, 100)"); err != nil {
			t.Fatal(err)
		}
		direct := l.CurrentInfo().Postgres.DirectPort
		took := mustInject(t, l, "postgres_stop")
		wantActive(t, l, "postgres_stop@postgres")
		short, cancel2 := context.WithTimeout(ctx, 3*time.Second)
		err = db.QueryRowContext(short, "SELECT 1").Scan(new(int))
		cancel2()
		if err == nil {
			t.Fatal("a stopped PostgreSQL answered")
		}
		healTook := mustHeal(t, l, FaultPostgresStop)
		t.Logf("postgres_stop: stop took %v, start %v; direct port %d -> %d",
			took, healTook, direct, l.CurrentInfo().Postgres.DirectPort)
		var n int
		eventually(t, 5*time.Second, "count after restart", func() error {
			return db.QueryRowContext(qctx, "SELECT count(*) FROM fault_keep").Scan(&n)
		})
		if n != 100 {
			t.Fatalf("%d rows after postgres_stop, want 100", n)
		}
		wantActive(t, l)
	})

	// Close with faults in force: a paused Redis and a stopped PostgreSQL
	// go as cleanly and as quickly (the cleanup checks nothing is left).
	mustInject(t, l, "pause")
	mustInject(t, l, "postgres_stop")
	mustInject(t, l, "timeout")
	start := time.Now()
	if err := l.Close(); err != nil {
		t.Fatalf("close with faults active: %v", err)
	}
	t.Logf("closed with pause, postgres_stop and timeout active in %v", time.Since(start))
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("close took %v", d)
	}
	if err := l.Inject(ctx, Fault{Kind: FaultLatency, Latency: time.Millisecond}); err == nil {
		t.Error("inject on a closed lab succeeded")
	}

	evMu.Lock()
	defer evMu.Unlock()
	var sawImplicit bool
	for _, ev := range events {
		if ev.Action == ActionHeal && ev.Fault.Kind == FaultPause && ev.Detail == "before stop" {
			sawImplicit = true
		}
		if ev.Action == ActionFailed && ev.Err == nil {
			t.Errorf("failed event without an error: %+v", ev)
		}
	}
	if !sawImplicit {
		t.Error("the pause healed before a stop was not reported")
	}
}

func TestProcessFaultsDocker(t *testing.T) { testProcessFaults(t, Docker) }
func TestProcessFaultsLocal(t *testing.T)  { testProcessFaults(t, Local) }
