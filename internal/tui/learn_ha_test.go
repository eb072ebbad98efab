package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/charmbracelet/x/ansi"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/tui/learnscreen"
	"cqrslab/internal/tui/ui"
	"cqrslab/lessons"
)

// Chapter two's step-through, drawn from fixed data (no lab): the start
// with each server's progress, the two primaries after the promotion, the
// moment B is acknowledged then gone, and the repair. tui_ha_e2e_test.go
// walks it on a real ha lab.

// haLessonApp is the test lesson plus chapter two's two pages from the
// binary's lesson, open on the first of them.
func haLessonApp(t *testing.T, w, h int) *App {
	t.Helper()
	fsys := testLesson(t).(fstest.MapFS)
	for _, name := range []string{"20-failover.md", "21-split-brain.md"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "assets", "lessons", name))
		if err != nil {
			t.Fatal(err)
		}
		fsys[lessons.PagesDir+"/"+name] = &fstest.MapFile{Data: b}
	}
	a := newTestAppWith(t, w, h, ui.Config{Theme: ui.ThemeDark, Lesson: fsys})
	pressKeys(t, a, "1")
	settle(t, a, a.learn.SetPage(a.learn.PageIndex("failover")))
	return a
}

var (
	haPostA = demo.Post{ID: "019b7a1e0000bbbb000a", AuthorID: "alice", AuthorName: "Alice", Title: "post A (before the partition)",
		PublishedAt: time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC)}
	haPostB = demo.Post{ID: "019b7a1e0000bbbb000b", AuthorID: "alice", AuthorName: "Alice", Title: "post B (to the cut-off primary)",
		PublishedAt: time.Date(2026, 1, 1, 11, 0, 5, 0, time.UTC)}
)

// haStageApp is the step-through at stage st with the data a real run
// would have read there.
func haStageApp(t *testing.T, w, h int, st learnscreen.HAStage) *App {
	a := haLessonApp(t, w, h)
	fakeLabUp(a)
	a.sh.Session.Info.Topology = lab.TopologyHA
	old, promoted, other := "10.213.7.2", "10.213.7.3", "10.213.7.4"
	hw := learnscreen.HAWalk{Stage: st, Gen: 1, A: demo.Result{Post: haPostA}, ATook: 3 * time.Millisecond,
		CutAt: fixedNow.Add(-1800 * time.Millisecond)}
	a.sh.Now = fixedNow
	both := []string{haPostA.ID, haPostB.ID}
	switch {
	case st <= learnscreen.HAWroteA:
		hw.View = demo.HAView{Primary: old, Nodes: []demo.HANode{{Addr: old, Role: "master", Has: both[:1]},
			{Addr: promoted, Role: "slave", Has: both[:1]}, {Addr: other, Role: "slave", Has: both[:1]}}}
		hw.Rows = demo.RowsSnapshot{Author: "alice", Rows: []demo.Post{haPostA}, Count: 1}
		hw.Feed = []demo.FeedItem{haPostA.Item()}
	case st <= learnscreen.HAHealing:
		hw.B, hw.BTook, hw.OldPrimary, hw.NewPrimary = demo.Result{Post: haPostB}, 2*time.Millisecond, old, promoted
		hw.View = demo.HAView{Primary: promoted, Nodes: []demo.HANode{{Addr: old, Role: "master", Has: both},
			{Addr: promoted, Role: "master", Has: both[:1]}, {Addr: other, Role: "slave", Has: both[:1]}}}
		hw.Rows = demo.RowsSnapshot{Author: "alice", Rows: []demo.Post{haPostB, haPostA}, Count: 2}
		hw.Feed = []demo.FeedItem{haPostA.Item()}
	default:
		hw.B, hw.BTook, hw.OldPrimary, hw.NewPrimary = demo.Result{Post: haPostB}, 2*time.Millisecond, old, promoted
		has := both[:1]
		hw.Feed = []demo.FeedItem{haPostA.Item()}
		if st == learnscreen.HARepaired {
			has = both
			hw.Feed = []demo.FeedItem{haPostB.Item(), haPostA.Item()}
			hw.Repair = demo.RepairReport{Before: demo.Drift{Rows: 2, Members: 1, Missing: 1},
				After: demo.Drift{Rows: 2, Members: 2}}
		}
		hw.View = demo.HAView{Primary: promoted, Nodes: []demo.HANode{{Addr: old, Role: "slave", Has: has},
			{Addr: promoted, Role: "master", Has: has}, {Addr: other, Role: "slave", Has: has}}}
		hw.Rows = demo.RowsSnapshot{Author: "alice", Rows: []demo.Post{haPostB, haPostA}, Count: 2}
	}
	a.learn.HA = hw
	a.layout()
	return a
}

func TestGoldenLearnHA(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {100, 30}} {
		for _, st := range []struct {
			name  string
			stage learnscreen.HAStage
		}{{"wrote-a", learnscreen.HAWroteA}, {"promoted", learnscreen.HAPromoted}, {"gone", learnscreen.HAGone}, {"repaired", learnscreen.HARepaired}} {
			t.Run(fmt.Sprintf("%s-%dx%d", st.name, size[0], size[1]), func(t *testing.T) {
				a := haStageApp(t, size[0], size[1], st.stage)
				out := a.render()
				fits(t, out, size[0], size[1])
				golden(t, fmt.Sprintf("learn-ha-%s-%dx%d-dark", st.name, size[0], size[1]), ansi.Strip(out))
			})
		}
	}
}

// The start: every server's line with its time, and how to cancel.
func TestGoldenLearnHAStarting(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {100, 30}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			a := haLessonApp(t, size[0], size[1])
			s := a.sh.Session
			s.Phase, s.Began, s.Provider = ui.LabStarting, fixedNow.Add(-6*time.Second), lab.Docker
			s.Progress(lab.Progress{Service: "postgres", Phase: lab.PhaseReady, Elapsed: 4200 * time.Millisecond})
			s.Progress(lab.Progress{Service: "redis", Phase: lab.PhaseWaiting, Detail: "replicas in sync, sentinels know each other",
				Elapsed: 5900 * time.Millisecond})
			a.learn.HA = learnscreen.HAWalk{Stage: learnscreen.HAStarting, Gen: 1}
			a.learn.SetStatus(ui.StatusInfo, "Starting the ha lab: PostgreSQL, a Redis primary, two replicas, three Sentinels (about 10 s). esc cancels.")
			a.layout()
			out := a.render()
			fits(t, out, size[0], size[1])
			wantIn(t, ansi.Strip(out), "postgres", "ready", "4s", "redis", "waiting", "esc", "leave")
			golden(t, fmt.Sprintf("learn-ha-starting-%dx%d-dark", size[0], size[1]), ansi.Strip(out))
		})
	}
}

// Every stage says its keys; esc leaves the step-through (staying on
// Learn), stops the lab and so every fault with it.
func TestLearnHAKeysAndEscStopsTheLab(t *testing.T) {
	want := map[learnscreen.HAStage]string{learnscreen.HAWroteA: "enter cut the primary off, write post B",
		learnscreen.HAPromoted: "enter heal the partition", learnscreen.HAGone: "r repair the feed",
		learnscreen.HARepaired: "esc leave (removes the ha lab)"}
	for st, keys := range want {
		a := haStageApp(t, 100, 30, st)
		out := plain(a)
		wantIn(t, out, keys, "esc leave (removes the ha lab)")
		if st == learnscreen.HAGone {
			wantIn(t, out, "ACKNOWLEDGED, THEN GONE", "CreatePost(B): success", "no error")
		}
	}
	a := haStageApp(t, 100, 30, learnscreen.HAGone)
	a.sh.Session.Faults = []lab.Fault{{Kind: lab.FaultRedisPartition}}
	page := plain(a)
	deliver(a, keypress("n"))
	if !a.learn.HAActive() {
		t.Fatal("n left the step-through")
	}
	wantIn(t, plain(a), "esc leaves it")
	_ = page
	deliver(a, keypress("esc"))
	if a.active != ui.ScreenLearn {
		t.Errorf("esc left Learn (screen %v): it should leave only the step-through", a.active)
	}
	if a.learn.HAActive() {
		t.Error("esc did not end the step-through")
	}
	if a.sh.Session.Phase != ui.LabStopping {
		t.Errorf("esc left the lab in phase %v, want stopping (its fault goes with it)", a.sh.Session.Phase)
	}
}

// On a chapter-two page with chapter one's lab up, enter first removes
// that lab, then starts one of topology ha once it is gone; esc during the
// start cancels it.
func TestLearnHASwitchesFromChapterOnesLab(t *testing.T) {
	a := haLessonApp(t, 100, 30)
	wantIn(t, plain(a), "enter start the ha lab", "step through a failover")
	fakeLabUp(a)
	deliver(a, keypress("enter"))
	if a.learn.HA.Stage != learnscreen.HASwitching || a.sh.Session.Phase != ui.LabStopping {
		t.Fatalf("enter with chapter one's lab up: stage %v, lab phase %v; want switching, stopping", a.learn.HA.Stage, a.sh.Session.Phase)
	}
	wantIn(t, plain(a), "Removing chapter one's lab")
	deliver(a, ui.LabClosedMsg{})
	if a.learn.HA.Stage != learnscreen.HAStarting || a.sh.Session.Phase != ui.LabStarting {
		t.Fatalf("after chapter one's lab closed: stage %v, lab phase %v; want starting", a.learn.HA.Stage, a.sh.Session.Phase)
	}
	wantIn(t, plain(a), "starting the ha lab", "esc leave")
	deliver(a, keypress("esc"))
	if a.learn.HAActive() || a.sh.Session.Phase != ui.LabStopping || a.active != ui.ScreenLearn {
		t.Errorf("esc during the start: active %v, lab phase %v, screen %v", a.learn.HAActive(), a.sh.Session.Phase, a.active)
	}
}
