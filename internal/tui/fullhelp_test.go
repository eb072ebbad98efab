package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"cqrslab/internal/tui/ui"
)

// The Lab's full help is longer than 80×24: it scrolls, says how much is
// below, and every group (Panes, the keys that matter most at this size,
// and Everywhere) can be reached, none of it cut at the edge; at 120×40
// it shows whole, unscrolled.
func TestFullHelpScrollsWhenLongerThanTheWindow(t *testing.T) {
	a := labFixedApp(t, 80, 24, ui.ThemeDark)
	pressKeys(t, a, "?")
	out := plain(a)
	wantIn(t, out, "All keys", "Writes and stores", "more lines below · ↓ a line, space a page", "↑/↓ scroll",
		"space/pgdn page", "?/esc close")
	wantNotIn(t, out, "Everywhere")
	fits(t, out, 80, 24)
	for range 40 { // past the end: it stops there
		pressKeys(t, a, "down")
	}
	out = plain(a)
	wantIn(t, out, "Panes (below 120×34)", "Everywhere", "ctrl+c", "■ end of the keys")
	wantNotIn(t, out, "more lines below")
	fits(t, out, 80, 24)
	pressKeys(t, a, "up")
	wantIn(t, plain(a), "1 more line below")
	pressKeys(t, a, "?", "?") // opened again: from the top
	wantIn(t, plain(a), "Writes and stores")
	// A page at a time, and to either end: space scrolled one line, and
	// pgdn, end and G did nothing (a newcomer tried them).
	pressKeys(t, a, "space")
	wantNotIn(t, plain(a), "Writes and stores")
	pressKeys(t, a, "home")
	wantIn(t, plain(a), "Writes and stores")
	pressKeys(t, a, "end")
	wantIn(t, plain(a), "■ end of the keys")
	pressKeys(t, a, "pgup", "g")
	wantIn(t, plain(a), "Writes and stores")

	// Nothing is cut at 80 columns: a long description wraps under itself.
	learn := newTestApp(t, 80, 24, ui.ThemeDark)
	pressKeys(t, learn, "1")
	for _, app := range []*App{a, learn} {
		for _, l := range app.fullHelpLines() {
			if p := ansi.Strip(l); strings.Contains(p, "…") || ui.Width(p) > 80 {
				t.Errorf("a full help line is cut: %q", p)
			}
		}
	}
	wantIn(t, strings.Join(learn.fullHelpLines(), "\n"), "the latency-spike experiment, seed then")

	b := labFixedApp(t, 120, 40, ui.ThemeDark)
	pressKeys(t, b, "?")
	out = plain(b)
	wantIn(t, out, "Writes and stores", "Everywhere")
	wantNotIn(t, out, "below · ↓", "end of the keys", "↑/↓ scroll")
}
