package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"cqrslab/demo/lab"
	"cqrslab/internal/tui/ui"
)

// At 80 columns the Learn header keeps the lab badge whatever the page's
// title: an active fault must never be off screen. The page count
// shortens first; the header never runs past the window.
func TestLearnHeaderKeepsTheBadgeAtEightyColumns(t *testing.T) {
	a := newTestApp(t, 80, 24, ui.ThemeDark)
	pressKeys(t, a, "1")
	for range testPages(t) - 1 { // the last page has the longest title
		pressKeys(t, a, "n")
	}
	head := func() string { return strings.TrimRight(strings.Split(plain(a), "\n")[0], " ") }
	wantIn(t, head(), "Learn · page 13 of 13 · When to move on to eventual consistency", "lab off")

	fakeLabUp(a)
	a.sh.Session.Faults = []lab.Fault{{Kind: lab.FaultLatency, Target: lab.TargetRedis}, {Kind: lab.FaultResetPeer, Target: lab.TargetRedis}}
	got := head()
	wantIn(t, got, "Learn · 13/13 · When to move on to eventual consistency", "2 fault(s) active")
	if n := ui.Width(got); n > 80 {
		t.Errorf("header is %d columns: %q", n, got)
	}
	for _, w := range []int{100, 120} { // room enough: the long form again
		send(t, a, tea.WindowSizeMsg{Width: w, Height: 30})
		wantIn(t, head(), "Learn · page 13 of 13 · When to move on to eventual consistency", "2 fault(s) active")
	}
}
