package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"cqrslab/demo/lab"
	"cqrslab/internal/tui/ui"
)

// press sends one key to the root and returns its command, unrun (the quiz
// tests use it too).
func press(h *App, key string) tea.Cmd {
	_, cmd := h.Update(keypress(key))
	return cmd
}

func TestHomeShowsMenuProgressAndKeys(t *testing.T) {
	a := newTestApp(t, 80, 24, ui.ThemeDark)
	out := plain(a)
	wantIn(t, out, "Learn", "Lab", "Quiz", "> Learn", "Your progress", "not started",
		"0 of 17 questions answered", "not running", "↑/↓ move", "enter open", "? all keys", "q quit")
	fits(t, out, 80, 24)
	pressKeys(t, a, "down")
	wantIn(t, plain(a), "> Lab")
	if cmd := press(a, "q"); !quits(cmd) {
		t.Fatal("q does not quit from home")
	}
}

func TestHomeOpensEachScreenAndEscComesBack(t *testing.T) {
	a := newTestApp(t, 80, 24, ui.ThemeDark)
	pressKeys(t, a, "enter")
	wantIn(t, plain(a), "Learn · page 1 of 13", "esc home")
	pressKeys(t, a, "esc")
	wantIn(t, plain(a), "> Learn")
	pressKeys(t, a, "2")
	wantIn(t, plain(a), "Lab · PostgreSQL and Redis", "The lab could not start", `unknown provider "none-in-unit-tests"`, "enter start the lab again")
	pressKeys(t, a, "esc", "1")
	wantIn(t, plain(a), "Learn · page 1 of 13")
}

func TestHelpBarAndFullHelp(t *testing.T) {
	a := newTestApp(t, 80, 24, ui.ThemeDark)
	pressKeys(t, a, "?")
	out := plain(a)
	wantIn(t, out, "All keys", "Home", "Everywhere", "ctrl+c", "?/esc close")
	fits(t, out, 80, 24)
	pressKeys(t, a, "?")
	wantNotIn(t, plain(a), "All keys")
	pressKeys(t, a, "1", "?")
	wantIn(t, plain(a), "Running CreatePost for real", "break Redis", "repair the feed")
	if cmd := press(a, "q"); !quits(cmd) {
		t.Fatal("q does not quit from the full help")
	}
}

func TestTooSmallSaysHowBigAndQuits(t *testing.T) {
	a := newTestApp(t, 80, 24, ui.ThemeDark)
	send(t, a, tea.WindowSizeMsg{Width: 50, Height: 12})
	wantIn(t, plain(a), "Make the window at least 60×16 (it is 50×12)", "q or ctrl+c quits")
	send(t, a, tea.WindowSizeMsg{Width: 80, Height: 24})
	pressKeys(t, a, "enter")
	send(t, a, tea.WindowSizeMsg{Width: 79, Height: 30})
	wantIn(t, plain(a), "at least 80×24 (it is 79×30)")
	if cmd := press(a, "q"); !quits(cmd) {
		t.Fatal("q does not quit from the too-small screen")
	}
	send(t, a, tea.WindowSizeMsg{Width: 100, Height: 30})
	wantIn(t, plain(a), "Learn · page 1 of 13", "If you have only used one database") // the text re-rendered for the new width
	fits(t, plain(a), 100, 30)
}

func TestEveryScreenFitsEverySize(t *testing.T) {
	for i, size := range [][2]int{{80, 24}, {100, 30}, {120, 40}, {200, 60}, {81, 25}, {119, 29}, {120, 29}} {
		a := newTestApp(t, size[0], size[1], []ui.Theme{ui.ThemeLight, ui.ThemeDark, ui.ThemeHighContrast}[i%3])
		for _, keys := range [][]string{nil, {"1"}, {"1", "right", "right", "i", "s"}, {"esc", "2"}, {"?"}} {
			pressKeys(t, a, keys...)
			fits(t, a.render(), size[0], size[1])
		}
	}
}

func TestNoColorHonoured(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	a := NewApp(ui.Config{NoAnimation: true, StateDir: t.TempDir(), Lab: lab.Options{Provider: "none-in-unit-tests"}, Lesson: testLesson(t)})
	send(t, a, tea.WindowSizeMsg{Width: 80, Height: 24})
	pressKeys(t, a, "1")
	out := a.render()
	if strings.Contains(out, "\x1b[3") || strings.Contains(out, "\x1b[38") || strings.Contains(out, "\x1b[48") {
		t.Errorf("NO_COLOR set, yet the screen has colour: %q", out[:min(200, len(out))])
	}
	wantIn(t, ansi.Strip(out), "▶")
}

func TestBackgroundChoosesStyles(t *testing.T) {
	a := NewApp(ui.Config{NoAnimation: true, StateDir: t.TempDir(), Lesson: testLesson(t)})
	a.noColor = false
	send(t, a, tea.BackgroundColorMsg{Color: lightBackground{}})
	if a.sh.St.Dark {
		t.Error("a light background kept the dark styles")
	}
	a = NewApp(ui.Config{Theme: ui.ThemeDark, NoAnimation: true, StateDir: t.TempDir(), Lesson: testLesson(t)})
	send(t, a, tea.BackgroundColorMsg{Color: lightBackground{}})
	if !a.sh.St.Dark {
		t.Error("--theme dark was overridden by the background")
	}
}

type lightBackground struct{}

func (lightBackground) RGBA() (r, g, b, a uint32) { return 0xffff, 0xffff, 0xffff, 0xffff }
