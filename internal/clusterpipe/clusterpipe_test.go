package clusterpipe

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// In the reply pattern that makes go-redis queue a command twice (MOVED,
// then a retryable error on the batch's first command), a pipeline sent
// through Install runs the moved INCR exactly once, on the node the MOVED
// named, and reports the other command's error. Under -race this is
// also the test that no reply is written from two goroutines.
func TestMovedCommandRunsOnce(t *testing.T) {
	tc := startCluster(t)
	c := tc.client(t)
	Install(c)
	k0, k1 := tc.staleMap(t)
	ctx := context.Background()

	pipe := c.Pipeline()
	c0, c1 := pipe.Incr(ctx, k0), pipe.Incr(ctx, k1)
	_, err := pipe.Exec(ctx)
	// k0's slot is served by no node: a answers CLUSTERDOWN, b (which has
	// not heard) MOVED back to a, so its last error is one of the two.
	if c0.Err() == nil || !strings.HasPrefix(c0.Err().Error(), "CLUSTERDOWN") && !strings.HasPrefix(c0.Err().Error(), "MOVED") {
		t.Errorf("INCR %s: %v, want CLUSTERDOWN or MOVED", k0, c0.Err())
	}
	if err == nil || err.Error() != c0.Err().Error() {
		t.Errorf("Exec: %v, want the first command's error", err)
	}
	if c1.Err() != nil || c1.Val() != 1 {
		t.Errorf("INCR %s: %d, %v; want 1 and no error", k1, c1.Val(), c1.Err())
	}
	if got, err := tc.b.Get(ctx, k1).Result(); err != nil || got != "1" {
		t.Errorf("node b holds %s = %q (%v); the moved INCR ran more than once, or not at all", k1, got, err)
	}
}

// An ordinary pipeline through Install: commands on both nodes answer in
// their own order, and a keyless WAIT rides with the command before it.
func TestPipelineAcrossNodes(t *testing.T) {
	tc := startCluster(t)
	c := tc.client(t)
	Install(c)
	ctx := context.Background()

	pipe := c.Pipeline()
	adds := map[string]*redis.IntCmd{}
	for i := range 40 {
		k := fmt.Sprintf("feed:%d", i)
		adds[k] = pipe.ZAdd(ctx, k, redis.Z{Score: float64(i + 1), Member: "p"}, redis.Z{Score: 1, Member: "q"})
	}
	wait := pipe.Do(ctx, "wait", 0, 0)
	scores := map[string]*redis.FloatSliceCmd{}
	for i := range 40 {
		k := fmt.Sprintf("feed:%d", i)
		scores[k] = pipe.ZMScore(ctx, k, "p", "missing")
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatalf("Exec: %v", err)
	}
	onA, onB := 0, 0
	for i := range 40 {
		k := fmt.Sprintf("feed:%d", i)
		if n, err := adds[k].Result(); n != 2 || err != nil {
			t.Errorf("ZADD %s: %d, %v; want 2", k, n, err)
		}
		if s := scores[k].Val(); len(s) != 2 || s[0] != float64(i+1) || s[1] != 0 {
			t.Errorf("ZMSCORE %s: %v, want [%d 0]", k, s, i+1)
		}
		if tc.slot(t, k) < 8192 {
			onA++
		} else {
			onB++
		}
	}
	if onA == 0 || onB == 0 {
		t.Fatalf("the keys all sit on one node (%d on a, %d on b): the test no longer crosses nodes", onA, onB)
	}
	if n, err := wait.Int(); n != 0 || err != nil {
		t.Errorf("WAIT 0 0: %d, %v; want 0 (no replicas)", n, err)
	}
}

// A pipeline whose context is already done sends nothing and says so.
func TestCancelledPipeline(t *testing.T) {
	tc := startCluster(t)
	c := tc.client(t)
	Install(c)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pipe := c.Pipeline()
	incr := pipe.Incr(ctx, "clusterpipe:cancelled")
	if _, err := pipe.Exec(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Exec: %v, want context.Canceled", err)
	}
	if incr.Err() == nil {
		t.Error("the INCR of a cancelled pipeline has no error")
	}
	if n, _ := c.Exists(context.Background(), "clusterpipe:cancelled").Result(); n != 0 {
		t.Error("the INCR of a cancelled pipeline ran")
	}
}

func TestFirstKey(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		cmd  redis.Cmder
		key  string
		want bool
	}{
		{redis.NewIntCmd(ctx, "zadd", "feed:1", 1, "m"), "feed:1", true},
		{redis.NewCmd(ctx, "eval", "return 1", 1, "k", "arg"), "k", true},
		{redis.NewCmd(ctx, "eval", "return 1", 0), "", false},
		{redis.NewCmd(ctx, "wait", 1, 100), "", false},
		{redis.NewCmd(ctx, "ping"), "", false},
		{redis.NewCmd(ctx, "get", []byte("b")), "b", true},
	} {
		k, ok := firstKey(tt.cmd)
		if k != tt.key || ok != tt.want {
			t.Errorf("firstKey(%v) = %q, %v; want %q, %v", tt.cmd.Args(), k, ok, tt.key, tt.want)
		}
	}
}

func TestBackoffStaysInBounds(t *testing.T) {
	for n := 1; n < 40; n++ {
		d := backoff(n, 8*time.Millisecond, 512*time.Millisecond)
		if d < 8*time.Millisecond || d > 512*time.Millisecond {
			t.Fatalf("backoff(%d) = %v, outside [8ms, 512ms]", n, d)
		}
	}
	if d := backoff(3, -1, 512*time.Millisecond); d != 0 {
		t.Errorf("backoff with no minimum = %v, want 0", d)
	}
}
