package lab

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	toxiclient "github.com/Shopify/toxiproxy/v2/client"
)

// TestToxiproxyAPIDrivesTheLab points Toxiproxy's own Go client at the
// lab's --toxiproxy-api address: it sees the lab's two proxies, and a
// latency toxic it adds shows in what a client of the lab measures.
func TestToxiproxyAPIDrivesTheLab(t *testing.T) {
	l := startFaultLab(t, anyProvider(t), func(o *Options) { o.ToxiproxyAPI = "127.0.0.1:0" })
	info := l.CurrentInfo()
	if info.ToxiproxyAPI == "" || strings.HasSuffix(info.ToxiproxyAPI, ":0") {
		t.Fatalf("ToxiproxyAPI = %q", info.ToxiproxyAPI)
	}
	var mu sync.Mutex
	var apiEvents []string
	l.SetFaultObserver(func(ev FaultEvent) {
		if ev.Action == ActionAPI {
			mu.Lock()
			apiEvents = append(apiEvents, ev.Detail)
			mu.Unlock()
		}
	})
	client := toxiclient.NewClient(info.ToxiproxyAPI)
	proxies, err := client.Proxies()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range proxies {
		names = append(names, name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"postgres", "redis"}) {
		t.Fatalf("proxies %v", names)
	}
	rp := proxies["redis"]
	if rp.Listen != info.Redis.Addr || rp.Upstream != info.Redis.DirectAddr || !rp.Enabled {
		t.Fatalf("redis proxy %+v, lab %+v", rp, info.Redis)
	}

	rdb := quickClient(t, info.Redis.Addr, info.Redis.Password, time.Second)
	before := minPing(t, rdb, 5)
	if _, err := rp.AddToxic("", "latency", "downstream", 1.0, toxiclient.Attributes{"latency": 100}); err != nil {
		t.Fatal(err)
	}
	after := minPing(t, rdb, 5)
	t.Logf("PING through the lab's Redis address: %v before, %v with toxiproxy-client latency=100", before, after)
	if after < 100*time.Millisecond {
		t.Fatalf("PING %v with a 100ms latency toxic", after)
	}
	active := l.ActiveFaults()
	if len(active) != 1 || active[0].Kind != FaultLatency || active[0].Latency != 100*time.Millisecond ||
		active[0].Toxic != "latency_downstream" || active[0].Target != "redis" {
		t.Fatalf("active faults %+v", active)
	}
	// The lab's own heal removes a toxic the API added.
	mustHeal(t, l, FaultLatency)
	if d := minPing(t, rdb, 5); d > 50*time.Millisecond {
		t.Fatalf("PING %v after heal", d)
	}
	if ts, err := rp.Toxics(); err != nil || len(ts) != 0 {
		t.Fatalf("toxics after heal: %+v, %v", ts, err)
	}

	// And the lab's own faults show through the API.
	mustInject(t, l, "latency=25ms,target=postgres")
	pp, err := client.Proxy("postgres")
	if err != nil {
		t.Fatal(err)
	}
	ts, err := pp.Toxics()
	if err != nil || len(ts) != 1 || ts[0].Name != "cqrslab_latency_downstream" || ts[0].Attributes["latency"] != float64(25) ||
		ts[0].Toxicity != 1 {
		t.Fatalf("postgres toxics through the API: %+v, %v", ts, err)
	}
	mustHeal(t, l, FaultLatency)

	// Disable and enable: the proxy goes down and comes back.
	if err := rp.Disable(); err != nil {
		t.Fatal(err)
	}
	if _, err := timedPing(rdb); err == nil {
		t.Fatal("PING through a proxy the API disabled")
	}
	wantActive(t, l, "down@redis")
	if err := rp.Enable(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Second, "PING after enable", func() error { _, err := timedPing(rdb); return err })

	// The lab's proxies stay where the lab says they are.
	if err := rp.Delete(); err == nil || !strings.Contains(err.Error(), "409") {
		t.Fatalf("delete of the lab's proxy: %v", err)
	}
	moved := *rp
	moved.Upstream = "127.0.0.1:1"
	if err := moved.Save(); err == nil {
		t.Fatal("the API moved the lab's proxy")
	}
	if _, err := client.Populate([]toxiclient.Proxy{{Name: "redis", Listen: "127.0.0.1:0", Upstream: "127.0.0.1:1"}}); err == nil {
		t.Fatal("populate replaced the lab's proxy")
	}
	if _, err := timedPing(rdb); err != nil {
		t.Fatalf("PING after refused changes: %v", err)
	}
	// ResetState heals everything, like HealAll.
	mustInject(t, l, "timeout")
	if err := client.ResetState(); err != nil {
		t.Fatal(err)
	}
	wantActive(t, l)
	eventually(t, 2*time.Second, "PING after reset", func() error { _, err := timedPing(rdb); return err })

	time.Sleep(50 * time.Millisecond) // API events are delivered asynchronously
	mu.Lock()
	defer mu.Unlock()
	if len(apiEvents) < 4 {
		t.Errorf("API changes reported: %v", apiEvents)
	}
}

// The API is gone once the lab is closed.
func TestToxiproxyAPIStopsWithTheLab(t *testing.T) {
	opts := dockerOptionsOrLocal(t)
	opts.ToxiproxyAPI = "127.0.0.1:0"
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	l, err := Start(ctx, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	addr := l.ToxiproxyAPI
	if _, err := toxiclient.NewClient(addr).Proxies(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := toxiclient.NewClient(addr).Proxies(); err == nil {
		t.Fatal("the Toxiproxy API still answers after Close")
	}
	if opts.Provider == Docker {
		if n := countOwn(t, l.RunID); n != 0 {
			t.Fatalf("%d containers left", n)
		}
	}
}

func dockerOptionsOrLocal(t *testing.T) Options {
	if anyProvider(t) == Docker {
		return dockerOptions(t)
	}
	requireLocal(t)
	return Options{Provider: Local}
}
