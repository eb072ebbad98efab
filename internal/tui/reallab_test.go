package tui

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"cqrslab/demo/lab"
	"cqrslab/internal/labtest"
	"cqrslab/internal/tui/ui"
)

// driver runs the app the way the Bubble Tea runtime does (commands on
// goroutines, their messages back into Update one at a time, frames
// included) without a terminal, so a test can drive the real lab through
// the screens and look at what a learner would see.
type driver struct {
	t    *testing.T
	a    *App
	msgs chan tea.Msg
	quit bool
}

func newDriver(t *testing.T, a *App) *driver {
	d := &driver{t: t, a: a, msgs: make(chan tea.Msg, 1024)}
	d.run(a.Init())
	return d
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				d.run(c)
			}
			return
		}
		if msg != nil {
			d.msgs <- msg
		}
	}()
}

func (d *driver) send(msg tea.Msg) {
	if _, ok := msg.(tea.QuitMsg); ok {
		d.quit = true
		return
	}
	_, cmd := d.a.Update(msg)
	d.run(cmd)
}

// press sends keys as a learner types them: after each, the messages it
// causes are handled before the next key (a key that opens a screen has
// done so before the next one arrives).
func (d *driver) press(keys ...string) {
	for _, k := range keys {
		d.send(keypress(k))
		d.idle(100 * time.Millisecond)
	}
}

// idle handles messages until none but frames (which come every 66ms
// while the lab is up) has come for quiet, or for a second at most.
func (d *driver) idle(quiet time.Duration) {
	last, stop := time.Now(), time.Now().Add(time.Second)
	for time.Since(last) < quiet && time.Now().Before(stop) {
		select {
		case msg := <-d.msgs:
			d.send(msg)
			if _, frame := msg.(ui.FrameMsg); !frame {
				last = time.Now()
			}
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// waitFor processes messages until the screen shows want (or the program
// quits, when want is ""), failing after limit.
func (d *driver) waitFor(want string, limit time.Duration) string {
	d.t.Helper()
	deadline := time.After(limit)
	for {
		out := ansi.Strip(d.a.render())
		if (want != "" && strings.Contains(out, want)) || (want == "" && d.quit) {
			return out
		}
		select {
		case msg := <-d.msgs:
			d.send(msg)
		case <-deadline:
			d.t.Fatalf("after %v the screen still lacks %q:\n%s", limit, want, out)
		}
	}
}

// waitForAll is waitFor for several texts on one screen: a screen can show
// one (a panel refreshed) a frame before another (the page turned).
func (d *driver) waitForAll(limit time.Duration, wants ...string) string {
	d.t.Helper()
	deadline := time.After(limit)
	for {
		out := ansi.Strip(d.a.render())
		missing := ""
		for _, w := range wants {
			if !strings.Contains(out, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return out
		}
		select {
		case msg := <-d.msgs:
			d.send(msg)
		case <-deadline:
			d.t.Fatalf("after %v the screen still lacks %q:\n%s", limit, missing, out)
		}
	}
}

// openRealLab starts the app on a real lab the way a learner does: a
// fresh state directory, a 100×30 window, keys pressed (1 enter: Learn's
// walk; 2: the Lab), until the screen shows ready, which it returns. cfg
// gives the lesson (nil: the binary's own) and whatever else a test
// needs; the lab, theme, animation and state directory are set here. A
// lab that cannot start skips the test (fails it under
// CQRSLAB_REQUIRE_INFRA=1), and the lab is shut down when the test ends.
func openRealLab(t *testing.T, cfg ui.Config, ready string, keys ...string) (*App, *driver, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a lab")
	}
	dir := t.TempDir()
	t.Setenv("CQRSLAB_STATE_DIR", dir)
	cfg.Lab, cfg.Theme, cfg.NoAnimation, cfg.StateDir = labtest.Ready(t), ui.ThemeDark, true, dir
	a := NewApp(cfg)
	d := newDriver(t, a)
	d.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.press(keys...)
	out := d.waitFor(ready, 3*time.Minute)
	if a.sh.Session.Phase == ui.LabFailed {
		labtest.Unavailable(t, "the lab did not start: %v", a.sh.Session.Err)
	}
	t.Cleanup(func() { a.sh.Session.Shutdown(time.Minute) })
	return a, d, out
}

// TestLearnWalkWithRealLab is the lesson end to end against real stores:
// start the lab from Learn, step through CreatePost, see the post in
// PostgreSQL and not in Redis between the INSERT and the ZADD, then in
// both; then break Redis, write again, see the failure page, heal, repair;
// then quit, and check that the lab's containers are gone.
func TestLearnWalkWithRealLab(t *testing.T) {
	a, d, out := openRealLab(t, ui.Config{Lesson: testLesson(t)}, "CreatePost is paused before validate", "1", "enter")
	runID := a.sh.Session.Info.RunID
	wantIn(t, out, "Step 1: validate the input")
	d.waitFor("PostgreSQL · 0 posts", 10*time.Second)

	d.press("enter")
	d.waitFor("Paused before postgres.insert", 10*time.Second)
	d.press("enter")
	out = d.waitForAll(10*time.Second, "in PostgreSQL, not in Redis yet", "Step 2: the INSERT, the commit point", "PostgreSQL · 1 post", "Redis · ZRANGE feed:alice · 0")
	t.Logf("between the INSERT and the ZADD:\n%s", out)
	d.press("enter", "enter")
	out = d.waitForAll(10*time.Second, "in PostgreSQL and in Redis", "Step 4: ZADD into the feed", "Redis · ZRANGE feed:alice · 1")
	d.press("enter")
	d.waitFor("CreatePost returned success: the post is in both stores", 10*time.Second)

	// Break Redis before the ZADD of a second post.
	d.press("enter")
	d.waitFor("paused before validate", 10*time.Second)
	d.press("enter", "f")
	d.waitFor("Redis DOWN", 10*time.Second)
	d.press("enter")
	d.waitFor("Paused before encode", 10*time.Second)
	d.press("enter")
	d.waitFor("Paused before redis.zadd", 10*time.Second)
	d.press("enter")
	d.waitFor("When the ZADD fails", 30*time.Second)
	d.waitForAll(10*time.Second, "in PostgreSQL, not in Redis yet", "redis.zadd failed")
	d.press("enter")
	d.waitFor("the feed is stale", 10*time.Second)
	d.press("h")
	d.waitFor("Redis is back", 30*time.Second)
	d.press("r")
	d.waitForAll(30*time.Second, "Reconciler: before 2 rows, 1 in the feed, 1 missing; after 2 rows, 2 in the feed, 0 missing", "The reconciler")

	// The Lab screen shares the lab: a post from the form, then quit.
	d.press("esc", "2")
	d.waitFor("No drift: 2 rows, 2 members", 20*time.Second)
	d.press("n", "enter")
	d.waitFor("written to PostgreSQL and Redis", 20*time.Second)

	// A title written by another tool, straight into PostgreSQL, with an
	// escape sequence that would retitle the terminal: shown, not obeyed.
	ictx, icancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer icancel()
	if _, err := a.sh.Session.Stores.PG.ExecContext(ictx,
		"INSERT INTO posts(id, author_id, title, published_at) VALUES ('evil-1', 'alice', $1, now())",
		"pwned \x1b]2;owned\x07 title"); err != nil {
		t.Fatalf("insert a hostile title: %v", err)
	}
	d.waitFor(`pwned \x1b]2;owned\x07 title`, 20*time.Second)
	if strings.Contains(a.render(), "\x1b]2;") {
		t.Error("an escape sequence from a title reached the screen")
	}

	d.press("q")
	out = d.waitFor("Stopping the lab", time.Second)
	d.waitFor("", 2*time.Minute)
	if p := a.sh.Cfg.Lab.Provider; p == lab.Docker || p == lab.Auto {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if n, err := lab.CountContainers(ctx, runID); err == nil && n != 0 {
			t.Errorf("%d containers of run %s left after quitting", n, runID)
		}
		if n, err := lab.CountNetworks(ctx, runID); err == nil && n != 0 {
			t.Errorf("%d networks of run %s left after quitting", n, runID)
		}
	}
}

// TestCtrlCDuringStartRemovesEverything cancels a start half way.
func TestCtrlCDuringStartRemovesEverything(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a lab")
	}
	opts := labtest.Ready(t)
	if opts.Provider != lab.Docker {
		t.Skip("counts containers: docker provider only (CQRSLAB_TEST_INFRA=docker)")
	}
	dir := t.TempDir()
	t.Setenv("CQRSLAB_STATE_DIR", dir)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	before, err := lab.CountProcessContainers(ctx)
	if err != nil {
		labtest.Unavailable(t, "docker: %v", err)
	}
	a := NewApp(ui.Config{Lab: opts, Theme: ui.ThemeDark, NoAnimation: true, StateDir: dir, Lesson: testLesson(t)})
	d := newDriver(t, a)
	d.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.press("2")
	d.waitFor("waiting for connections", time.Minute) // the containers exist and are being waited on
	d.press("ctrl+c")
	d.waitFor("Stopping the lab", time.Second)
	d.waitFor("", 2*time.Minute)
	a.sh.Session.Shutdown(time.Minute)
	after, err := lab.CountProcessContainers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after > before {
		t.Errorf("%d cqrslab containers before the start, %d after ctrl+c during it", before, after)
	}
	if n, err := lab.CountNetworksOfPID(ctx, os.Getpid()); err == nil && n != 0 {
		t.Errorf("%d networks of this process left after ctrl+c during the start", n)
	}
}
