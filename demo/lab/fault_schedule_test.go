package lab

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRunScheduleTiming(t *testing.T) {
	l := startFaultLab(t, anyProvider(t), nil)
	type stamp struct {
		at  time.Duration
		ev  FaultAction
		spc string
	}
	var mu sync.Mutex
	var got []stamp
	start := time.Now().Add(100 * time.Millisecond)
	l.SetFaultObserver(func(ev FaultEvent) {
		mu.Lock()
		defer mu.Unlock()
		spec := ev.Fault.String()
		if ev.Fault.Kind == "all" {
			spec = "all"
		}
		got = append(got, stamp{ev.Time.Sub(start) - ev.Took, ev.Action, spec})
	})
	s, err := ParseSchedule("latency=30ms@200ms+300ms;down@600ms+200ms;reset_peer@900ms")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1300*time.Millisecond+100*time.Millisecond)
	defer cancel()
	var lines []string
	err = l.RunSchedule(ctx, start, s, func(s string) { lines = append(lines, s) })
	if err != nil {
		t.Fatalf("RunSchedule: %v", err)
	}
	t.Logf("schedule:\n%s", strings.Join(lines, "\n"))
	want := []stamp{
		{200 * time.Millisecond, ActionInject, "latency=30ms"},
		{500 * time.Millisecond, ActionHeal, "latency"},
		{600 * time.Millisecond, ActionInject, "down"},
		{800 * time.Millisecond, ActionHeal, "down"},
		{900 * time.Millisecond, ActionInject, "reset_peer"},
		{1300 * time.Millisecond, ActionHeal, "all"},
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(want) {
		t.Fatalf("events %+v, want %+v", got, want)
	}
	const tolerance = 100 * time.Millisecond
	for i, w := range want {
		g := got[i]
		if g.ev != w.ev || !strings.HasPrefix(g.spc, w.spc) {
			t.Errorf("event %d = %+v, want %+v", i, g, w)
		}
		if d := g.at - w.at; d < -5*time.Millisecond || d > tolerance {
			t.Errorf("event %d (%s %s) at %v, want %v (+%v at most)", i, g.ev, g.spc, g.at, w.at, tolerance)
		}
	}
	wantActive(t, l)
}

func TestRunScheduleHealsOnCancel(t *testing.T) {
	l := startFaultLab(t, anyProvider(t), nil)
	s, err := ParseSchedule("timeout@0s+10s;latency=20ms@50ms+10s;down,target=postgres@100ms;slow_close=1s@5s+1s")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(400*time.Millisecond, cancel)
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- l.RunSchedule(ctx, start, s, func(line string) { t.Log(line) }) }()
	time.Sleep(250 * time.Millisecond)
	wantActive(t, l, "timeout@redis", "latency=20ms@redis", "postgres_down@postgres")
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RunSchedule did not return after cancel")
	}
	t.Logf("RunSchedule returned after %v: %v", time.Since(start), err)
	if err == nil || !strings.Contains(err.Error(), "not run") || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the steps not run and context.Canceled", err)
	}
	wantActive(t, l)
	rdb := quickClient(t, l.Redis.Addr, l.Redis.Password, time.Second)
	eventually(t, 2*time.Second, "PING after the schedule", func() error { _, err := timedPing(rdb); return err })
}

// TestFaultControlAPI drives a lab through its control API, as `cqrslab
// fault` does from another process.
func TestFaultControlAPI(t *testing.T) {
	l := startFaultLab(t, anyProvider(t), nil)
	if err := l.ServeControl("0.0.0.0:0"); err == nil {
		t.Fatal("control API served on a non-loopback address")
	}
	if err := l.ServeControl("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	info := l.CurrentInfo()
	c, err := NewControlClient(info)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := c.Inject(ctx, "latency=50ms")
	if err != nil || !res.OK || len(res.Active) != 1 || res.Active[0].Kind != FaultLatency || res.Active[0].Since.IsZero() {
		t.Fatalf("inject: %+v, %v", res, err)
	}
	if _, err := c.Inject(ctx, "latency=soon"); !errors.Is(err, ErrBadFault) || !strings.Contains(err.Error(), "soon") {
		t.Fatalf("bad spec: %v", err)
	}
	st, err := c.Status(ctx)
	if err != nil || st.RunID != l.RunID || len(st.Active) != 1 || len(st.Kinds) != len(FaultKinds()) {
		t.Fatalf("status: %+v, %v", st, err)
	}
	if res, err := c.Heal(ctx, "latency"); err != nil || len(res.Active) != 0 {
		t.Fatalf("heal: %+v, %v", res, err)
	}
	if _, err := c.Inject(ctx, "down"); err != nil {
		t.Fatal(err)
	}
	if res, err := c.Heal(ctx, "all"); err != nil || len(res.Active) != 0 {
		t.Fatalf("heal all: %+v, %v", res, err)
	}
	bad := *c
	bad.Token = "wrong"
	if _, err := bad.Status(ctx); err == nil {
		t.Fatal("the control API answered a wrong token")
	}
	if _, err := bad.Inject(ctx, "down"); err == nil || !strings.Contains(err.Error(), "token") {
		t.Fatalf("wrong token: %v", err)
	}
	wantActive(t, l)
	if _, err := NewControlClient(Info{}); !errors.Is(err, ErrNoControl) {
		t.Fatalf("client without control: %v", err)
	}
}
