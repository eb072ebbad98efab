package lab

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Shopify/toxiproxy/v2/toxics"
	"github.com/redis/go-redis/v9"
)

// dripToxic is the throwaway kind's own Toxiproxy toxic: Toxiproxy's
// latency under another type name, so the proxy knows a type it did not
// have before the test registered it.
type dripToxic struct{ toxics.LatencyToxic }

// testDrip declares a network kind that no file of the program knows:
// "test_drip=DUR" holds every reply DUR. Everything about it is here.
func testDrip() faultDef {
	return faultDef{
		FaultInfo: FaultInfo{Kind: "test_drip", Needs: NeedProxy, Syntax: "test_drip=DUR", Example: "test_drip=300ms",
			Help: "hold every reply DUR (a kind declared in a test)"},
		missing: "test_drip needs a delay, e.g. test_drip=300ms",
		parse: func(f *Fault, v, _ string, dur durParser) (err error) {
			f.Delay, err = dur("test_drip", v)
			return err
		},
		check:  func(f Fault, ms msChecker, _ string) error { return ms("test_drip", f.Delay, time.Millisecond) },
		format: func(f Fault) string { return "=" + f.Delay.String() },
		toxic: &toxicDef{stream: StreamDownstream, register: new(dripToxic),
			attrs: func(f Fault) map[string]int64 { return map[string]int64{"latency": ms(f.Delay)} },
			read: func(f *Fault, attr func(string) time.Duration, _ func(string) float64) {
				f.Delay = attr("latency")
			},
			conn: connEffect{delay: func(f Fault, _ int) time.Duration { return f.Delay }}},
	}
}

// testFreeze declares a process kind that no file of the program knows:
// "test_freeze" freezes Redis through the provider, as pause does.
func testFreeze(injects, heals *int) faultDef {
	return faultDef{
		FaultInfo: FaultInfo{Kind: "test_freeze", Target: TargetRedis, Needs: NeedServers, Syntax: "test_freeze", Example: "test_freeze",
			Help: "freeze Redis (a kind declared in a test)"},
		process: &processDef{
			inject: func(ctx context.Context, _ *Lab, pf processFaulter, _ Fault) error {
				*injects++
				return pf.pauseRedis(ctx)
			},
			heal: func(ctx context.Context, _ *Lab, pf processFaulter, _ Fault) error {
				*heals++
				return pf.unpauseRedis(ctx)
			},
			onClose: func(ctx context.Context, _ *Lab, pf processFaulter) { _ = pf.unpauseRedis(ctx) },
		},
	}
}

// TestRegisteredKindEndToEnd proves that a kind is declared once: two kinds
// registered by this test alone (a network one with its own Toxiproxy
// toxic and a process one) are parsed, listed, injected into a running
// lab, felt on real connections (the engine's direct one through the fault
// layer, and a client of the proxy), read back, healed one by one and by
// HealAll, and gone from the registry afterwards. No other file names them.
func TestRegisteredKindEndToEnd(t *testing.T) {
	var injects, heals int
	unDrip := registerFault(testDrip())
	unFreeze := registerFault(testFreeze(&injects, &heals))
	unregistered := false
	unregister := func() {
		if !unregistered {
			unFreeze()
			unDrip()
			unregistered = true
		}
	}
	t.Cleanup(unregister)

	// Parse, write back, and every list the front ends read.
	f, err := ParseFault("test_drip=300ms,target=redis")
	if err != nil {
		t.Fatal(err)
	}
	want := Fault{Kind: "test_drip", Target: TargetRedis, Stream: StreamDownstream, Delay: 300 * time.Millisecond}
	if f != want || f.String() != "test_drip=300ms" {
		t.Fatalf("ParseFault = %+v (%s), want %+v", f, f, want)
	}
	if _, err := ParseFault("test_drip"); err == nil || !strings.Contains(err.Error(), "test_drip needs a delay") {
		t.Errorf("ParseFault without a value: %v", err)
	}
	if _, err := ParseFault("test_freeze=1s"); err == nil || !strings.Contains(err.Error(), "takes no value") {
		t.Errorf("ParseFault(test_freeze=1s): %v", err)
	}
	kinds := FaultKinds()
	if !slices.Contains(kinds, "test_drip") || !slices.Contains(kinds, "test_freeze") ||
		!strings.Contains(FaultSyntax, "test_drip=DUR") || !f.Kind.IsNetwork() || FaultKind("test_freeze").IsNetwork() {
		t.Fatalf("kinds %v, syntax %q: the registered kinds are not listed", kinds, FaultSyntax)
	}
	if kinds[0] != FaultLatency || slices.Index(kinds, "test_drip") < slices.Index(kinds, FaultPostgresStop) {
		t.Errorf("kinds %v: the built-ins come first, kinds registered elsewhere after them", kinds)
	}

	l := startFaultLab(t, anyProvider(t), nil)
	ctx := context.Background()
	for _, ks := range l.Kinds() {
		if (ks.Kind == "test_drip" || ks.Kind == "test_freeze") && !ks.Available {
			t.Errorf("lab.Kinds: %s unavailable: %s", ks.Kind, ks.Reason)
		}
	}
	direct := newLayerClient(t, l, 2*time.Second)
	proxied := quickClient(t, l.CurrentInfo().Redis.Addr, l.Redis.Password, 2*time.Second)
	base := max(minPing(t, direct.Client, 3), minPing(t, proxied, 3))
	if base > 100*time.Millisecond {
		t.Skipf("PING takes %v before any fault: the machine is too loaded to tell a 300ms fault", base)
	}

	// Injected: both paths hold every reply at least 300ms, on the
	// connections already open.
	dials := direct.dials.Load()
	mustInject(t, l, "test_drip=300ms")
	clients := map[string]*redis.Client{"engine (fault layer)": direct.Client, "proxy (Toxiproxy)": proxied}
	for name, c := range clients {
		start := time.Now()
		if err := c.Ping(ctx).Err(); err != nil {
			t.Fatalf("%s: PING under test_drip: %v", name, err)
		}
		if d := time.Since(start); d < 300*time.Millisecond {
			t.Errorf("%s: PING took %v under test_drip=300ms, want at least 300ms", name, d)
		}
	}
	if n := direct.dials.Load(); n != dials {
		t.Errorf("the engine's client dialled %d times under the fault: it should have hit the open connection", n-dials)
	}
	wantActive(t, l, "test_drip=300ms@redis")

	// Healed by kind: both fast again.
	mustHeal(t, l, "test_drip")
	wantActive(t, l)
	for name, c := range clients {
		start := time.Now()
		if err := c.Ping(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d >= 300*time.Millisecond {
			t.Errorf("%s: PING took %v after the heal", name, d)
		}
	}

	// The process kind: its action runs, Redis stops answering, HealAll
	// heals it (with the network kind) through its declared heal.
	mustInject(t, l, "test_drip=300ms")
	ff, _ := ParseFault("test_freeze")
	if err := l.Inject(ctx, ff); errors.Is(err, ErrFaultUnavailable) {
		t.Logf("test_freeze: %v (this machine cannot freeze a server; the network kind was checked)", err)
	} else if err != nil {
		t.Fatal(err)
	} else {
		if err := quickClient(t, l.CurrentInfo().Redis.Addr, l.Redis.Password, 500*time.Millisecond).Ping(ctx).Err(); err == nil {
			t.Error("PING answered while test_freeze was in force")
		}
		wantActive(t, l, "test_drip=300ms@redis", "test_freeze@redis")
	}
	if err := l.HealAll(ctx); err != nil {
		t.Fatal(err)
	}
	wantActive(t, l)
	if injects == 1 && heals != 1 {
		t.Errorf("test_freeze: %d injects, %d heals; HealAll should have healed it once", injects, heals)
	}
	eventually(t, 5*time.Second, "PING after HealAll", func() error {
		d, err := timedPing(direct.Client)
		if err == nil && d >= 300*time.Millisecond {
			err = errors.New("still slow: " + d.String())
		}
		return err
	})

	unregister()
	if slices.Contains(FaultKinds(), "test_drip") || strings.Contains(FaultSyntax, "test_drip") {
		t.Errorf("test_drip still listed after unregistering: %v", FaultKinds())
	}
	if _, err := ParseFault("test_drip=1s"); err == nil {
		t.Error("test_drip still parses after unregistering")
	}
}
