package lab

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/lib/pq"
	"github.com/rs/zerolog"
)

func TestParseFault(t *testing.T) {
	good := []struct {
		in   string
		want Fault
		str  string
	}{
		{"latency=50ms", Fault{Kind: FaultLatency, Target: "redis", Stream: "downstream", Latency: 50 * time.Millisecond}, "latency=50ms"},
		{"latency=50ms,jitter=10ms", Fault{Kind: FaultLatency, Target: "redis", Stream: "downstream", Latency: 50 * time.Millisecond, Jitter: 10 * time.Millisecond}, "latency=50ms,jitter=10ms"},
		{" LATENCY = 1s , target = postgres ", Fault{Kind: FaultLatency, Target: "postgres", Stream: "downstream", Latency: time.Second}, "latency=1s,target=postgres"},
		{"timeout", Fault{Kind: FaultTimeout, Target: "redis", Stream: "both"}, "timeout"},
		{"timeout=2s", Fault{Kind: FaultTimeout, Target: "redis", Stream: "both", Timeout: 2 * time.Second}, "timeout=2s"},
		{"timeout,stream=down", Fault{Kind: FaultTimeout, Target: "redis", Stream: "downstream"}, "timeout,stream=down"},
		{"reset_peer", Fault{Kind: FaultResetPeer, Target: "redis", Stream: "downstream"}, "reset_peer"},
		{"reset_peer=100ms,stream=up", Fault{Kind: FaultResetPeer, Target: "redis", Stream: "upstream", Timeout: 100 * time.Millisecond}, "reset_peer=100ms,stream=up"},
		{"bandwidth=64", Fault{Kind: FaultBandwidth, Target: "redis", Stream: "downstream", RateKB: 64}, "bandwidth=64"},
		{"bandwidth=64KB/s,stream=both", Fault{Kind: FaultBandwidth, Target: "redis", Stream: "both", RateKB: 64}, "bandwidth=64,stream=both"},
		{"slow_close=1s", Fault{Kind: FaultSlowClose, Target: "redis", Stream: "downstream", Delay: time.Second}, "slow_close=1s"},
		{"down", Fault{Kind: FaultDown, Target: "redis"}, "down"},
		{"down,target=postgres", Fault{Kind: FaultPostgresDown, Target: "postgres"}, "postgres_down"},
		{"postgres_down", Fault{Kind: FaultPostgresDown, Target: "postgres"}, "postgres_down"},
		{"pause", Fault{Kind: FaultPause, Target: "redis"}, "pause"},
		{"stop", Fault{Kind: FaultStop, Target: "redis"}, "stop"},
		{"restart_data_loss", Fault{Kind: FaultRestartDataLoss, Target: "redis"}, "restart_data_loss"},
		{"postgres_stop", Fault{Kind: FaultPostgresStop, Target: "postgres"}, "postgres_stop"},
		{"redis_primary_kill", Fault{Kind: FaultRedisPrimaryKill, Target: "redis"}, "redis_primary_kill"},
		{"redis_primary_kill=500ms", Fault{Kind: FaultRedisPrimaryKill, Target: "redis", Lag: 500 * time.Millisecond},
			"redis_primary_kill=500ms"},
		{"redis_replica_pause=5s", Fault{Kind: FaultRedisReplicaPause, Target: "redis", For: 5 * time.Second},
			"redis_replica_pause=5s"},
	}
	for _, tc := range good {
		got, err := ParseFault(tc.in)
		if err != nil {
			t.Errorf("ParseFault(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseFault(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
		if got.String() != tc.str {
			t.Errorf("ParseFault(%q).String() = %q, want %q", tc.in, got.String(), tc.str)
		}
		// String is ParseFault's syntax: it reads back to the same fault.
		if again, err := ParseFault(got.String()); err != nil || again != got {
			t.Errorf("round trip of %q: %+v, %v", got.String(), again, err)
		}
	}
	// A heal event names the kind alone, never a zero duration.
	if got := (Fault{Kind: FaultRedisReplicaPause}).String(); got != "redis_replica_pause" {
		t.Errorf("a heal of the replica pause reads %q", got)
	}
	bad := []struct{ in, want string }{
		{"", "empty"},
		{"redis_primary_kill=900ms", "more than 800ms"},
		{"redis_primary_kill=-1s", "redis_primary_kill"},
		{"redis_replica_pause", "redis_replica_pause needs how long, e.g. redis_replica_pause=5s"},
		{"redis_replica_pause=0s", "too short to see"},
		{"redis_replica_pause=-1s", "redis_replica_pause"},
		{"redis_replica_pause=11m", "more than 10m0s"},
		{"redis_replica_pause=soon", `"soon" is not a duration`},
		{"latency", "latency needs a value"},
		{"latency=fast", `latency: "fast" is not a duration`},
		{"latency=-5ms", "negative"},
		{"latency=500us", "whole milliseconds"},
		{"latency=50ms,jitter=x", `jitter: "x" is not a duration`},
		{"timeout=2s,jitter=1ms", "jitter goes with latency only"},
		{"bandwidth", "needs a rate"},
		{"bandwidth=0", "at least 1 KB/s"},
		{"bandwidth=fast", `"fast" is not a rate`},
		{"slow_close", "needs a delay"},
		{"pause=1s", "pause takes no value"},
		{"partition", `unknown kind "partition"`},
		{"latency=5ms,target=mysql", `target "mysql"`},
		{"latency=5ms,stream=sideways", `stream "sideways"`},
		{"latency=5ms,color=red", `unknown option "color"`},
		{"latency=5ms,target", "want key=value"},
		{"pause,target=postgres", "Redis fault"},
		{"postgres_stop,target=redis", "targets postgres"},
		{"pause,stream=up", "has no stream"},
	}
	for _, tc := range bad {
		_, err := ParseFault(tc.in)
		if err == nil {
			t.Errorf("ParseFault(%q) succeeded", tc.in)
			continue
		}
		if !errors.Is(err, ErrBadFault) {
			t.Errorf("ParseFault(%q) error does not wrap ErrBadFault: %v", tc.in, err)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseFault(%q) = %v, want it to say %q", tc.in, err, tc.want)
		}
		if !strings.Contains(err.Error(), "kinds: latency=DUR") {
			t.Errorf("ParseFault(%q) error does not list the kinds: %v", tc.in, err)
		}
		if tc.in != "" && !strings.Contains(err.Error(), tc.in) {
			t.Errorf("ParseFault(%q) error does not name the input: %v", tc.in, err)
		}
	}
}

func TestParseFaultKind(t *testing.T) {
	for in, want := range map[string]Fault{
		"latency":                 {Kind: FaultLatency},
		"latency=50ms":            {Kind: FaultLatency, Latency: 50 * time.Millisecond},
		"latency,target=postgres": {Kind: FaultLatency, Target: "postgres"},
		"down,target=postgres":    {Kind: FaultPostgresDown, Target: "postgres"},
		"pause":                   {Kind: FaultPause},
	} {
		got, err := ParseFaultKind(in)
		if err != nil || got != want {
			t.Errorf("ParseFaultKind(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "all", "latency,target=x", "nope"} {
		if _, err := ParseFaultKind(in); err == nil {
			t.Errorf("ParseFaultKind(%q) succeeded", in)
		}
	}
}

func TestParseSchedule(t *testing.T) {
	s, err := ParseSchedule("latency=50ms@2s+3s; pause@6s+2s\nrestart_data_loss@9s;down@10s")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"latency=50ms@2s+3s", "pause@6s+2s", "restart_data_loss@9s", "down@10s"}
	if len(s) != len(want) {
		t.Fatalf("got %d entries: %v", len(s), s)
	}
	for i, e := range s {
		if e.String() != want[i] {
			t.Errorf("entry %d = %q, want %q", i, e, want[i])
		}
	}
	if s[0].At != 2*time.Second || s[0].For != 3*time.Second || s[0].Fault.Latency != 50*time.Millisecond {
		t.Errorf("entry 0 = %+v", s[0])
	}
	if s[3].For != 0 {
		t.Errorf("open-ended entry has For %v", s[3].For)
	}
	// Back to back is not an overlap.
	if _, err := ParseSchedule("latency=5ms@0s+1s;latency=9ms@1s+1s"); err != nil {
		t.Errorf("back-to-back entries refused: %v", err)
	}
	// Same kind on different targets is not an overlap either.
	if _, err := ParseSchedule("latency=5ms@0s+2s;latency=9ms,target=postgres@1s+1s"); err != nil {
		t.Errorf("two targets refused: %v", err)
	}
	bad := []struct{ in, want string }{
		{"", "empty schedule"},
		{" ; ", "empty schedule"},
		{"latency=50ms", "no @START"},
		{"latency=50ms@soon", `start "soon"`},
		{"latency=50ms@-1s", `start "-1s"`},
		{"latency=50ms@1s+0s", `duration "0s"`},
		{"latency=50ms@1s+ever", `duration "ever"`},
		{"latency=fast@1s", `latency: "fast" is not a duration`},
		{"restart_data_loss@1s+2s", "instantaneous"},
		{"latency=5ms@0s+2s;latency=9ms@1s+2s", "overlap"},
		{"pause@0s;pause@5s+1s", "overlap"},
		{"pause@1s;partition@2s", "schedule entry 2"},
	}
	for _, tc := range bad {
		_, err := ParseSchedule(tc.in)
		if err == nil {
			t.Errorf("ParseSchedule(%q) succeeded", tc.in)
			continue
		}
		if !errors.Is(err, ErrBadFault) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSchedule(%q) = %v, want ErrBadFault saying %q", tc.in, err, tc.want)
		}
	}
}

func TestDSNThroughProxy(t *testing.T) {
	for _, v := range []string{"PGHOST", "PGPORT", "PGHOSTADDR"} {
		t.Setenv(v, "") // restored after the test
		os.Unsetenv(v)
	}
	cases := []struct {
		dsn, upstream, why string
	}{
		{"postgres://u:p@db.example:6543/app?sslmode=disable", "db.example:6543", ""},
		{"postgresql://u:p@127.0.0.1/app?sslmode=disable&host=10.0.0.1", "127.0.0.1:5432", ""},
		{"host=127.0.0.1 port=5433 user=u password='a b' dbname=app sslmode=disable", "127.0.0.1:5433", ""},
		{"user=u dbname=app sslmode=disable", "localhost:5432", ""},
		{"host=/var/run/postgresql user=u dbname=app", "", "Unix socket"},
		{"postgres://u:p@h1,h2/app", "", "several hosts"},
		{"host=127.0.0.1 hostaddr=127.0.0.1 user=u", "", "hostaddr"},
	}
	for _, tc := range cases {
		up, why := dsnUpstream(tc.dsn)
		if up != tc.upstream || (tc.why == "") != (why == "") || !strings.Contains(why, tc.why) {
			t.Errorf("dsnUpstream(%q) = %q, %q; want %q, %q", tc.dsn, up, why, tc.upstream, tc.why)
			continue
		}
		if why != "" {
			continue
		}
		out, err := dsnThrough(tc.dsn, "127.0.0.1:40001")
		if err != nil {
			t.Errorf("dsnThrough(%q): %v", tc.dsn, err)
			continue
		}
		cfg, err := pq.NewConfig(out)
		if err != nil || cfg.Host != "127.0.0.1" || cfg.Port != 40001 {
			t.Errorf("dsnThrough(%q) = %q: host %q port %d (%v)", tc.dsn, out, cfg.Host, cfg.Port, err)
		}
		orig, _ := pq.NewConfig(tc.dsn)
		if cfg.User != orig.User || cfg.Password != orig.Password || cfg.Database != orig.Database {
			t.Errorf("dsnThrough(%q) = %q lost the credentials or database", tc.dsn, out)
		}
	}
}

func TestValidateLoopbackAddr(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:8474", "127.0.0.1:0", "[::1]:8474", "localhost:8474", "127.1.2.3:80"} {
		if err := ValidateLoopbackAddr(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for in, want := range map[string]string{
		"0.0.0.0:8474":     "only a loopback address",
		"192.168.1.5:8474": "only a loopback address",
		":8474":            "only a loopback address",
		"8474":             "want 127.0.0.1:PORT",
		"127.0.0.1:http":   "bad port",
		"127.0.0.1:70000":  "bad port",
	} {
		err := ValidateLoopbackAddr(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), in) {
			t.Errorf("ValidateLoopbackAddr(%q) = %v, want it to say %q and name the value", in, err, want)
		}
	}
}

// A non-loopback Toxiproxy API is refused before anything starts.
func TestStartRefusesNonLoopbackToxiproxyAPI(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	_, err := Start(t.Context(), Options{Provider: Docker, ToxiproxyAPI: "0.0.0.0:8474"}, nil)
	if err == nil || !strings.Contains(err.Error(), "--toxiproxy-api") || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("err = %v", err)
	}
}

// A call into Toxiproxy that never returns must not hang the caller.
func TestRunBoundedReturnsOnTimeout(t *testing.T) {
	stuck := make(chan struct{})
	defer close(stuck)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := runBounded(ctx, "remove toxic", func() error { <-stuck; return nil })
	if !errors.Is(err, errToxiproxyStuck) || !strings.Contains(err.Error(), "remove toxic") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("returned after %v", d)
	}
	if err := runBounded(context.Background(), "x", func() error { return errors.New("boom") }); err == nil || err.Error() != "boom" {
		t.Fatalf("err = %v", err)
	}
}

// While another change is stuck, a new one waits only as long as its
// bound, then says why.
func TestFaultChangeWaitsBoundedForAStuckOne(t *testing.T) {
	l := &Lab{Info: Info{Provider: External}, proxies: &proxySet{byName: map[string]*toxiproxy.Proxy{}, unproxied: map[string]string{}}}
	l.faults.init(l, Options{})
	l.proxies.byName["redis"] = toxiproxy.NewProxy(toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop()),
		"redis", "127.0.0.1:0", "127.0.0.1:1")
	l.faults.netSem <- struct{}{} // a change that never ends
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := l.Inject(ctx, Fault{Kind: FaultLatency, Latency: time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "still running") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Inject waited %v", d)
	}
	if err := l.Heal(ctx, FaultLatency); err == nil {
		t.Fatal("heal went through a held slot")
	}
	l.closeFaults()
	if err := l.Inject(context.Background(), Fault{Kind: FaultDown}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("inject after close: %v", err)
	}
}
