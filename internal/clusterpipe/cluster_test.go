package clusterpipe

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// testCluster is two redis-server processes in cluster mode on loopback:
// a owns slots 0-8191, b 8192-16383.
type testCluster struct {
	a, b         *redis.Client // plain clients of each node
	aID, bID     string
	addrA, addrB string
	busB         int
}

// startCluster starts the two nodes, or skips (fails under
// CQRSLAB_REQUIRE_INFRA=1) where redis-server is not installed. The
// processes are killed when the test ends.
func startCluster(t *testing.T) *testCluster {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CQRSLAB_REQUIRE_INFRA") == "1" {
			t.Fatalf("redis-server not found: %v", err)
		}
		t.Skipf("redis-server not found (install redis-server): %v", err)
	}
	tc := &testCluster{}
	for i, addr := range []*string{&tc.addrA, &tc.addrB} {
		port, busPort := freePort(t), freePort(t) // the bus port too: port+10000 may be past 65535
		dir := t.TempDir()
		cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--cluster-port", fmt.Sprint(busPort),
			"--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes.conf"),
			"--cluster-require-full-coverage", "no", "--dir", dir, "--daemonize", "no")
		if err := cmd.Start(); err != nil {
			t.Fatalf("start node %d: %v", i, err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		*addr = fmt.Sprintf("127.0.0.1:%d", port)
		tc.busB = busPort
	}
	ctx := context.Background()
	tc.a = redis.NewClient(&redis.Options{Addr: tc.addrA})
	tc.b = redis.NewClient(&redis.Options{Addr: tc.addrB})
	t.Cleanup(func() { _ = tc.a.Close(); _ = tc.b.Close() })
	waitFor(t, "both nodes answer", func() bool { return tc.a.Ping(ctx).Err() == nil && tc.b.Ping(ctx).Err() == nil })
	tc.aID, tc.bID = tc.a.ClusterMyID(ctx).Val(), tc.b.ClusterMyID(ctx).Val()
	must(t, tc.a.ClusterAddSlotsRange(ctx, 0, 8191).Err())
	must(t, tc.b.ClusterAddSlotsRange(ctx, 8192, 16383).Err())
	host, port, _ := net.SplitHostPort(tc.addrB)
	must(t, tc.a.Do(ctx, "cluster", "meet", host, port, tc.busB).Err()) // ClusterMeet cannot name a bus port
	waitFor(t, "the cluster is ok on both nodes", func() bool {
		return strings.Contains(tc.a.ClusterInfo(ctx).Val(), "cluster_state:ok") &&
			strings.Contains(tc.b.ClusterInfo(ctx).Val(), "cluster_state:ok") &&
			strings.Contains(tc.a.ClusterNodes(ctx).Val(), tc.bID) &&
			strings.Contains(tc.b.ClusterNodes(ctx).Val(), tc.aID)
	})
	return tc
}

// client is a ClusterClient that has read the slot map as it is now.
func (tc *testCluster) client(t *testing.T) *redis.ClusterClient {
	t.Helper()
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{tc.addrA}})
	t.Cleanup(func() { _ = c.Close() })
	must(t, c.Ping(context.Background()).Err()) // loads the slot map
	return c
}

// staleMap changes the slots behind the client's back, so that a pipeline
// of [INCR k0, INCR k1] goes whole to node a, which answers CLUSTERDOWN for
// k0 (its slot no longer served: a retryable error on the batch's first
// command) and MOVED to b for k1 (its slot handed to b). That is the reply
// pattern in which go-redis's cluster pipeline queues k1 twice.
func (tc *testCluster) staleMap(t *testing.T) (k0, k1 string) {
	t.Helper()
	ctx := context.Background()
	k0, s0 := tc.keyOnA(t, "")
	k1, s1 := tc.keyOnA(t, "x")
	if s0 == s1 {
		t.Fatalf("keys %q and %q share slot %d", k0, k1, s0)
	}
	must(t, tc.a.ClusterDelSlots(ctx, s0).Err())
	for _, n := range []*redis.Client{tc.a, tc.b} {
		must(t, n.Do(ctx, "cluster", "setslot", s1, "node", tc.bID).Err())
	}
	must(t, tc.b.Do(ctx, "cluster", "bumpepoch").Err()) // b's claim on s1 outranks a's old one
	waitFor(t, "node a to answer MOVED for k1 and CLUSTERDOWN for k0", func() bool {
		e1, e0 := tc.a.Get(ctx, k1).Err(), tc.a.Get(ctx, k0).Err()
		return e1 != nil && strings.HasPrefix(e1.Error(), "MOVED ") && strings.Contains(e1.Error(), tc.addrB) &&
			e0 != nil && strings.HasPrefix(e0.Error(), "CLUSTERDOWN")
	})
	return k0, k1
}

// keyOnA is a key in node a's half of the slots, and its slot, as the
// server computes it (CLUSTER KEYSLOT).
func (tc *testCluster) keyOnA(t *testing.T, salt string) (string, int) {
	t.Helper()
	for i := 0; ; i++ {
		k := fmt.Sprintf("clusterpipe:%s%d", salt, i)
		if s := tc.slot(t, k); s < 8192 {
			return k, s
		}
	}
}

func (tc *testCluster) slot(t *testing.T, key string) int {
	t.Helper()
	s, err := tc.a.ClusterKeySlot(context.Background(), key).Result()
	must(t, err)
	return int(s)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
