package labscreen

import (
	"fmt"
	"strings"
	"time"

	"cqrslab/demo"
	"cqrslab/internal/safetext"
	"cqrslab/internal/tui/ui"
)

// TraceKeep is how many recent writes the trace pane keeps.
const TraceKeep = 12

// writeTrace is one CreatePost as its trace events arrived: how long each
// step took and which one failed.
type writeTrace struct {
	postID, author string
	steps          [5]time.Duration
	ran            [5]bool
	Failed         int // index of the failed step, -1 if none
	Done           bool
	// External is a write another client made, found in the stores by
	// looking (labscreen_external.go): no steps, only where it was found.
	External    bool
	Row, Member bool
}

func (w *writeTrace) total() time.Duration {
	var t time.Duration
	for _, d := range w.steps {
		t += d
	}
	return t
}

// traceBook keeps the last writes in the order they began. Events from
// hundreds of writes a second land here each frame: each costs a map
// lookup, and only the newest traceKeep writes are kept.
type traceBook struct {
	Order []*writeTrace
	ByID  map[string]*writeTrace
	seen  int // writes seen in all
}

func newTraceBook() *traceBook {
	return &traceBook{ByID: map[string]*writeTrace{}}
}

func stepIndex(s demo.Step) int {
	for i, x := range demo.Steps {
		if x == s {
			return i
		}
	}
	return -1
}

// AddExternal records a write another client made. A write already in
// the book under its post ID (its row found one look, its member the next)
// gains what was found; an engine write is never turned external.
func (b *traceBook) AddExternal(x ExternalWrite) {
	id := x.PostID
	if id == "" { // a member that is not a post: named by its text
		id = "member " + x.Raw
	}
	if w, ok := b.ByID[id]; ok {
		if w.External {
			w.Row, w.Member = w.Row || x.Row, w.Member || x.Member
		}
		return
	}
	w := &writeTrace{postID: id, author: x.Author, Failed: -1, Done: true, External: true, Row: x.Row, Member: x.Member}
	b.insert(w)
}

// external reports whether the book holds another client's write.
func (b *traceBook) external() bool {
	for _, w := range b.Order {
		if w.External {
			return true
		}
	}
	return false
}

// insert adds a write as the newest, dropping the oldest beyond TraceKeep.
func (b *traceBook) insert(w *writeTrace) {
	b.ByID[w.postID] = w
	b.Order = append(b.Order, w)
	b.seen++
	if len(b.Order) > TraceKeep {
		delete(b.ByID, b.Order[0].postID)
		b.Order = b.Order[1:]
	}
}

// Add records one trace event.
func (b *traceBook) Add(e demo.Event) {
	i := stepIndex(e.Step)
	if i < 0 || e.PostID == "" { // the engine names every write from its first step
		return
	}
	w, ok := b.ByID[e.PostID]
	if !ok {
		w = &writeTrace{postID: e.PostID, author: e.AuthorID, Failed: -1}
		b.insert(w)
	} else if w.External {
		return // not the engine's: keep it as found
	}
	w.steps[i], w.ran[i] = e.Duration, true
	if e.Err != nil && w.Failed < 0 {
		w.Failed = i
	}
	if e.Step == demo.StepDone || (e.Err != nil && e.Step != demo.StepZAdd) {
		w.Done = true
	}
}

// traceView draws the recent writes newest first, one line each: the post,
// its author, a bar whose segments are the steps (PostgreSQL, Redis and
// the steps without I/O in their own colours), the total, and the failed
// step if any. All bars share one scale, so the lines compare.
func traceView(st ui.Styles, b *traceBook, w, h int) string {
	var lines []string
	lines = append(lines, st.Heading.Render("Trace · last writes")+st.Dim.Render(" · time per step: ")+
		st.BarPG.Render("█ PostgreSQL ")+st.BarRedis.Render("█ Redis ")+st.BarOther.Render("█ no I/O"))
	if legend := st.Dim.Render(" · ") + st.Warn.Render("⇄ external") + st.Dim.Render(": another client's write"); b.external() &&
		ui.Width(lines[0])+ui.Width(legend) <= w {
		lines[0] += legend
	}
	if len(b.Order) == 0 {
		lines = append(lines, st.Dim.Render("No writes yet: n creates a post, l starts a load."))
		return ui.Fit(strings.Join(lines, "\n"), w, h)
	}
	var longest time.Duration
	for _, t := range b.Order { // external writes have no steps: total 0
		longest = max(longest, t.total())
	}
	idW := 14
	barW := max(10, w-idW-1-7-1-1-8-1-ui.Width("✗ validate")) // the longest note
	for i := len(b.Order) - 1; i >= 0 && len(lines) < h; i-- {
		t := b.Order[i]
		id := ui.Cut(safetext.Visible(t.postID), idW)
		if t.External {
			lines = append(lines, fmt.Sprintf("%-*s %-7s %s", idW, id, ui.Cut(safetext.Visible(t.author), 7),
				ui.Cut(st.Warn.Render("⇄ external")+st.Dim.Render(": "+externalWhere(t)), max(0, w-idW-9))))
			continue
		}
		bar := stackedBar(st, t, longest, barW)
		note := ""
		switch {
		case t.Failed >= 0:
			note = st.Fast.Bad.Paint("✗ " + strings.TrimPrefix(strings.TrimPrefix(string(demo.Steps[t.Failed]), "redis."), "postgres."))
		case !t.Done:
			note = st.Fast.Dim.Paint("running")
		}
		line := fmt.Sprintf("%-*s %-7s %s %8s %s", idW, id, ui.Cut(safetext.Visible(t.author), 7),
			ui.PadRight(bar, barW), ui.Ms(t.total()), note)
		lines = append(lines, line)
	}
	return ui.Fit(strings.Join(lines, "\n"), w, h)
}

// stackedBar draws a write's steps end to end, each in its colour, scaled so
// that longest fills width cells. A step shorter than an eighth of a cell
// is left out (validate, encode and done usually are); every other step
// gets at least one cell, and the bar never exceeds width.
func stackedBar(st ui.Styles, t *writeTrace, longest time.Duration, width int) string {
	if longest <= 0 || width <= 0 {
		return ""
	}
	var eighths [5]int
	for s, d := range t.steps {
		if t.ran[s] {
			eighths[s] = int(float64(d)/float64(longest)*float64(width*8) + 0.5)
		}
	}
	cells := func() (n int) {
		for _, e := range eighths {
			n += (e + 7) / 8
		}
		return n
	}
	for cells() > width { // each partial cell takes a whole one: trim the longest step
		big := 0
		for s := range eighths {
			if eighths[s] > eighths[big] {
				big = s
			}
		}
		eighths[big] = max(0, eighths[big]-8)
	}
	partial := []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}
	var b strings.Builder
	for s, e := range eighths {
		if e == 0 {
			continue
		}
		style := st.Fast.Other
		switch demo.Steps[s] {
		case demo.StepInsert:
			style = st.Fast.Pg
		case demo.StepZAdd:
			style = st.Fast.Redis
		}
		b.WriteString(style.Paint(strings.Repeat("█", e/8) + partial[e%8]))
	}
	return b.String()
}

// externalWhere says where another client's write was found, and so what
// it did: both stores (a second cqrslab), PostgreSQL only (psql INSERT: the
// feed misses it until repaired) or Redis only (redis-cli ZADD). Short, so
// that it fits the trace pane beside the faults at 120 columns.
func externalWhere(t *writeTrace) string {
	switch {
	case t.Row && t.Member:
		return "PostgreSQL + Redis"
	case t.Row:
		return "PostgreSQL only"
	default:
		return "Redis only"
	}
}
