package tui

import (
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/tui/labscreen"
	"cqrslab/internal/tui/ui"
)

func TestLabScreenPanesAndKeys(t *testing.T) {
	a := labFixedApp(t, 80, 24, ui.ThemeDark)
	out := plain(a)
	wantIn(t, out, "policy seed", "crash point off", "author alice", "Faults: down 12s", "Load: 500/s",
		"1 Stores", "Drift: 1 missing", "✗ Hello from step-through #1", "GetFeed fails: connection refused",
		"n new post", "f faults", "l load", "tab pane")
	deliver(a, keypress("tab"))
	wantIn(t, plain(a), "Trace · last writes", "✗ zadd", "2.7s")
	deliver(a, keypress("4"))
	wantIn(t, plain(a), "p50 1.20ms", "in flight 3", "pool: 10 conns", "p99 per second")
	deliver(a, keypress("5"))
	wantIn(t, plain(a), "WARN redis projection update failed")
	deliver(a, keypress("3"))
	wantIn(t, plain(a), "d down: connections to Redis refused · ACTIVE", "unavailable: the cgroup freezer is missing")
}

func TestLabFaultMenuTakesEscAndRefusesUnavailable(t *testing.T) {
	a := labFixedApp(t, 80, 24, ui.ThemeDark)
	deliver(a, keypress("f"))
	out := plain(a)
	wantIn(t, out, "press a letter to inject", "l latency", "x restart_data_loss", "h heal all", "esc close")
	wantNotIn(t, out, "esc home")
	deliver(a, keypress("esc"))
	if a.active != ui.ScreenLab || a.labs.Mode != labscreen.LabNormal {
		t.Fatalf("esc in the fault menu: screen %v mode %v", a.active, a.labs.Mode)
	}
	deliver(a, keypress("f"))
	if cmd := deliver(a, keypress("p")); cmd != nil {
		t.Error("an unavailable fault was injected")
	}
	wantIn(t, plain(a), "pause is not available here")
	deliver(a, keypress("f"))
	if cmd := deliver(a, keypress("d")); cmd == nil || !a.labs.FaultBusy {
		t.Error("d in the fault menu did not inject")
	}
}

func TestLabFormTypesLettersAndEscCancels(t *testing.T) {
	a := labFixedApp(t, 80, 24, ui.ThemeDark)
	deliver(a, keypress("n"))
	if !a.labs.Typing() {
		t.Fatal("n did not open the form")
	}
	wantIn(t, plain(a), "New post", "author alice", "Post 1 from the lab", "enter create the post", "ctrl+c quit")
	for _, k := range []string{" ", "q", "?", "f"} {
		if cmd := deliver(a, keypress(k)); quits(cmd) {
			t.Fatalf("%q quit while typing a title", k)
		}
	}
	if v := a.labs.Title.Value(); v != "Post 1 from the lab q?f" {
		t.Errorf("title %q: letters did not reach the field", v)
	}
	deliver(a, keypress("esc"))
	if a.labs.Typing() || a.active != ui.ScreenLab {
		t.Error("esc did not just close the form")
	}
	deliver(a, keypress("n"))
	if cmd := deliver(a, keypress("enter")); cmd == nil || a.labs.InFlight != 1 {
		t.Error("enter did not create the post")
	}
	deliver(a, labscreen.PostDoneMsg{Author: "alice", Title: "x", Err: &demo.ValidationError{Field: "title", Reason: "too long"}})
	wantIn(t, plain(a), "Refused, nothing written: invalid title: too long")
	deliver(a, labscreen.PostDoneMsg{Author: "bob", Title: "y", Res: demo.Result{ProjectionErr: errors.New("connection refused")}})
	wantIn(t, plain(a), `"y" is in PostgreSQL; the ZADD failed (connection refused)`, "author bob")
}

func TestLabPolicyCrashAuthorRate(t *testing.T) {
	a := labFixedApp(t, 80, 24, ui.ThemeDark)
	m := a.labs
	if deliver(a, keypress("p")) == nil {
		t.Error("p did not build the next policy's service")
	}
	deliver(a, labscreen.ServiceMsg{Policy: demo.PolicyBudgeted, Svc: demo.NewPostService(nil, nil, demo.Options{Policy: demo.PolicyBudgeted})})
	wantIn(t, plain(a), "policy budgeted")
	deliver(a, keypress("c"))
	wantIn(t, plain(a), "crash point ARMED", "Crash point armed")
	deliver(a, keypress("a"))
	wantIn(t, plain(a), "author bob")
	m.Load.Running = false
	deliver(a, keypress("+"))
	wantIn(t, plain(a), "Load rate: 1000 writes/s")
	deliver(a, keypress("-"))
	deliver(a, keypress("-"))
	wantIn(t, plain(a), "Load rate: 250 writes/s")
}

// TestFrameCoalescesABurst applies one frame's worth of events at 500
// writes/s (five trace events a write, a warning each) quickly, keeps only
// what the panes show, and renders in bounded time.
func TestFrameCoalescesABurst(t *testing.T) {
	a := labFixedApp(t, 120, 40, ui.ThemeDark)
	var events []any
	for i := range 2000 {
		id := fmt.Sprintf("load9-%d", i)
		for _, s := range demo.Steps {
			events = append(events, ui.TraceMsg{Ev: demo.Event{PostID: id, AuthorID: "carol", Step: s, Duration: time.Millisecond}})
		}
		events = append(events, ui.LogMsg{At: fixedNow, Level: slog.LevelWarn, Text: "redis projection update failed post=" + id})
	}
	start := time.Now()
	deliver(a, ui.FrameMsg{At: fixedNow, Events: events})
	applied := time.Since(start)
	start = time.Now()
	out := a.render()
	rendered := time.Since(start)
	if len(a.labs.Trace.Order) != labscreen.TraceKeep || len(a.labs.Logs) != labscreen.LogKeep || a.labs.LogTotal != 2001 {
		t.Errorf("kept %d writes and %d log lines (of %d), want %d and %d", len(a.labs.Trace.Order), len(a.labs.Logs), a.labs.LogTotal, labscreen.TraceKeep, labscreen.LogKeep)
	}
	wantIn(t, plain(a), "load9-1999", "Log · 2001 lines")
	fits(t, out, 120, 40)
	t.Logf("12,000 events applied in %v, screen rendered in %v", applied, rendered)
	if applied > 2*time.Second { // generous: shared CI machines are slow; this catches a quadratic blow-up
		t.Errorf("applying one frame took %v", applied)
	}
}

func TestBusNeverBlocksAndCountsDrops(t *testing.T) {
	b := ui.NewEventBus(4)
	done := make(chan struct{})
	go func() {
		for range 10 {
			b.Send(1)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("send blocked on a full bus")
	}
	if got := len(b.Drain(100)); got != 4 || b.Dropped.Load() != 6 {
		t.Errorf("drained %d, dropped %d; want 4 and 6", got, b.Dropped.Load())
	}
}

func TestActiveFaultsAlwaysInTheHeader(t *testing.T) {
	a := labFixedApp(t, 80, 24, ui.ThemeDark)
	deliver(a, ui.FrameMsg{At: fixedNow, Events: []any{ui.FaultEventMsg{Ev: lab.FaultEvent{Active: []lab.Fault{
		{Kind: lab.FaultLatency, Latency: 50 * time.Millisecond, Target: lab.TargetRedis, Since: fixedNow.Add(-3 * time.Second)},
		{Kind: lab.FaultPause, Target: lab.TargetRedis}}}}}})
	for _, pane := range []string{"1", "2", "3", "4", "5"} {
		deliver(a, keypress(pane))
		wantIn(t, plain(a), "Faults: latency=50ms 3s, pause")
	}
	pressKeys(t, a, "esc", "1")
	wantIn(t, plain(a), "2 fault(s) active")
}

// TestTraceShowsARejectedWrite: a post the engine refuses at validate has
// a one-step trace, drawn as failed there, not lost.
func TestTraceShowsARejectedWrite(t *testing.T) {
	a := labFixedApp(t, 120, 40, ui.ThemeDark)
	deliver(a, ui.FrameMsg{At: fixedNow, Events: []any{ui.TraceMsg{Ev: demo.Event{PostID: "rejected-1", AuthorID: "alice",
		Step: demo.StepValidate, Duration: 30 * time.Microsecond, Err: errors.New("invalid title: blank")}}}})
	w := a.labs.Trace.ByID["rejected-1"]
	if w == nil || w.Failed != 0 || !w.Done {
		t.Fatalf("the rejected write's trace = %+v, want failed at validate and done", w)
	}
	wantIn(t, plain(a), "rejected-1", "✗ validate")
}
