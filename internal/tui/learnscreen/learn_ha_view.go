package learnscreen

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"

	"cqrslab/internal/safetext"
	"cqrslab/internal/tui/ui"
)

// The step-through's screen: the page's header, a panel with every Redis
// node (its role, whether it holds post A and post B, which one the
// Sentinels name the primary), what PostgreSQL and GetFeed hold, and
// below it the page's text, as on every page.

// haStages names each stage for the panel's title: which step of six, and
// what it is.
var haStages = map[HAStage]string{
	HASwitching: "removing chapter one's lab",
	HAStarting:  "starting the ha lab",
	HAReady:     "step 1 of 6 · write post A",
	HAWritingA:  "step 1 of 6 · writing post A",
	HAWroteA:    "step 2 of 6 · post A is on every node",
	HACutting:   "step 3 of 6 · cutting the primary off, writing post B",
	HAPromoting: "step 3 of 6 · post B acknowledged; waiting for the Sentinels",
	HAPromoted:  "step 4 of 6 · a replica was promoted: two primaries",
	HAHealing:   "step 4 of 6 · healing the partition",
	HAGone:      "step 5 of 6 · acknowledged, then gone",
	HARepairing: "step 6 of 6 · the reconciler runs",
	HARepaired:  "step 6 of 6 · repaired from PostgreSQL",
}

// haStepLabel is what enter does on a chapter-two page before the
// step-through runs.
func (l *LearnScreen) haStepLabel() string {
	if s := l.sh.Session; s.Phase == ui.LabUp && s.Info.Topology == "ha" {
		return "start the step-through"
	}
	return "start the ha lab (~15 s) and step through"
}

// haEnterLabel is what enter does now during the step-through ("" when it
// does nothing).
func (l *LearnScreen) haEnterLabel() string {
	switch l.HA.Stage {
	case HAReady:
		return "CreatePost(post A)"
	case HAWroteA:
		return "cut the primary off, write post B"
	case HAPromoted:
		return "heal the partition"
	case HAGone:
		return "run the reconciler"
	}
	return ""
}

// haStatus is the status line when no action has said anything yet: what
// the next key does.
func (l *LearnScreen) haStatus() string {
	if e := l.haEnterLabel(); e != "" {
		return "enter: " + e + ". esc leaves the step-through and removes the ha lab."
	}
	return "esc leaves the step-through and removes the ha lab."
}

func (l *LearnScreen) haHelp() []key.Binding {
	var b []key.Binding
	if e := l.haEnterLabel(); e != "" {
		b = append(b, ui.Relabel(l.keys.Step, "enter", e))
	}
	if l.HA.Stage == HAGone {
		b = append(b, ui.Relabel(l.keys.Repair, "r", "repair the feed"))
	}
	b = append(b, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave (removes the ha lab)")))
	if l.text.TotalLineCount() > l.text.Height() {
		b = append(b, ui.Relabel(l.keys.PageDown, "space/↓", "scroll"))
	}
	return append(b, l.keys.Hint)
}

// haView draws the screen during the step-through.
func (l *LearnScreen) haView() string {
	st, p := l.sh.St, l.current()
	head := l.header(p)
	body := max(3, l.height-1-learnStatusRows)
	panelH := min(10, max(4, body/2))
	textH := max(2, body-panelH-1)
	if h := textH - 1; l.text.Height() != h {
		l.text.SetHeight(max(1, h))
	}
	panel := ui.Fit(l.haPanel(l.width), l.width, panelH)
	text := ui.Vjoin(ui.Fit(l.text.View(), l.width, textH-1), l.scrollMarker(l.width))
	out := ui.Vjoin(head, panel, ui.Rule(st, l.width), text, l.statusView())
	return ui.Fit(out, l.width, l.height)
}

func (l *LearnScreen) haPanel(w int) string {
	st, s, h := l.sh.St, l.sh.Session, &l.HA
	title := "Chapter two, live · " + haStages[h.Stage]
	switch h.Stage {
	case HAWritingA, HACutting, HAHealing, HARepairing:
		title = ui.Spinner(l.sh.Frame, l.sh.Animate) + " " + title
	case HAPromoting:
		title = ui.Spinner(l.sh.Frame, l.sh.Animate) + " " + title + " " + ui.Elapsed(l.sh.Now.Sub(h.CutAt))
	}
	if h.Stage == HASwitching || h.Stage == HAStarting || s.Phase != ui.LabUp {
		return ui.Section(st, title, ui.LabStatusView(st, s, l.sh.Now, l.sh.Frame, l.sh.Animate, w), w, 10)
	}
	var lines []string
	aID, bID := h.A.Post.ID, h.B.Post.ID
	lines = append(lines, st.Dim.Render(ui.Cut(fmt.Sprintf("  %-16s %-7s %-10s %s", "Redis node", "says", "", "A B"), w)))
	if len(h.View.Nodes) == 0 {
		lines = append(lines, st.Dim.Render("  (reading the nodes…)"))
	}
	for _, n := range h.View.Nodes {
		mark := "  "
		if n.Addr == h.View.Primary {
			mark = st.Accent.Render("★ ")
		}
		role := n.Role
		if role == "slave" {
			role = "replica"
		}
		note := ""
		switch {
		case n.Err != nil:
			role, note = "?", st.Bad.Render(safetext.Visible(ui.BriefErr(n.Err)))
		case h.Stage >= HAPromoting && h.Stage < HAGone && n.Addr == h.OldPrimary:
			note = st.Bad.Render("cut off")
		case n.Addr == h.View.Primary:
			note = st.Good.Render("primary")
		}
		row := fmt.Sprintf("%s%-16s %-7s %-10s %s %s", mark, n.Addr, role, "", l.haHas(n.Holds(aID), aID), l.haHas(n.Holds(bID), bID))
		if note != "" {
			row = fmt.Sprintf("%s%-16s %-7s %s %s %s", mark, n.Addr, role, padRight(note, 10), l.haHas(n.Holds(aID), aID), l.haHas(n.Holds(bID), bID))
		}
		lines = append(lines, ui.Cut(row, w))
	}
	lines = append(lines, ui.Cut(fmt.Sprintf("  %-35s %s %s", fmt.Sprintf("PostgreSQL (%s's posts)", WalkAuthor),
		l.haHas(h.Rows.Has(aID), aID), l.haHas(h.Rows.Has(bID), bID)), w))
	gf := fmt.Sprintf("  %-35s %s %s", fmt.Sprintf("GetFeed(%q), the app's client", WalkAuthor), l.haHas(feedHolds(h.Feed, aID), aID), l.haHas(feedHolds(h.Feed, bID), bID))
	if h.FeedErr != nil {
		gf = fmt.Sprintf("  GetFeed(%q) fails: %s", WalkAuthor, safetext.Visible(ui.BriefErr(h.FeedErr)))
	}
	lines = append(lines, ui.Cut(gf, w))
	if bID != "" {
		lines = append(lines, ui.Cut(l.haCreatePostLine(), w))
	}
	if v := l.haVerdict(); v != "" {
		lines = append(lines, v)
	}
	return ui.Section(st, ui.Cut(title, w), strings.Join(lines, "\n"), w, 10)
}

// haHas is one cell: ✓ held, · not held, blank when the post is not
// written yet.
func (l *LearnScreen) haHas(has bool, id string) string {
	st := l.sh.St
	switch {
	case id == "":
		return " "
	case has:
		return st.Good.Render("✓")
	}
	return st.Drift.Render("·")
}

func padRight(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-ui.Width(s)))
}

// haCreatePostLine says what CreatePost(post B) returned to its caller.
func (l *LearnScreen) haCreatePostLine() string {
	st, b := l.sh.St, l.HA.B
	if b.ProjectionErr != nil {
		return "  CreatePost(B): " + st.Warn.Render("success, ZADD failed: "+safetext.Visible(ui.BriefErr(b.ProjectionErr)))
	}
	return "  CreatePost(B): " + st.Good.Render(fmt.Sprintf("success in %s, ZADD acknowledged by %s, no error",
		ui.Ms(l.HA.BTook), l.HA.OldPrimary))
}

// haVerdict is the step's lesson in one line, from what was read.
func (l *LearnScreen) haVerdict() string {
	st, h := l.sh.St, &l.HA
	switch h.Stage {
	case HAWroteA:
		if everyNodeHas(h.View, h.A.Post.ID) {
			return st.Good.Render("  A: on the primary and on both replicas")
		}
		return st.Warn.Render("  A: not on every node yet")
	case HAPromoting, HAPromoted:
		return st.Warn.Render(ui.Cut("  B: only on the cut-off primary, which still says master", l.width))
	case HAGone:
		if id := h.B.Post.ID; h.Rows.Has(id) && !feedHolds(h.Feed, id) && h.B.ProjectionErr == nil {
			return st.Bad.Render(ui.Cut("  ACKNOWLEDGED, THEN GONE: B is on no node; PostgreSQL has it", l.width))
		}
		return st.Warn.Render(ui.Cut("  "+l.haGoneSentence(), l.width))
	case HARepaired:
		if feedHolds(h.Feed, h.B.Post.ID) {
			return st.Good.Render(ui.Cut(fmt.Sprintf("  REPAIRED: the reconciler added B back (%d missing → %d)",
				h.Repair.Before.Missing, h.Repair.After.Missing), l.width))
		}
		return st.Warn.Render("  B is still missing from GetFeed")
	}
	return ""
}
