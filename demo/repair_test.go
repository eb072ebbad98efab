package demo_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"cqrslab/demo"
	"cqrslab/internal/labtest"

	"github.com/redis/go-redis/v9"
)

// zaddCalls reads how many ZADD commands the server has run.
func zaddCalls(t *testing.T, rdb redis.UniversalClient) int {
	t.Helper()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(info, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_zadd:calls="); ok {
			n, _ := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
			return n
		}
	}
	return 0
}

// TestRepairerSendsABatchInOneRoundTrip: 600 missed ZADDs of three authors
// go to Redis as one pipeline of three ZADDs (one per author), not 600
// round trips: what lets the repair keep up with a slow Redis (issue 13).
func TestRepairerSendsABatchInOneRoundTrip(t *testing.T) {
	env := labtest.New(t)
	rdb := env.Stores.Redis
	rep := demo.NewTestRepairer(rdb)
	authors := []string{"alice", "bob", "carol"}
	for i := range 600 {
		a := authors[i%3]
		rep.Owe(env.Info.Redis.KeyPrefix+"feed:"+a, redis.Z{Score: float64(i), Member: fmt.Sprintf("m%d", i)}, "")
	}
	before := zaddCalls(t, rdb)
	if err := rep.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := zaddCalls(t, rdb) - before
	if rep.RoundTrips() != 1 || calls != 3 {
		t.Fatalf("600 members took %d round trips and %d ZADD commands; want 1 and 3", rep.RoundTrips(), calls)
	}
	for _, a := range authors {
		if n := rdb.ZCard(context.Background(), env.Info.Redis.KeyPrefix+"feed:"+a).Val(); n != 200 {
			t.Errorf("feed:%s has %d members, want 200", a, n)
		}
	}
}

// TestOutboxRelayBatchesPerAuthor: 400 pending outbox rows of four authors
// are relayed by one RelayOnce as four ZADDs, and cleared.
func TestOutboxRelayBatchesPerAuthor(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{Policy: demo.PolicyOutbox, RelayEvery: -1})
	ctx := context.Background()
	svc.SetCrashPoint(true) // every write stops after its commit: 400 rows owed
	authors := []string{"alice", "bob", "carol", "dave"}
	for i := range 400 {
		_, _ = svc.CreatePost(ctx, demo.NewPost{ID: fmt.Sprintf("r%d", i), AuthorID: authors[i%4], Title: "owed"})
	}
	svc.SetCrashPoint(false)
	if n, err := svc.OutboxPending(ctx); err != nil || n != 400 {
		t.Fatalf("pending %d, %v; want 400", n, err)
	}
	before := zaddCalls(t, env.Stores.Redis)
	n, err := svc.RelayOnce(ctx, 0, 1000)
	if err != nil || n != 400 {
		t.Fatalf("relayed %d, %v", n, err)
	}
	if calls := zaddCalls(t, env.Stores.Redis) - before; calls != 4 {
		t.Fatalf("400 rows of 4 authors took %d ZADD commands; want 4 (one per author)", calls)
	}
	if d, err := svc.Reconciler().Check(ctx); err != nil || !d.Converged() {
		t.Fatalf("after the relay: %+v, %v", d, err)
	}
}
