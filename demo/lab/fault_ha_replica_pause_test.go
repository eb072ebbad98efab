package lab_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"cqrslab/demo/lab"
	"cqrslab/internal/labtest"
)

// TestHAReplicaPause pauses a replica of a real ha lab and checks what
// the fault's description promises: exactly one replica stops answering
// (a PING to it times out) while ZADDs to the primary are acknowledged,
// and the Sentinels mark it subjectively down;
// after `fault heal` it answers again and catches up (its ZCARD is the
// primary's). A second pause ends on its own after its duration. The
// third is left in force when the test ends: the lab's Close must let it
// go, and Replicated fails the test if any container or network of the
// run is left.
func TestHAReplicaPause(t *testing.T) {
	t.Parallel()
	ctx, l := labtest.Replicated(t, lab.TopologyHA, 4*time.Minute, nil)
	info := l.Info.Redis
	if len(info.NodeAddrs) != 3 {
		t.Fatalf("node map %v: want 3 Redis nodes", info.NodeAddrs)
	}
	client := func(addr string) *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: net.JoinHostPort(addr, "6379"), Password: info.Password,
			MaxRetries: -1, DialTimeout: time.Second, ReadTimeout: 700 * time.Millisecond,
			WriteTimeout: 700 * time.Millisecond, ContextTimeoutEnabled: true})
		t.Cleanup(func() { c.Close() })
		return c
	}
	var primary *redis.Client
	var replicas []*redis.Client
	for _, addr := range info.NodeAddrs {
		c := client(addr)
		role, err := c.Do(ctx, "ROLE").Slice()
		if err != nil {
			t.Fatalf("ROLE on %s: %v", addr, err)
		}
		if role[0] == "master" {
			primary = c
		} else {
			replicas = append(replicas, c)
		}
	}
	if primary == nil || len(replicas) != 2 {
		t.Fatalf("want a primary and two replicas, got primary %v, %d replicas", primary != nil, len(replicas))
	}
	// silent lists the replicas whose PING does not answer within 700 ms.
	silent := func() (out []string) {
		for _, r := range replicas {
			pctx, cancel := context.WithTimeout(ctx, 700*time.Millisecond)
			if err := r.Ping(pctx).Err(); err != nil {
				out = append(out, r.Options().Addr+": "+err.Error())
			}
			cancel()
		}
		return out
	}
	const key = "replica-pause-test"
	written := 0
	zadds := func(n int) {
		t.Helper()
		for range n {
			written++
			if err := primary.ZAdd(ctx, key, redis.Z{Score: float64(written), Member: fmt.Sprint(written)}).Err(); err != nil {
				t.Fatalf("ZADD %d to the primary while a replica is paused: %v", written, err)
			}
		}
	}
	caughtUp := func(what string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			want, err := primary.ZCard(ctx, key).Result()
			var got []int64
			for _, r := range replicas {
				n, rerr := r.ZCard(ctx, key).Result()
				if rerr != nil {
					err = rerr
				}
				got = append(got, n)
			}
			if err == nil && want == int64(written) && got[0] == want && got[1] == want {
				t.Logf("%s: primary and both replicas hold %d members", what, want)
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: primary ZCARD %d (wrote %d), replicas %v (%v)", what, want, written, got, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	active := func() bool {
		return slices.ContainsFunc(l.ActiveFaults(), func(f lab.Fault) bool { return f.Kind == lab.FaultRedisReplicaPause })
	}
	zadds(20)
	caughtUp("before the pause")
	if s := silent(); len(s) != 0 {
		t.Fatalf("before the pause, replicas do not answer: %v", s)
	}

	// Paused until healed (60 s is far beyond the test's steps).
	f, err := lab.ParseFault("redis_replica_pause=60s")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := l.Inject(ctx, f); err != nil {
		t.Fatalf("inject: %v", err)
	}
	t.Logf("inject took %v", time.Since(start).Round(time.Millisecond))
	if s := silent(); len(s) != 1 {
		t.Fatalf("with a replica paused, %d replicas do not answer (want exactly 1): %v", len(s), s)
	} else {
		t.Logf("paused: %s", s[0])
	}
	zadds(200)
	// The Sentinels mark it subjectively down after down-after (1 s).
	sc := redis.NewSentinelClient(&redis.Options{Addr: info.Sentinels[0], Password: info.Password})
	defer sc.Close()
	var flags []string
	for deadline := time.Now().Add(5 * time.Second); ; {
		reps, err := sc.Replicas(ctx, info.MasterName).Result()
		flags = flags[:0]
		for _, r := range reps {
			flags = append(flags, r["name"]+" "+r["flags"])
		}
		if err == nil && slices.ContainsFunc(flags, func(f string) bool { return strings.Contains(f, "s_down") }) {
			t.Logf("sentinel after %v: %v", time.Since(start).Round(100*time.Millisecond), flags)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no replica marked s_down by the sentinel %v after the pause: %v (%v)", time.Since(start), flags, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !active() {
		t.Errorf("the pause is not among the active faults: %v", l.ActiveFaults())
	}
	start = time.Now()
	if err := l.Heal(ctx, lab.FaultRedisReplicaPause); err != nil {
		t.Fatalf("heal: %v", err)
	}
	t.Logf("heal took %v", time.Since(start).Round(time.Millisecond))
	if s := silent(); len(s) != 0 {
		t.Fatalf("after heal, replicas do not answer: %v", s)
	}
	if active() {
		t.Errorf("healed, yet the pause is still active: %v", l.ActiveFaults())
	}
	caughtUp("after heal")

	// A pause that ends on its own.
	f.For = 1500 * time.Millisecond
	if err := l.Inject(ctx, f); err != nil {
		t.Fatalf("inject %s: %v", f, err)
	}
	if s := silent(); len(s) != 1 {
		t.Fatalf("with a replica paused for 1.5 s, %d replicas do not answer (want 1): %v", len(s), s)
	}
	zadds(50)
	deadline := time.Now().Add(15 * time.Second)
	for active() {
		if time.Now().After(deadline) {
			t.Fatalf("the 1.5 s pause is still active after 15 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if s := silent(); len(s) != 0 {
		t.Fatalf("after the pause ended on its own, replicas do not answer: %v", s)
	}
	caughtUp("after the pause ended on its own")

	// Left in force: Close lets it go (see Replicated's leak check).
	f.For = time.Minute
	if err := l.Inject(ctx, f); err != nil {
		t.Fatalf("inject %s: %v", f, err)
	}
	if s := silent(); len(s) != 1 {
		t.Fatalf("with a replica paused before close, %d replicas do not answer (want 1): %v", len(s), s)
	}
}
