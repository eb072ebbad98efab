package tui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/progress"
	"cqrslab/internal/tui/labscreen"
	"cqrslab/internal/tui/learnscreen"
	"cqrslab/internal/tui/ui"
)

// deliver delivers a message and drops the commands it returns: for tests
// whose commands would need a lab.
func deliver(a *App, msg tea.Msg) tea.Cmd {
	_, cmd := a.Update(msg)
	return cmd
}

func TestLearnPagesHintShowMeAndResume(t *testing.T) {
	a := newTestApp(t, 100, 30, ui.ThemeDark)
	pressKeys(t, a, "1")
	out := plain(a)
	wantIn(t, out, "Learn · page 1 of 13 · Why synchronous CQRS", "Live panels: they open when you run CreatePost",
		"enter start the lab and CreatePost", "→ read on", "← back", "i hint", "s show me")
	pressKeys(t, a, "n", "n")
	out = plain(a)
	wantIn(t, out, "page 3 of 13 · Step 2: the INSERT", "▶", "ExecContext")
	pressKeys(t, a, "G") // what the stores hold ends the page's text
	wantIn(t, plain(a), "PostgreSQL holds:", "The posts table has the new row", "■ end of page")
	pressKeys(t, a, "g")
	wantNotIn(t, out, "Hint:")
	pressKeys(t, a, "i", "s")
	wantIn(t, plain(a), "Hint: Pause the walk here", "Show me:")
	pressKeys(t, a, "left")
	wantIn(t, plain(a), "page 2 of 13")
	wantNotIn(t, plain(a), "Hint:")

	// The place is saved and a new app resumes there.
	b, err := os.ReadFile(filepath.Join(a.sh.Cfg.StateDir, progress.FileName))
	if err != nil {
		t.Fatalf("progress not saved: %v", err)
	}
	var p progress.Progress
	if err := json.Unmarshal(b, &p); err != nil || p.Lessons[ui.LessonID].Step != 1 || p.Lessons[ui.LessonID].Page != "validate" {
		t.Fatalf("saved progress %s (err %v), want page validate at step 1", b, err)
	}
	a2 := NewApp(ui.Config{Theme: ui.ThemeDark, NoAnimation: true, StateDir: a.sh.Cfg.StateDir, Lesson: testLesson(t)})
	send(t, a2, tea.WindowSizeMsg{Width: 100, Height: 30})
	settle(t, a2, ui.LoadAppProgress(a.sh.Cfg.StateDir))
	wantIn(t, plain(a2), "Learn  page 2 of 13: Step 1: validate the input")
	pressKeys(t, a2, "1")
	wantIn(t, plain(a2), "page 2 of 13")
}

func TestLearnScrollsLongText(t *testing.T) {
	a := newTestApp(t, 80, 24, ui.ThemeDark)
	pressKeys(t, a, "1")
	first := plain(a)
	wantIn(t, first, "space/↓ scroll", "▼ more below")
	pressKeys(t, a, "down", "down", "down")
	if plain(a) == first {
		t.Error("↓ did not scroll the page's text")
	}
}

func TestEnterStartsTheLabAndCtrlCCancelsIt(t *testing.T) {
	a := newTestApp(t, 100, 30, ui.ThemeDark)
	pressKeys(t, a, "1")
	if cmd := deliver(a, keypress("enter")); cmd == nil {
		t.Fatal("enter did not start the lab")
	}
	s := a.sh.Session
	if s.Phase != ui.LabStarting || !a.learn.PendingWalk {
		t.Fatalf("phase %v, pending walk %v", s.Phase, a.learn.PendingWalk)
	}
	deliver(a, ui.FrameMsg{At: fixedNow, Events: []any{ui.LabProgressMsg{P: labProgress("postgres", "pulling", "layers 1/3, 2.0/9.0 MB")}}})
	wantIn(t, plain(a), "Starting the lab", "postgres  pulling", "layers 1/3", "cancels and removes")
	// ctrl+c: the start is cancelled, the screen says the lab is going.
	if cmd := deliver(a, keypress("ctrl+c")); quits(cmd) {
		t.Fatal("ctrl+c quit before the lab was torn down")
	}
	if s.Ctx.Err() == nil {
		t.Error("the start's context was not cancelled")
	}
	wantIn(t, plain(a), "Stopping the lab")
	if cmd := deliver(a, keypress("q")); cmd != nil {
		t.Error("a second key while stopping did something")
	}
	cmd := deliver(a, ui.LabStartedMsg{Err: context.Canceled})
	if cmd == nil {
		t.Fatal("the end of the cancelled start did not lead on")
	}
	if !quits(func() tea.Msg { return deliver(a, cmd())() }) {
		t.Error("the app did not quit once the start had cleaned up")
	}
}

func TestLabFailureSaysWhyAndEnterRetries(t *testing.T) {
	a := newTestApp(t, 100, 30, ui.ThemeDark)
	pressKeys(t, a, "1")
	deliver(a, keypress("enter"))
	deliver(a, ui.LabStartedMsg{Err: errors.New("no infrastructure for the lab:\n  docker: no socket\n  local: no postgres")})
	out := plain(a)
	wantIn(t, out, "The lab could not start", "docker: no socket", "local: no postgres", "enter try the lab again")
	if cmd := deliver(a, keypress("enter")); cmd == nil || a.sh.Session.Phase != ui.LabStarting {
		t.Error("enter did not try again")
	}
	// The same failure again still changes the screen: it says which try.
	deliver(a, ui.LabStartedMsg{Err: errors.New("no infrastructure for the lab:\n  docker: no socket\n  local: no postgres")})
	wantIn(t, plain(a), "The lab could not start. (try 2, at ")
}

// walkApp is the Learn screen with a fake lab and a walk in progress.
func walkApp(t *testing.T) *App {
	a := newTestApp(t, 100, 30, ui.ThemeDark)
	pressKeys(t, a, "1")
	fakeLabUp(a)
	a.learn.Svc = demo.NewPostService(nil, nil, demo.Options{})
	a.learn.Walk = &learnscreen.Walk{Id: 7, Stepper: demo.NewStepper(), Ch: make(chan tea.Msg, 24), Title: "T", Cancel: func() {}}
	return a
}

func TestWalkFollowsTheStepsToTheFailurePage(t *testing.T) {
	a := walkApp(t)
	l := a.learn
	deliver(a, learnscreen.WalkPausedMsg{Id: 7, Step: demo.StepValidate})
	settle(t, a, l.WantMarkdown())
	out := plain(a)
	wantIn(t, out, "Step 1: validate the input", "paused before validate", "enter run validate", "f break Redis")
	if deliver(a, keypress("enter")) == nil || l.Walk.Waiting != "" || l.Walk.Running != demo.StepValidate {
		t.Fatalf("enter did not release validate: %+v", l.Walk)
	}
	wantIn(t, plain(a), "Running validate")
	deliver(a, learnscreen.WalkStepMsg{Id: 7, Ev: demo.Event{Step: demo.StepValidate, Duration: time.Millisecond}})
	deliver(a, learnscreen.WalkPausedMsg{Id: 7, Step: demo.StepInsert})
	deliver(a, learnscreen.WalkStepMsg{Id: 7, Ev: demo.Event{PostID: "p1", Step: demo.StepInsert, Duration: 2 * time.Millisecond}})
	wantIn(t, plain(a), "Step 2: the INSERT", "postgres.insert done in 2.00ms")
	// A message from another walk changes nothing.
	deliver(a, learnscreen.WalkStepMsg{Id: 6, Ev: demo.Event{Step: demo.StepDone}})
	wantIn(t, plain(a), "Step 2: the INSERT")
	deliver(a, learnscreen.WalkStepMsg{Id: 7, Ev: demo.Event{PostID: "p1", Step: demo.StepZAdd, Duration: time.Second,
		Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")}})
	wantIn(t, plain(a), "When the ZADD fails", "redis.zadd failed after 1.0s: connection refused")
	deliver(a, learnscreen.WalkDoneMsg{Id: 7, Res: demo.Result{ProjectionErr: errors.New("refused")}})
	wantIn(t, plain(a), "The stale feed", "the feed is stale", "enter run CreatePost step by step")
}

func TestPanelsShowLiveDataAndTheVerdict(t *testing.T) {
	a := walkApp(t)
	l := a.learn
	l.Walk.PostID, l.Walk.Title = postNew.ID, postNew.Title
	deliver(a, learnscreen.LearnStoresMsg{Snap: ui.StoreSnapshot{Author: "alice", Rows: []demo.Post{postNew, postOld}, RowCount: 2,
		Members: []demo.FeedMember{{Score: 1, Item: postOld.Item(), OK: true}}, Zcard: 1}})
	deliver(a, learnscreen.LearnFeedMsg{FeedResult: ui.FeedResult{Author: "alice", Feed: []demo.FeedItem{postOld.Item()}}})
	out := plain(a)
	wantIn(t, out, "PostgreSQL · 2 posts", "Redis · ZRANGE feed:alice · 1", `GetFeed("alice") · 1 item`,
		"in PostgreSQL, not in Redis yet", "✗ Hello from step-through #1")
	deliver(a, learnscreen.LearnStoresMsg{Snap: ui.StoreSnapshot{Author: "alice", Rows: []demo.Post{postNew, postOld}, RowCount: 2,
		Members: []demo.FeedMember{{Score: 2, Item: postNew.Item(), OK: true}, {Score: 1, Item: postOld.Item(), OK: true}}, Zcard: 2}})
	wantIn(t, plain(a), "in PostgreSQL and in Redis")
	// Redis unreadable: said so, not taken for "not in Redis".
	deliver(a, learnscreen.LearnStoresMsg{Snap: ui.StoreSnapshot{Author: "alice", Rows: []demo.Post{postNew}, RowCount: 1,
		RedisErr: errors.New("dial tcp: connection refused")}})
	wantIn(t, plain(a), "Redis cannot be read right now", "✗ dial tcp: connection refused")
}

func TestHostileTitlesAreShownNotObeyed(t *testing.T) {
	a := walkApp(t)
	evil := demo.Post{ID: "x1", AuthorID: "alice", Title: "a\x1b]2;owned\x07\x1b[2J\u202eb"}
	deliver(a, learnscreen.LearnStoresMsg{Snap: ui.StoreSnapshot{Author: "alice", Rows: []demo.Post{evil}, RowCount: 1,
		Members: []demo.FeedMember{{Raw: "\x1b[31mnot json", OK: false}}, Zcard: 1}})
	deliver(a, learnscreen.LearnFeedMsg{FeedResult: ui.FeedResult{Author: "alice", Feed: []demo.FeedItem{{PostID: "x1", Title: evil.Title}}}})
	out := a.render()
	for _, bad := range []string{"\x1b]2;", "\x1b[2J", "\u202e", "\x1b[31mnot"} {
		if strings.Contains(out, bad) {
			t.Errorf("the screen carries %q from a title", bad)
		}
	}
	wantIn(t, plain(a), `a\x1b]2;owned\x07\x1b[2J\u202`, `\x1b[31mnot json`)
}

func TestBreakMendRepairNeedTheLab(t *testing.T) {
	a := newTestApp(t, 100, 30, ui.ThemeDark)
	pressKeys(t, a, "1", "f")
	wantIn(t, plain(a), "Start the lab first")
	wantNotIn(t, plain(a), "f break Redis")
}

func labProgress(service, phase, detail string) lab.Progress {
	return lab.Progress{Service: service, Phase: lab.Phase(phase), Detail: detail, Elapsed: 2 * time.Second}
}

// A reply travels by its type to the screen that asked: a heal or a repair
// the Lab screen asked for leaves the Learn screen's status and busy flags
// alone, and the Learn screen's own reply reaches it.
func TestRepliesReachOnlyTheScreenThatAsked(t *testing.T) {
	a := newTestApp(t, 100, 30, ui.ThemeDark)
	pressKeys(t, a, "1")
	a.learn.SetStatus(ui.StatusInfo, "reading page one")
	a.learn.FaultBusy, a.learn.RepairBusy = true, true
	deliver(a, labscreen.LabFaultMsg{FaultResult: ui.FaultResult{What: "heal"}})
	deliver(a, labscreen.LabRepairMsg{RepairResult: ui.RepairResult{}})
	if a.learn.Status != "reading page one" || !a.learn.FaultBusy || !a.learn.RepairBusy {
		t.Fatalf("the Lab's replies changed the Learn screen: status %q, fault busy %v, repair busy %v",
			a.learn.Status, a.learn.FaultBusy, a.learn.RepairBusy)
	}
	if a.labs.LastRepair == nil {
		t.Fatal("the Lab's repair did not reach the Lab screen")
	}
	labRepair, labStatus := a.labs.LastRepair, a.labs.Status
	a.labs.FaultBusy = true
	deliver(a, learnscreen.LearnFaultMsg{FaultResult: ui.FaultResult{What: "heal"}})
	if a.learn.FaultBusy || !strings.Contains(a.learn.Status, "Redis is back") {
		t.Errorf("the Learn screen's own heal did not reach it: %q", a.learn.Status)
	}
	deliver(a, learnscreen.LearnRepairMsg{RepairResult: ui.RepairResult{}})
	if a.learn.RepairBusy || !strings.Contains(a.learn.Status, "Reconciler") {
		t.Errorf("the Learn screen's own repair did not reach it: %q", a.learn.Status)
	}
	if a.labs.LastRepair != labRepair || a.labs.Status != labStatus || !a.labs.FaultBusy {
		t.Error("the Learn screen's replies reached the Lab screen")
	}
}

// A progress file as the version before page IDs wrote it (the Learn
// place as an index) loads: the app resumes on that page and saves the
// page's ID once, so the next start finds it by ID.
func TestLearnResumesFromAnIndexBookmarkAndMigratesIt(t *testing.T) {
	dir := t.TempDir()
	old := `{"version":1,"lessons":{"sync-cqrs":{"step":2,"updatedAt":"2026-01-02T03:04:05Z"}},"quiz":{}}`
	if err := os.WriteFile(filepath.Join(dir, progress.FileName), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	a := NewApp(ui.Config{Theme: ui.ThemeDark, NoAnimation: true, StateDir: dir, Lesson: testLesson(t)})
	send(t, a, tea.WindowSizeMsg{Width: 100, Height: 30})
	send(t, a, ui.LoadAppProgress(dir)())
	wantIn(t, plain(a), "Learn  page 3 of 13: Step 2: the INSERT")
	_, p, _ := progress.Open(dir)
	if l := p.Lessons[ui.LessonID]; l.Page != "insert" || l.Step != 2 {
		t.Errorf("the bookmark on disk after the start: %+v, want page insert", l)
	}
	pressKeys(t, a, "1")
	wantIn(t, plain(a), "page 3 of 13 · Step 2: the INSERT")
}

// → reads on: it scrolls while the page has more below (the marker says
// so), and turns the page only at the page's end; ← does the same
// backwards; n turns the page from anywhere.
func TestLearnRightScrollsThenTurnsThePage(t *testing.T) {
	a := newTestApp(t, 80, 24, ui.ThemeDark)
	pressKeys(t, a, "1")
	wantIn(t, plain(a), "page 1 of 13", "▼ more below")
	pressKeys(t, a, "right")
	out := plain(a)
	wantIn(t, out, "page 1 of 13")
	for i := 0; strings.Contains(out, "▼ more below"); i++ {
		if i > 20 {
			t.Fatal("→ never reached the end of page 1")
		}
		pressKeys(t, a, "right")
		out = plain(a)
		wantIn(t, out, "page 1 of 13")
	}
	wantIn(t, out, "■ end of page · → next: Step 1: validate the input")
	pressKeys(t, a, "right")
	wantIn(t, plain(a), "page 2 of 13")
	pressKeys(t, a, "space", "left") // one screen down, then back to the top: same page
	wantIn(t, plain(a), "page 2 of 13")
	pressKeys(t, a, "left") // at the top: the previous page
	wantIn(t, plain(a), "page 1 of 13")
	pressKeys(t, a, "n")
	wantIn(t, plain(a), "page 2 of 13")

	send(t, a, keypress("?"))
	wantIn(t, plain(a), "read on: a screen down; at the page's end, the next page", "a screen down / up (also pgdn / pgup)",
		"top / end of the page (also home / end)")
}

// The page's markdown is rendered: headings without their hashes, inline
// code without its backticks, "show me" included.
func TestLearnRendersMarkdown(t *testing.T) {
	a := newTestApp(t, 100, 30, ui.ThemeDark)
	pressKeys(t, a, "1", "n", "n", "s")
	var all strings.Builder
	for i := 0; i < 10; i++ {
		all.WriteString(plain(a))
		pressKeys(t, a, "space")
	}
	out := all.String()
	wantIn(t, out, "What the engine adds", "Show me:", "cqrslab feed --author alice --sql")
	wantNotIn(t, out, "### ", "`", "**")
}

// y copies the connection commands (OSC 52) and saves them to a private
// file in the state directory, whose path the screen names: a terminal
// that ignores OSC 52 says nothing, the file is always there.
func TestLearnCopiesConnectionCommands(t *testing.T) {
	a := newTestApp(t, 100, 30, ui.ThemeDark)
	pressKeys(t, a, "1")
	fakeLabUp(a)
	cmd := deliver(a, keypress("y"))
	if cmd == nil {
		t.Fatal("y returned no clipboard command")
	}
	path := filepath.Join(a.sh.Cfg.StateDir, ui.ConnectFile)
	wantIn(t, plain(a), "Saved in "+path) // whole on one line: a path is copied too
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v: it holds passwords, want 0600", path, fi.Mode().Perm())
	}
	for _, want := range []string{"PGPASSWORD=pw psql -h 127.0.0.1 -p 55432 -U cqrslab cqrslab\n",
		"REDISCLI_AUTH=pw redis-cli -h 127.0.0.1 -p 56379\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %q:\n%s", path, want, b)
		}
	}
}

// At 80×24 a failed start has three lines where the panels go: the Docker
// error a newcomer without images gets is longer, and was cut before its
// fix under a status saying "see above". The page where it failed says
// where the whole message is; the next page gets its text back and says it
// in the folded panels' line.
func TestLabFailureAtEightyColumnsSaysWhereTheFixIs(t *testing.T) {
	a := newTestApp(t, 80, 24, ui.ThemeDark)
	pressKeys(t, a, "1")
	deliver(a, keypress("enter"))
	deliver(a, ui.LabStartedMsg{Err: fmt.Errorf("%w: the lab needs the images postgres:17-alpine and redis:7-alpine, "+
		"not on this machine and not pullable (API error (500): Get \"https://registry-1.docker.io/v2/\": dial tcp: "+
		"lookup registry-1.docker.io on 10.0.2.3:53: no such host); no offline images are here either.\n%s",
		lab.ErrImageUnavailable, lab.ImagesFix)})
	out := plain(a)
	fits(t, out, 80, 24)
	wantIn(t, out, "The lab could not start: image unavailable", "The Lab screen (esc, then 2) shows why and the fix")
	wantNotIn(t, out, "see above")
	for range 40 {
		if strings.Contains(plain(a), "page 2 of") {
			break
		}
		pressKeys(t, a, "right")
	}
	out = plain(a)
	wantIn(t, out, "page 2 of", "lab failed", "── The lab could not start · esc, then 2 shows why and the fix ──",
		"▼ more below")
	wantNotIn(t, out, "registry-1.docker.io", "see above")
	fits(t, out, 80, 24)
	pressKeys(t, a, "esc", "2")
	wantIn(t, plain(a), "cqrslab prepare --load FILE")
}

// While a page is still rendering, → waits: there is no end of it to be at
// yet, and turning on would skip a page never shown. The marker says it is
// rendering, not "end of page".
func TestForwardWaitsForThePageToRender(t *testing.T) {
	a := newTestApp(t, 100, 30, ui.ThemeDark)
	pressKeys(t, a, "1")
	var render tea.Cmd
	for range 40 {
		if strings.Contains(plain(a), "page 2 of") {
			break
		}
		render = deliver(a, keypress("right")) // not settled: the render stays pending
	}
	out := plain(a)
	wantIn(t, out, "page 2 of", "rendering the page")
	wantNotIn(t, out, "end of page")
	deliver(a, keypress("right"))
	wantIn(t, plain(a), "page 2 of")
	settle(t, a, render)
	wantNotIn(t, plain(a), "rendering the page")
	pressKeys(t, a, "right")
	wantIn(t, plain(a), "page 2 of") // page 2 is long: → scrolls it first
}
