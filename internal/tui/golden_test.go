package tui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/tui/labscreen"
	"cqrslab/internal/tui/learnscreen"
	"cqrslab/internal/tui/quizscreen"
	"cqrslab/internal/tui/ui"
)

// The golden files hold every screen at 80×24 and 120×40, on a dark and a
// light background, with the ANSI codes stripped (the layout and the words
// are the point); one file per screen keeps the colours, for the code's
// syntax highlighting. Screens that show the lab are built with fixed data,
// no lab: a golden test must not depend on a container's port.

var goldenSizes = [][2]int{{80, 24}, {120, 40}}

var goldenThemes = []ui.Theme{ui.ThemeDark, ui.ThemeLight}

func forEachGolden(t *testing.T, name string, build func(t *testing.T, w, h int, th ui.Theme) *App) {
	for _, size := range goldenSizes {
		for _, th := range goldenThemes {
			t.Run(fmt.Sprintf("%dx%d-%s", size[0], size[1], th), func(t *testing.T) {
				a := build(t, size[0], size[1], th)
				out := a.render()
				fits(t, out, size[0], size[1])
				golden(t, fmt.Sprintf("%s-%dx%d-%s", name, size[0], size[1], th), ansi.Strip(out))
			})
		}
	}
}

func TestGoldenHome(t *testing.T) {
	forEachGolden(t, "home", func(t *testing.T, w, h int, th ui.Theme) *App {
		return newTestApp(t, w, h, th)
	})
}

func TestGoldenTooSmall(t *testing.T) {
	a := newTestApp(t, 80, 24, ui.ThemeDark)
	pressKeys(t, a, "1")
	send(t, a, tea.WindowSizeMsg{Width: 70, Height: 20})
	golden(t, "toosmall-70x20", ansi.Strip(a.render()))
}

// TestGoldenLearnReading is a page read without the lab: the panels say what
// the lesson says each store holds.
func TestGoldenLearnReading(t *testing.T) {
	forEachGolden(t, "learn-reading", func(t *testing.T, w, h int, th ui.Theme) *App {
		a := newTestApp(t, w, h, th)
		pressKeys(t, a, "1", "n", "n", "i")
		return a
	})
}

// TestGoldenLearnLive is the moment the lesson is about: the INSERT has
// committed, the walk is paused before the next step, the post is in
// PostgreSQL and not in Redis.
func TestGoldenLearnLive(t *testing.T) {
	forEachGolden(t, "learn-live", func(t *testing.T, w, h int, th ui.Theme) *App {
		return learnLiveApp(t, w, h, th)
	})
}

func TestGoldenLearnLiveColour(t *testing.T) {
	a := learnLiveApp(t, 80, 24, ui.ThemeDark)
	golden(t, "learn-live-80x24-dark-colour", a.render())
}

// fakeLabUp makes the app believe a lab is up, with fixed connection data.
func fakeLabUp(a *App) {
	s := a.sh.Session
	s.Phase = ui.LabUp
	s.Ctx, s.Cancel = context.WithCancel(context.Background())
	s.Info = lab.Info{RunID: "run1", Provider: lab.Docker,
		Postgres: lab.PostgresInfo{Host: "127.0.0.1", Port: 55432, User: "cqrslab", Password: "pw", Database: "cqrslab"},
		Redis:    lab.RedisInfo{Addr: "127.0.0.1:56379", Password: "pw"}}
}

var (
	postOld = demo.Post{ID: "019b7a1e0000aaaa0001", AuthorID: "alice", AuthorName: "Alice", Title: "First post",
		PublishedAt: time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC)}
	postNew = demo.Post{ID: "019b7a1e0000aaaa0002", AuthorID: "alice", AuthorName: "Alice", Title: "Hello from step-through #1",
		PublishedAt: time.Date(2026, 1, 1, 11, 59, 0, 0, time.UTC)}
)

func learnLiveApp(t *testing.T, w, h int, th ui.Theme) *App {
	a := newTestApp(t, w, h, th)
	pressKeys(t, a, "1")
	fakeLabUp(a)
	l := a.learn
	l.Walk = &learnscreen.Walk{Id: 1, Title: postNew.Title, PostID: postNew.ID, Waiting: demo.StepEncode,
		Events: []demo.Event{{Step: demo.StepValidate, Duration: 80 * time.Microsecond},
			{PostID: postNew.ID, Step: demo.StepInsert, Duration: 3 * time.Millisecond}}}
	l.Snap = &ui.StoreSnapshot{Author: "alice", Rows: []demo.Post{postNew, postOld}, RowCount: 2,
		Members: []demo.FeedMember{{Score: postOld.PublishedAt.UnixMilli(), Item: postOld.Item(), OK: true}}, Zcard: 1,
		Feed: []demo.FeedItem{postOld.Item()}}
	l.SetStatus(ui.StatusGood, "postgres.insert done in 3.00ms. Paused before encode: enter runs it.")
	settle(t, a, l.SetPage(l.PageIndex("insert")))
	a.layout()
	return a
}

// TestGoldenLabStarting is the start of the lab, one server ready, one
// pulling.
func TestGoldenLabStarting(t *testing.T) {
	forEachGolden(t, "lab-starting", func(t *testing.T, w, h int, th ui.Theme) *App {
		a := newTestApp(t, w, h, th)
		a.active = ui.ScreenLab
		s := a.sh.Session
		s.Phase, s.Provider, s.Began = ui.LabStarting, lab.Docker, fixedNow.Add(-7*time.Second)
		s.Progress(lab.Progress{Service: "postgres", Phase: lab.PhasePulling, Detail: "layers 3/7, 41.2/102.5 MB", Elapsed: 6 * time.Second})
		s.Progress(lab.Progress{Service: "redis", Phase: lab.PhaseReady, Detail: "127.0.0.1:56379", Elapsed: 2 * time.Second})
		a.layout()
		return a
	})
}

// TestGoldenLab is the Lab screen with fixed data: a stale feed (one post
// missing from Redis), Redis down, a load running, warnings in the log.
func TestGoldenLab(t *testing.T) {
	forEachGolden(t, "lab", func(t *testing.T, w, h int, th ui.Theme) *App {
		return labFixedApp(t, w, h, th)
	})
}

func labFixedApp(t testing.TB, w, h int, th ui.Theme) *App {
	a := newTestApp(t, w, h, th)
	fakeLabUp(a)
	a.active = ui.ScreenLab
	m := a.labs
	m.Svc = demo.NewPostService(nil, nil, demo.Options{})
	a.sh.Session.Faults = []lab.Fault{{Kind: lab.FaultDown, Target: lab.TargetRedis, Since: fixedNow.Add(-12 * time.Second)}}
	m.Unavailable = map[lab.FaultKind]string{lab.FaultPause: "fault unavailable: the cgroup freezer is missing"}
	m.Refresh = &labscreen.LabRefreshMsg{
		Snap: ui.StoreSnapshot{Author: "alice", Rows: []demo.Post{postNew, postOld}, RowCount: 2,
			Members: []demo.FeedMember{{Score: postOld.PublishedAt.UnixMilli(), Item: postOld.Item(), OK: true}}, Zcard: 1,
			FeedErr: errors.New("redis: read feed: dial tcp 127.0.0.1:56379: connect: connection refused")},
		Drift: demo.AuthorDrift{Author: "alice", Rows: 2, Members: 1, Missing: 1},
	}
	for i, d := range []time.Duration{2 * time.Millisecond, 5 * time.Millisecond, 1800 * time.Millisecond} {
		id := fmt.Sprintf("load1-%d", i)
		m.Trace.Add(demo.Event{PostID: id, AuthorID: "bob", Step: demo.StepValidate, Duration: 40 * time.Microsecond})
		m.Trace.Add(demo.Event{PostID: id, AuthorID: "bob", Step: demo.StepInsert, Duration: d})
		m.Trace.Add(demo.Event{PostID: id, AuthorID: "bob", Step: demo.StepEncode, Duration: 10 * time.Microsecond})
		var err error
		if i == 2 {
			err = errors.New("connection refused")
		}
		m.Trace.Add(demo.Event{PostID: id, AuthorID: "bob", Step: demo.StepZAdd, Duration: d / 2, Err: err})
		m.Trace.Add(demo.Event{PostID: id, AuthorID: "bob", Step: demo.StepDone})
	}
	// Writes another client made, found in the stores (psql, a second cqrslab).
	m.Trace.AddExternal(labscreen.ExternalWrite{PostID: "psql-1", Author: "alice", Row: true})
	m.Trace.AddExternal(labscreen.ExternalWrite{PostID: "cli-7", Author: "carol", Row: true, Member: true})
	m.Logs = []ui.LogMsg{{At: fixedNow, Level: slog.LevelWarn,
		Text: "redis projection update failed; the post is committed and the feed is stale post=load1-2 author=bob err=dial tcp 127.0.0.1:56379: connect: connection refused"}}
	m.LogTotal = 1
	m.Load = &labscreen.LoadState{Id: 1, Rate: 500, Started: fixedNow.Add(-20 * time.Second), Running: true, Cancel: func() {}}
	for i := range 20 {
		m.Load.Ticks = append(m.Load.Ticks, demo.Tick{Second: i + 1, Started: 500, Completed: 499,
			P50Ms: 1.2, P99Ms: 3 + float64(i%7), InFlight: 3, PoolTotal: 10, PoolIdle: 8, PoolHits: 499})
	}
	m.Pane = labscreen.PaneStores
	a.layout()
	return a
}

// TestGoldenLabPanes shows each pane of the tabbed layout at 80×24.
func TestGoldenLabPanes(t *testing.T) {
	for i, name := range labscreen.PaneNames {
		a := labFixedApp(t, 80, 24, ui.ThemeDark)
		a.labs.Pane = labscreen.LabPane(i)
		golden(t, "lab-pane-"+name, ansi.Strip(a.render()))
	}
}

// quizApp opens the quiz from Home with the cursor held still (a blinking
// cursor would make every other render differ).
func quizApp(t *testing.T, w, h int, th ui.Theme) *App {
	a := newTestApp(t, w, h, th)
	openQuiz(t, a)
	ts := a.quiz.Ta.Styles()
	ts.Cursor.Blink = false
	a.quiz.Ta.SetStyles(ts)
	a.layout()
	return a
}

// TestGoldenQuiz is the first question, nothing answered yet.
func TestGoldenQuiz(t *testing.T) {
	forEachGolden(t, "quiz", quizApp)
}

// TestGoldenQuizFeedback is the grader's answer to a list of terms: not
// passed, with hints and not the model answer.
func TestGoldenQuizFeedback(t *testing.T) {
	forEachGolden(t, "quiz-feedback", func(t *testing.T, w, h int, th ui.Theme) *App {
		a := quizApp(t, w, h, th)
		send(t, a, tea.PasteMsg{Content: "Postgres, Redis, source of truth, projection, stale"})
		send(t, a, keypress("ctrl+s"))
		if a.quiz.Mode != quizscreen.ModeFeedback {
			t.Fatalf("ctrl+s did not grade the answer (mode %v)", a.quiz.Mode)
		}
		return a
	})
}

// TestGoldenRoomy is the projector layout: the same Learn page inside a
// margin on every side, with a blank line above the keys.
func TestGoldenRoomy(t *testing.T) {
	a := newTestAppWith(t, 100, 30, ui.Config{Theme: ui.ThemeDark, Roomy: true})
	pressKeys(t, a, "1")
	out := ansi.Strip(a.frame(a.render()))
	fits(t, out, 100, 30)
	lines := strings.Split(out, "\n")
	if strings.TrimSpace(lines[0]) != "" {
		t.Errorf("the first line should be the top margin, is %q", lines[0])
	}
	for i, l := range lines[1:] {
		if l != "" && !strings.HasPrefix(l, "   ") {
			t.Errorf("line %d does not start with the left margin: %q", i+2, l)
		}
	}
	golden(t, "roomy-learn-100x30-dark", out)

	// 80×24 is too small once the margins are taken; the screen says what
	// is needed and that dropping --roomy is the other way.
	send(t, a, tea.WindowSizeMsg{Width: 80, Height: 24})
	wantIn(t, plain(a), "at least 86×26", "it is 80×24", "without --roomy, 80×24")
}

// TestGoldenLearnHighContrastColour is the projector setup (--roomy --theme
// high-contrast) on a page with marked code, colours kept: the code's
// colours on the highlight are the ones TestThemeContrast checks.
func TestGoldenLearnHighContrastColour(t *testing.T) {
	a := newTestAppWith(t, 100, 30, ui.Config{Theme: ui.ThemeHighContrast, Roomy: true})
	pressKeys(t, a, "1", "n", "n")
	out := a.frame(a.render())
	fits(t, ansi.Strip(out), 100, 30)
	golden(t, "learn-highcontrast-roomy-100x30-colour", out)
}
