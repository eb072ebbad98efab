package tui

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"cqrslab/demo/lab"
	"cqrslab/internal/tui/ui"
	"cqrslab/lessons"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixedNow is the clock of every test app, so elapsed times are stable.
var fixedNow = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// newTestApp builds the app as the program would, at w×h, with a theme,
// no animation, no colour unless asked, and progress in a temporary state
// directory; the first page's text is rendered before it returns.
func newTestApp(t testing.TB, w, h int, theme ui.Theme) *App {
	t.Helper()
	return newTestAppWith(t, w, h, ui.Config{Theme: theme})
}

// newTestAppWith is newTestApp with more of the config chosen (Roomy).
func newTestAppWith(t testing.TB, w, h int, cfg ui.Config) *App {
	t.Helper()
	return newTestAppIn(t, t.TempDir(), w, h, cfg)
}

// newTestAppIn is newTestAppWith on a given state directory: a second
// session of the same learner.
func newTestAppIn(t testing.TB, dir string, w, h int, cfg ui.Config) *App {
	t.Helper()
	t.Setenv("CQRSLAB_STATE_DIR", dir)
	// A provider that does not exist: a key that would start the lab gets
	// an error at once instead of starting containers from a unit test.
	cfg.NoAnimation, cfg.StateDir, cfg.Lab = true, dir, lab.Options{Provider: "none-in-unit-tests"}
	if cfg.Lesson == nil {
		cfg.Lesson = testLesson(t)
	}
	a := NewApp(cfg)
	a.noColor = false
	a.restyle()
	a.sh.Now = fixedNow
	send(t, a, tea.WindowSizeMsg{Width: w, Height: h})
	send(t, a, ui.LoadAppProgress(dir)()) // read now: settle would give up on a slow disk
	return a
}

// testLesson is the fixed lesson every app in these tests shows: the
// pages in testdata/lesson (a frozen copy of the lesson as it was when the
// goldens were drawn) with the seed code from the binary, which the code
// view reads. A page added to or edited in assets/lessons changes no test
// here; the lessons package checks the real content.
func testLesson(t testing.TB) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	files, err := filepath.Glob(filepath.Join("testdata", "lesson", "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test lesson in testdata/lesson: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m[lessons.PagesDir+"/"+filepath.Base(f)] = &fstest.MapFile{Data: b}
	}
	m[lessons.SeedFile] = &fstest.MapFile{Data: []byte(lessons.SeedCode())}
	return m
}

// testPages is how many pages the test lesson has.
func testPages(t testing.TB) int {
	t.Helper()
	pages, err := lessons.Load(testLesson(t))
	if err != nil {
		t.Fatal(err)
	}
	return len(pages)
}

// send delivers one message and runs the commands it returns, feeding their
// messages back, the way the runtime would.
func send(t testing.TB, a *App, msg tea.Msg) {
	t.Helper()
	_, cmd := a.Update(msg)
	settle(t, a, cmd)
}

// settle runs cmd and everything it leads to. Commands that wait (a frame
// tick, a walk's listener) are given settlePatience and otherwise left
// alone, so a test never hangs on them; a frame tick runs once and then
// no more are scheduled (see the FrameMsg case).
// settlePatience is how long settle waits for one command. It was 300 ms,
// and at load 22 (CI's race stage with three packages at a time) a Learn
// page's render took longer: the command was dropped, the page stayed blank
// and two tests failed on an empty page. A quiet run of the whole package
// with a lab hits this wait zero times (counted on 2026-11-30), so a longer
// one costs nothing there and only waits where a render is really slow.
const settlePatience = 2 * time.Second

func settle(t testing.TB, a *App, cmd tea.Cmd) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0 && steps < 200; steps++ {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		done := make(chan tea.Msg, 1)
		go func() { done <- c() }()
		var msg tea.Msg
		select {
		case msg = <-done:
		case <-time.After(settlePatience):
			continue
		}
		switch m := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, m...)
		case ui.FrameMsg:
			// The frame loop keeps itself going while the lab is up;
			// tests drive frames by hand with sendFrame. The app is left
			// believing a frame is scheduled, so it schedules no more:
			// with ticking reset here, every later key sent a frame tick
			// that settle waited out (one frame, 67 ms: 40 keys of the
			// full-help test were 2.7 s of its 3.1 s, the CPU idle).
			a.ticking = true
		default:
			if !strings.HasPrefix(reflect.TypeOf(msg).PkgPath(), "cqrslab/internal/tui") {
				continue // the runtime's own messages (background colour requests and the like)
			}
			_, next := a.Update(msg)
			queue = append(queue, next)
		}
	}
}

// sendFrame delivers one frame with the given events.
func sendFrame(t *testing.T, a *App, events ...any) {
	t.Helper()
	_, cmd := a.Update(ui.FrameMsg{At: a.sh.Now, Events: events})
	settle(t, a, cmd)
}

// keypress is the message for a key name ("enter", "ctrl+c", "left", "q").
func keypress(name string) tea.KeyPressMsg {
	special := map[string]tea.KeyPressMsg{
		"enter":     {Code: tea.KeyEnter},
		"esc":       {Code: tea.KeyEscape},
		"tab":       {Code: tea.KeyTab},
		"up":        {Code: tea.KeyUp},
		"down":      {Code: tea.KeyDown},
		"left":      {Code: tea.KeyLeft},
		"right":     {Code: tea.KeyRight},
		"pgdown":    {Code: tea.KeyPgDown},
		"pgup":      {Code: tea.KeyPgUp},
		"home":      {Code: tea.KeyHome},
		"end":       {Code: tea.KeyEnd},
		"space":     {Code: tea.KeySpace, Text: " "},
		"ctrl+c":    {Code: 'c', Mod: tea.ModCtrl},
		"ctrl+s":    {Code: 's', Mod: tea.ModCtrl},
		"ctrl+r":    {Code: 'r', Mod: tea.ModCtrl},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
	}
	if k, ok := special[name]; ok {
		return k
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}

// pressKeys sends keys one by one, running their commands.
func pressKeys(t *testing.T, a *App, keys ...string) {
	t.Helper()
	for _, k := range keys {
		send(t, a, keypress(k))
	}
}

// quits reports whether cmd (run now) ends the program.
func quits(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

// plain is the screen without colour.
func plain(a *App) string { return ansi.Strip(a.render()) }

func wantIn(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("screen lacks %q:\n%s", w, out)
		}
	}
}

func wantNotIn(t *testing.T, out string, nots ...string) {
	t.Helper()
	for _, w := range nots {
		if strings.Contains(out, w) {
			t.Errorf("screen has %q but should not:\n%s", w, out)
		}
	}
}

// fits checks that a screen is no larger than w×h.
func fits(t *testing.T, out string, w, h int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) > h {
		t.Errorf("screen is %d lines, taller than %d:\n%s", len(lines), h, out)
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			t.Errorf("line %d is %d wide, more than %d: %q", i+1, ansi.StringWidth(l), w, l)
		}
	}
}

// golden compares got with testdata/name.golden (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no golden file %s (run go test -run %s -update): %v", path, t.Name(), err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run with -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
