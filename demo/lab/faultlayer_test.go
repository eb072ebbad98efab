package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// layerClient is a fail-fast Redis client of one connection on the lab's
// fault layer. It counts its dials and keeps the last connection's local
// address, so a test can tell that a fault hit a connection that was
// already open and that the connection went to the server itself.
type layerClient struct {
	*redis.Client
	dials atomic.Int32
	mu    sync.Mutex
	local string
}

func newLayerClient(t *testing.T, l *Lab, timeout time.Duration) *layerClient {
	t.Helper()
	info := l.CurrentInfo()
	if info.Redis.Dial == nil {
		t.Fatal("Info.Redis.Dial is nil: the lab built no fault layer")
	}
	lc := &layerClient{}
	lc.Client = redis.NewClient(&redis.Options{Addr: info.Redis.Addr, Password: info.Redis.Password,
		MaxRetries: -1, PoolSize: 1, DialTimeout: timeout, ReadTimeout: timeout, WriteTimeout: timeout,
		ContextTimeoutEnabled: true,
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			lc.dials.Add(1)
			c, err := info.Redis.Dial(ctx, network, addr)
			if err == nil {
				lc.mu.Lock()
				lc.local = c.LocalAddr().String()
				lc.mu.Unlock()
			}
			return c, err
		}})
	t.Cleanup(func() { lc.Close() })
	return lc
}

// TestFaultLayerHitsOpenConnections injects each network fault while the
// engine's direct connections are open and checks what they see: the
// fault in force from the next request on, without reconnecting, and gone
// once healed.
func TestFaultLayerHitsOpenConnections(t *testing.T) {
	l := startFaultLab(t, anyProvider(t), nil)
	ctx := context.Background()
	c := newLayerClient(t, l, 400*time.Millisecond)
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING on the fault layer: %v", err)
	}
	// The connection reaches the server itself: Redis sees this client's
	// own local address as its peer (through a proxy it would see the
	// proxy's).
	peer, err := c.Do(ctx, "CLIENT", "INFO").Text()
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	local := c.local
	c.mu.Unlock()
	if !strings.Contains(peer, "addr="+local+" ") {
		t.Fatalf("Redis sees peer %q, want this connection's own %s: the layer did not dial the server directly", peer, local)
	}
	base := minPing(t, c.Client, 5)
	if base > 40*time.Millisecond {
		t.Fatalf("an idle fault layer PINGs in %v at best; a 100 ms latency below could not be told apart", base)
	}

	t.Run("latency", func(t *testing.T) {
		dials := c.dials.Load()
		mustInject(t, l, "latency=100ms")
		d, err := timedPing(c.Client)
		if err != nil || d < 100*time.Millisecond {
			t.Fatalf("PING under latency=100ms: %v, %v; want at least 100ms", d, err)
		}
		if n := c.dials.Load(); n != dials {
			t.Fatalf("the client dialled again (%d → %d): the fault must hit the open connection", dials, n)
		}
		mustHeal(t, l, FaultLatency)
		if d := minPing(t, c.Client, 3); d >= 100*time.Millisecond {
			t.Fatalf("PING after heal still takes %v", d)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		mustInject(t, l, "timeout")
		start := time.Now()
		err := c.Ping(ctx).Err()
		var ne net.Error
		if err == nil || !(errors.As(err, &ne) && ne.Timeout()) && !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("PING under timeout: %v after %v; want a timeout", err, time.Since(start))
		}
		if took := time.Since(start); took < 350*time.Millisecond {
			t.Fatalf("PING under timeout failed after %v, before the client's 400ms: not held", took)
		}
		mustHeal(t, l, FaultTimeout)
		eventually(t, 5*time.Second, "PING after healing timeout", func() error { return c.Ping(ctx).Err() })
	})

	t.Run("reset_peer", func(t *testing.T) {
		if err := c.Ping(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		mustInject(t, l, "reset_peer")
		err := c.Ping(ctx).Err()
		if err == nil || !strings.Contains(err.Error(), "reset") {
			t.Fatalf("PING under reset_peer: %v; want connection reset", err)
		}
		mustHeal(t, l, FaultResetPeer)
		eventually(t, 5*time.Second, "PING after healing reset_peer", func() error { return c.Ping(ctx).Err() })
	})

	t.Run("down", func(t *testing.T) {
		if err := c.Ping(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		mustInject(t, l, "down")
		if err := c.Ping(ctx).Err(); err == nil {
			t.Fatal("PING on an open connection succeeded while Redis's proxy is down")
		}
		if err := c.Ping(ctx).Err(); err == nil || !strings.Contains(err.Error(), "refused") {
			t.Fatalf("a new connection while down: %v; want refused", err)
		}
		mustHeal(t, l, FaultDown)
		eventually(t, 5*time.Second, "PING after healing down", func() error { return c.Ping(ctx).Err() })
	})

	t.Run("postgres", func(t *testing.T) {
		db, err := l.CurrentInfo().Postgres.OpenDB()
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		if err := db.PingContext(ctx); err != nil {
			t.Fatalf("postgres on the fault layer: %v", err)
		}
		mustInject(t, l, "latency=100ms,target=postgres")
		start := time.Now()
		if _, err := db.ExecContext(ctx, "SELECT 1"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < 100*time.Millisecond {
			t.Fatalf("SELECT 1 under postgres latency=100ms took %v", d)
		}
		mustHeal(t, l, FaultLatency)
		mustInject(t, l, "postgres_down")
		qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		_, err = db.ExecContext(qctx, "SELECT 1")
		cancel()
		if err == nil {
			t.Fatal("SELECT 1 succeeded while PostgreSQL's proxy is down")
		}
		mustHeal(t, l, FaultPostgresDown)
		eventually(t, 5*time.Second, "SELECT 1 after healing postgres_down", func() error {
			_, err := db.ExecContext(ctx, "SELECT 1")
			return err
		})
	})
}

// TestToxiproxyCLIStillDrivesFaults adds latency with the real toxiproxy-cli
// through the lab's --toxiproxy-api and checks that another process going
// through the proxy and this process's fault layer both feel it.
func TestToxiproxyCLIStillDrivesFaults(t *testing.T) {
	// The lab first: where none can start the test skips at once, before
	// spending seconds of CPU building a CLI it would not use.
	l := startFaultLab(t, anyProvider(t), func(o *Options) { o.ToxiproxyAPI = "127.0.0.1:0" })
	cli := buildToxiproxyCLI(t)
	info := l.CurrentInfo()
	c := newLayerClient(t, l, 2*time.Second)
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	before := otherProcessPing(t, info.Redis.Addr, info.Redis.Password)
	if before >= 150*time.Millisecond {
		t.Fatalf("another process PINGs through the proxy in %v before any fault", before)
	}
	out, err := exec.Command(cli, "--host", "http://"+info.ToxiproxyAPI, "toxic", "add", "-t", "latency",
		"-a", "latency=150", ProxyRedis).CombinedOutput()
	if err != nil {
		t.Fatalf("toxiproxy-cli toxic add: %v\n%s", err, out)
	}
	if d := otherProcessPing(t, info.Redis.Addr, info.Redis.Password); d < 150*time.Millisecond {
		t.Fatalf("another process PINGs in %v after toxiproxy-cli added 150ms of latency", d)
	}
	if d, err := timedPing(c.Client); err != nil || d < 150*time.Millisecond {
		t.Fatalf("the fault layer PINGs in %v (%v) after toxiproxy-cli added 150ms of latency", d, err)
	}
	if err := l.HealAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := minPing(t, c.Client, 3); d >= 150*time.Millisecond {
		t.Fatalf("the fault layer still PINGs in %v after HealAll", d)
	}
}

// buildToxiproxyCLI builds toxiproxy-cli from the module cache (the version
// go.mod names), or skips when it cannot.
func buildToxiproxyCLI(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/Shopify/toxiproxy/v2").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Skipf("the toxiproxy module is not in the module cache: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "toxiproxy-cli")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/cli")
	cmd.Dir = strings.TrimSpace(string(out))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("cannot build toxiproxy-cli (its own modules unavailable?): %v\n%s", err, b)
	}
	return bin
}

// otherProcessPing runs this test binary again as a plain Redis client of
// addr and returns the fastest of its PINGs.
func otherProcessPing(t *testing.T, addr, password string) time.Duration {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperPing$")
	cmd.Env = append(os.Environ(), "CQRSLAB_HELPER_PING="+addr, "CQRSLAB_HELPER_PASSWORD="+password)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper process: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "PING_NS="); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return time.Duration(n)
		}
	}
	t.Fatalf("helper process printed no PING_NS:\n%s", out)
	return 0
}

// TestHelperPing is the other process of otherProcessPing; it does nothing
// in a normal run.
func TestHelperPing(t *testing.T) {
	addr := os.Getenv("CQRSLAB_HELPER_PING")
	if addr == "" {
		t.Skip("helper process only")
	}
	c := redis.NewClient(&redis.Options{Addr: addr, Password: os.Getenv("CQRSLAB_HELPER_PASSWORD"), MaxRetries: -1})
	defer c.Close()
	best := time.Hour
	for range 3 {
		d, err := timedPing(c)
		if err != nil {
			t.Fatal(err)
		}
		best = min(best, d)
	}
	fmt.Printf("PING_NS=%d\n", best.Nanoseconds())
}
