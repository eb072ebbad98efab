package lab

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// requireLocal skips (or, in CI with CQRSLAB_REQUIRE_INFRA=1, fails) when the
// servers are not installed, and gives the test its own state directory so
// run records of other tests or of a real lab are never touched.
func requireLocal(t *testing.T) {
	t.Helper()
	if err := LocalAvailable(); err != nil {
		if os.Getenv("CQRSLAB_REQUIRE_INFRA") == "1" {
			t.Fatalf("local provider unavailable: %v", err)
		}
		t.Skipf("local provider unavailable: %v (install postgresql and redis-server)", err)
	}
	t.Setenv("CQRSLAB_STATE_DIR", t.TempDir())
}

// readLocalRecords returns the run records currently in the state directory.
func readLocalRecords(t *testing.T) []localRecord {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(localRecordDir(), "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var recs []localRecord
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var r localRecord
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("run record %s: %v", p, err)
		}
		recs = append(recs, r)
	}
	return recs
}

// procsMentioning lists live processes whose command line contains s.
func procsMentioning(t *testing.T, s string) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	var found []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		cmdline := strings.ReplaceAll(string(b), "\x00", " ")
		if strings.Contains(cmdline, s) {
			found = append(found, e.Name()+": "+cmdline)
		}
	}
	return found
}

// liveChildren lists this process's children that are not zombies.
func liveChildren(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	var found []string
	for _, e := range entries {
		if p, ok := readProcStat(e.Name()); ok && p.live() && p.ppid == os.Getpid() {
			found = append(found, e.Name()+" ("+p.comm+")")
		}
	}
	return found
}

func assertGone(t *testing.T, what string, pid int, start uint64) {
	t.Helper()
	if pid != 0 && localProcAlive(pid, start, "") {
		t.Errorf("%s (pid %d) still runs", what, pid)
	}
}

func assertNotExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still exists (stat: %v)", path, err)
	}
}

func TestLocalStartConnectClose(t *testing.T) {
	requireLocal(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var mu sync.Mutex
	phases := map[string][]Phase{}
	begin := time.Now()
	l, err := Start(ctx, Options{Provider: Local}, func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		ps := phases[p.Service]
		if len(ps) == 0 || ps[len(ps)-1] != p.Phase {
			phases[p.Service] = append(ps, p.Phase)
		}
	})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Logf("local lab started in %v", time.Since(begin).Round(time.Millisecond))
	defer l.Close()

	if l.Provider != Local || l.PID != os.Getpid() || l.RunID == "" {
		t.Errorf("info = %+v", l.Info)
	}
	if l.Postgres.Host != "127.0.0.1" || l.Postgres.User != "cqrslab" || l.Postgres.Database != "cqrslab" ||
		l.Postgres.Schema != "public" || l.Postgres.Password == "" {
		t.Errorf("postgres info = %+v", l.Postgres)
	}
	if !strings.HasPrefix(l.Redis.Addr, "127.0.0.1:") || l.Redis.Password == "" || l.Redis.KeyPrefix != "" {
		t.Errorf("redis info = %+v", l.Redis)
	}
	mu.Lock()
	for _, svc := range []string{"postgres", "redis"} {
		want := []Phase{PhaseStarting, PhaseWaiting, PhaseReady}
		if got := phases[svc]; strings.Join(phaseStrings(got), ",") != strings.Join(phaseStrings(want), ",") {
			t.Errorf("%s phases = %v, want %v", svc, got, want)
		}
	}
	mu.Unlock()

	run, _ := l.servers.(*localRun)
	if run == nil {
		t.Fatal("lab has no local run")
	}
	pg, rd := run.proc("postgres"), run.proc("redis")
	dir, record := run.dir, run.recordPath
	for _, p := range []string{dir, record} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("while running: %v", err)
		}
	}
	if !localProcAlive(pg.pid, pg.start, "postgres") || !localProcAlive(rd.pid, rd.start, "redis") {
		t.Fatalf("servers not running: postgres %d, redis %d", pg.pid, rd.pid)
	}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses root; it must have been started as another user.
		if fi, err := os.Stat("/proc/" + strconv.Itoa(pg.pid)); err == nil {
			if uid := fi.Sys().(*syscall.Stat_t).Uid; uid == 0 {
				t.Errorf("postgres runs as root")
			}
		}
	}

	db, err := sql.Open("postgres", l.Postgres.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var one int
	if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	var dbName, dbUser, listen string
	if err := db.QueryRowContext(ctx, "SELECT current_database(), current_user, current_setting('listen_addresses')").
		Scan(&dbName, &dbUser, &listen); err != nil {
		t.Fatal(err)
	}
	if dbName != "cqrslab" || dbUser != "cqrslab" || listen != "127.0.0.1" {
		t.Errorf("database %q user %q listen_addresses %q", dbName, dbUser, listen)
	}
	wrong := l.Postgres
	wrong.Password = "not-the-password"
	if bad, err := sql.Open("postgres", wrong.DSN()); err == nil {
		if err := bad.PingContext(ctx); err == nil {
			t.Errorf("postgres accepted a wrong password")
		}
		bad.Close()
	}
	db.Close() // let the fast shutdown below have no sessions to abort

	rdb := redis.NewClient(&redis.Options{Addr: l.Redis.Addr, Password: l.Redis.Password})
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("redis PING: %v", err)
	}
	rdb.Close()
	anon := redis.NewClient(&redis.Options{Addr: l.Redis.Addr})
	if err := anon.Ping(ctx).Err(); err == nil {
		t.Errorf("redis answered without the password")
	}
	anon.Close()

	closeStart := time.Now()
	if err := l.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	t.Logf("local lab closed in %v", time.Since(closeStart).Round(time.Millisecond))
	if err := l.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	assertGone(t, "postgres", pg.pid, pg.start)
	assertGone(t, "redis", rd.pid, rd.start)
	assertNotExist(t, dir)
	assertNotExist(t, record)
	if left := procsMentioning(t, dir); len(left) > 0 {
		t.Errorf("processes left: %v", left)
	}
}

func phaseStrings(ps []Phase) []string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return s
}

// TestLocalCancelDuringStart cancels the start at three moments: before
// Redis listens, while initdb runs, and while both servers are up but not yet
// confirmed ready. Each time Start must fail with the context's error and
// leave no process, directory or record.
func TestLocalCancelDuringStart(t *testing.T) {
	requireLocal(t)
	cases := []struct {
		name  string
		when  func(Progress) bool
		delay time.Duration
	}{
		{"first starting event", func(p Progress) bool { return p.Phase == PhaseStarting }, 0},
		// The cluster is prepared by initdb or, since labs start from a
		// template, by a copy: either way a cancel lands while it runs.
		{"while the cluster is prepared", func(p Progress) bool { return p.Service == "postgres" && p.Detail == "preparing the cluster" }, 0},
		{"first waiting event", func(p Progress) bool { return p.Phase == PhaseWaiting }, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var (
				once sync.Once
				mu   sync.Mutex
				recs []localRecord
			)
			capture := func() {
				mu.Lock()
				recs = readLocalRecords(t)
				mu.Unlock()
			}
			l, err := Start(ctx, Options{Provider: Local}, func(p Progress) {
				if !tc.when(p) {
					return
				}
				once.Do(func() {
					if tc.delay == 0 {
						capture()
						cancel()
						return
					}
					time.AfterFunc(tc.delay, func() { capture(); cancel() })
				})
			})
			if err == nil {
				l.Close()
				t.Fatal("start succeeded despite the cancel")
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error does not wrap context.Canceled: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(recs) != 1 {
				t.Fatalf("run records at cancel time: %+v", recs)
			}
			rec := recs[0]
			t.Logf("cancelled with record %+v; error: %v", rec, err)
			if !strings.Contains(rec.Dir, localDirPrefix) {
				t.Fatalf("record dir %q", rec.Dir)
			}
			assertNotExist(t, rec.Dir)
			assertNotExist(t, localRecordPath(rec.RunID))
			assertGone(t, "postgres", rec.PostgresPID, rec.PostgresStart)
			assertGone(t, "redis", rec.RedisPID, rec.RedisStart)
			if left := procsMentioning(t, rec.Dir); len(left) > 0 {
				t.Errorf("processes left: %v", left)
			}
			// Redis renames itself in ps, so also check that no child of
			// ours (the servers and initdb all are) is left.
			if left := liveChildren(t); len(left) > 0 {
				t.Errorf("child processes left: %v", left)
			}
		})
	}
}

// TestLocalCleanupStaleRun plays a crashed run: a record whose owner is dead
// and whose Redis still runs. CleanupLocal(false) must stop that Redis and
// remove its directory and record, and leave a live owner's run alone;
// CleanupLocal(true) then removes that one too.
func TestLocalCleanupStaleRun(t *testing.T) {
	requireLocal(t)
	bins, err := findLocalBins()
	if err != nil {
		t.Fatal(err)
	}

	// A dead owner: a process that has exited and been reaped.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}

	staleID := NewRunID()
	staleDir := filepath.Join(os.TempDir(), localDirPrefix+staleID)
	if err := os.Mkdir(staleDir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(staleDir) })
	port, err := freeLoopbackPort()
	if err != nil {
		t.Fatal(err)
	}
	srv := exec.Command(bins.redis, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", staleDir)
	srv.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = srv.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-srv.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port)})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := poll(ctx, func(ctx context.Context) error { return rdb.Ping(ctx).Err() }); err != nil {
		t.Fatalf("stale redis did not start: %v", err)
	}
	redisStart, _, _ := procStat(srv.Process.Pid)
	stale := localRecord{RunID: staleID, OwnerPID: dead.Process.Pid, OwnerName: "cqrslab", Dir: staleDir,
		Started: time.Now(), RedisPID: srv.Process.Pid, RedisStart: redisStart}
	if err := writeLocalRecord(localRecordPath(staleID), stale); err != nil {
		t.Fatal(err)
	}

	liveID := NewRunID()
	liveDir := filepath.Join(os.TempDir(), localDirPrefix+liveID)
	if err := os.Mkdir(liveDir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(liveDir) })
	ownStart, _, _ := procStat(os.Getpid())
	live := localRecord{RunID: liveID, OwnerPID: os.Getpid(), OwnerStart: ownStart, Dir: liveDir, Started: time.Now()}
	if err := writeLocalRecord(localRecordPath(liveID), live); err != nil {
		t.Fatal(err)
	}

	n, err := CleanupLocal(false)
	if err != nil || n != 1 {
		t.Fatalf("CleanupLocal(false) = %d, %v; want 1, nil", n, err)
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("stale redis-server still runs")
	}
	assertNotExist(t, staleDir)
	assertNotExist(t, localRecordPath(staleID))
	if _, err := os.Stat(liveDir); err != nil {
		t.Errorf("live run's directory removed: %v", err)
	}
	if _, err := os.Stat(localRecordPath(liveID)); err != nil {
		t.Errorf("live run's record removed: %v", err)
	}

	n, err = CleanupLocal(true)
	if err != nil || n != 1 {
		t.Fatalf("CleanupLocal(true) = %d, %v; want 1, nil", n, err)
	}
	assertNotExist(t, liveDir)
	assertNotExist(t, localRecordPath(liveID))
}

// TestLocalNewestFirst checks the search order of versioned install
// directories (no servers needed).
func TestLocalNewestFirst(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"9.6", "15", "10", "16", "junk"} {
		if err := os.MkdirAll(filepath.Join(root, v, "bin"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	got := newestFirst(filepath.Join(root, "*", "bin"))
	var names []string
	for _, d := range got {
		names = append(names, filepath.Base(filepath.Dir(d)))
	}
	if want := "16,15,10,9.6,junk"; strings.Join(names, ",") != want {
		t.Errorf("order = %v, want %s", names, want)
	}
}

// TestLocalPortClashRetry plays the race between picking a free port and the
// server binding it: the first port offered to each server is held by
// another listener. Both must notice, retry with a new port and start.
func TestLocalPortClashRetry(t *testing.T) {
	requireLocal(t)
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	heldPort := held.Addr().(*net.TCPAddr).Port
	calls := 0
	localFreePort = func() (int, error) {
		calls++
		if calls == 1 || calls == 3 { // first try of redis, then of postgres
			return heldPort, nil
		}
		return freeLoopbackPort()
	}
	t.Cleanup(func() { localFreePort = freeLoopbackPort })

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := Start(ctx, Options{Provider: Local}, nil)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	defer l.Close()
	if calls != 4 {
		t.Errorf("ports picked %d times, want 4 (one clash per server)", calls)
	}
	if l.Postgres.Port == heldPort || l.Redis.Addr == net.JoinHostPort("127.0.0.1", strconv.Itoa(heldPort)) {
		t.Errorf("a server claims the held port %d: %+v", heldPort, l.Info)
	}
	rdb := redis.NewClient(&redis.Options{Addr: l.Redis.Addr, Password: l.Redis.Password})
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Errorf("redis PING: %v", err)
	}
	db, err := sql.Open("postgres", l.Postgres.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		t.Errorf("postgres ping: %v", err)
	}
}
