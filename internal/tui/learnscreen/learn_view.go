package learnscreen

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"cqrslab/internal/safetext"
	"cqrslab/internal/tui/ui"
	"cqrslab/lessons"
)

// learnLayout is where each part of the Learn screen goes. While the
// learner reads (no walk running), the page's text gets the screen: the
// code the page is about takes a fifth of the rows, the live
// panels fold into one line, and the text takes the rest (at least 60% of
// the screen at 80×24). While a walk runs the panels open: below 120
// columns the code runs full width above the three panels; from 120 (with
// room in height) the code and the panels sit side by side. The text always
// ends with one row for the "more below" marker.
type learnLayout struct {
	reading        bool
	wide           bool
	codeW, codeH   int
	panelW, panelH int // one panel's size
	textW, textH   int // textH counts the marker row
}

const learnStatusRows = 2

func (l *LearnScreen) layout() learnLayout {
	w, h := l.width, l.height
	body := max(3, h-1-learnStatusRows) // header and status
	if l.reading() {
		codeH := max(3, body/5)
		return learnLayout{reading: true, codeW: w, codeH: codeH, textW: w, textH: max(2, body-codeH-1)}
	}
	if w >= 120 && h >= 30 {
		top := body * 3 / 5
		codeW := min(w*11/20, 96)
		panelW := w - codeW - 3
		return learnLayout{wide: true, codeW: codeW, codeH: top, panelW: panelW, panelH: top / 3,
			textW: w, textH: body - top - 1}
	}
	codeH := max(3, body*2/5)
	panelH := max(3, body/4)
	return learnLayout{codeW: w, codeH: codeH, panelW: (w - 2*3) / 3, panelH: panelH,
		textW: w, textH: max(2, body-codeH-panelH-2)}
}

// reading reports whether the page's text has the screen: no walk is
// running and the lab is not starting, failing or stopping (those show
// their progress where the panels go).
func (l *LearnScreen) reading() bool {
	if l.labStatusShown() {
		return false
	}
	return l.Walk == nil || l.Walk.Done
}

// labStatusShown reports whether the lab's start or stop takes the panels'
// place: while it starts or stops, and on the page where its start failed.
// Elsewhere a failed start leaves the page its text (the header's badge and
// the folded panels' line say it).
func (l *LearnScreen) labStatusShown() bool {
	switch l.sh.Session.Phase {
	case ui.LabStarting, ui.LabStopping:
		return true
	case ui.LabFailed:
		return l.failedOn == l.page+1
	}
	return false
}

func (l *LearnScreen) textWidth() int { return l.layout().textW }

// layoutText sizes the text viewport: the text area less its marker row.
func (l *LearnScreen) layoutText() {
	lay := l.layout()
	l.text.SetWidth(lay.textW)
	l.text.SetHeight(max(1, lay.textH-1-l.warnRows(lay)))
}

// warnRows is 1 while the seed's WARN line for the walk's post shows above
// the page's text, else 0.
func (l *LearnScreen) warnRows(lay learnLayout) int {
	if l.warnLine(lay.textW-2) != "" {
		return 1
	}
	return 0
}

// View draws the screen at exactly its size.
func (l *LearnScreen) View() string {
	if l.HAActive() {
		return l.haView()
	}
	st, lay, p := l.sh.St, l.layout(), l.current()
	head := l.header(p)
	code := ui.CodeView(st, p, lay.codeW, lay.codeH, lay.wide)
	var top string
	switch {
	case lay.reading:
		top = ui.Vjoin(code, l.panelStrip())
	case lay.wide:
		panels := ui.Vjoin(
			l.panel(p, "postgres", lay.panelW, lay.panelH),
			l.panel(p, "redis", lay.panelW, lay.panelH),
			l.panel(p, "getfeed", lay.panelW, lay.codeH-2*lay.panelH),
		)
		if l.labStatusShown() {
			panels = ui.Fit(ui.LabStatusViewIn(st, l.sh.Session, l.sh.Now, l.sh.Frame, l.sh.Animate, lay.panelW, lay.codeH),
				lay.panelW, lay.codeH)
		}
		top = ui.Vjoin(ui.Hjoin(lay.codeH, st.Rule.Render(" │ "), []string{code, panels}, []int{lay.codeW, lay.panelW}),
			ui.Rule(st, l.width))
	default:
		top = ui.Vjoin(code, ui.Rule(st, l.width), l.panelsRow(p, lay), ui.Rule(st, l.width))
	}
	// The WARN line comes and goes with the walk, between resizes: the
	// viewport follows it here so that no line of the page is hidden.
	warn := l.warnRows(lay)
	if h := max(1, lay.textH-1-warn); l.text.Height() != h {
		l.text.SetHeight(h)
	}
	text := ui.Vjoin(ui.Fit(l.text.View(), lay.textW, lay.textH-1-warn), l.scrollMarker(lay.textW))
	if warn > 0 {
		text = ui.Vjoin(ui.Indent(l.warnLine(lay.textW-2), "  "), text)
	}
	out := ui.Vjoin(head, top, text, l.statusView())
	return ui.Fit(out, l.width, l.height)
}

// panelStrip is the live panels folded into one line while the learner
// reads: what each store holds now when the lab runs, else that the
// panels open with the walk.
func (l *LearnScreen) panelStrip() string {
	st := l.sh.St
	var msg string
	if l.live() {
		s := l.Snap
		pg := fmt.Sprintf("PostgreSQL %d %s", s.RowCount, ui.Pluralize(s.RowCount, "post", "posts"))
		if s.PgErr != nil {
			pg = "PostgreSQL ✗"
		}
		rd := fmt.Sprintf("Redis %s %d", s.Key(), s.Zcard)
		if s.RedisErr != nil {
			rd = "Redis ✗ " + safetext.Visible(ui.BriefErr(s.RedisErr))
		}
		gf := fmt.Sprintf("GetFeed %d %s", len(s.Feed), ui.Pluralize(len(s.Feed), "item", "items"))
		if s.FeedErr != nil {
			gf = "GetFeed fails"
		}
		msg = fmt.Sprintf(" %s · %s · %s · the panels open when a walk runs (enter) ", pg, rd, gf)
		if ui.Width(msg) > l.width-4 {
			msg = fmt.Sprintf(" %s · %s · %s ", pg, rd, gf)
		}
	} else if l.sh.Session.Phase == ui.LabFailed {
		msg = " The lab could not start · esc, then 2 shows why and the fix "
	} else {
		msg = " Live panels: they open when you run CreatePost (enter) "
	}
	msg = ui.Cut(msg, max(0, l.width-4))
	return st.Rule.Render("──") + st.Dim.Render(msg) + st.Rule.Render(strings.Repeat("─", max(0, l.width-2-ui.Width(msg))))
}

// scrollMarker is the text's last row: how much of the page is below and
// what → does here, or that the page ends and what comes next. A learner
// must never wonder whether there is more.
func (l *LearnScreen) scrollMarker(w int) string {
	st, v := l.sh.St, &l.text
	var left string
	if l.shownPage != l.page { // its text is not here yet: neither more nor an end
		left = st.Dim.Render("  … rendering the page")
	} else if !v.AtBottom() && v.TotalLineCount() > v.Height() {
		read := min(99, (v.YOffset()+v.Height())*100/max(1, v.TotalLineCount()))
		left = st.Warn.Render(fmt.Sprintf("  ▼ more below · %d%% read", read)) +
			st.Dim.Render(" · ↓/space scroll · → scrolls on, then turns the page")
	} else if l.page < len(l.sh.Pages)-1 {
		left = st.Good.Render("  ■ end of page") + st.Dim.Render(" · → next: "+l.sh.Pages[l.page+1].Title)
	} else {
		left = st.Good.Render("  ■ end of the lesson") + st.Dim.Render(" · esc goes home")
	}
	return ui.Cut(left, w)
}

func (l *LearnScreen) panelsRow(p lessons.Page, lay learnLayout) string {
	st, s := l.sh.St, l.sh.Session
	if l.labStatusShown() {
		return ui.Fit(ui.LabStatusViewIn(st, s, l.sh.Now, l.sh.Frame, l.sh.Animate, l.width, lay.panelH), l.width, lay.panelH)
	}
	if !l.live() && p.After.IsZero() {
		return l.panel(p, "postgres", l.width, lay.panelH)
	}
	w := ui.SplitWidths(l.width, 3, 3)
	return ui.Hjoin(lay.panelH, st.Rule.Render(" │ "), []string{
		l.panel(p, "postgres", w[0], lay.panelH),
		l.panel(p, "redis", w[1], lay.panelH),
		l.panel(p, "getfeed", w[2], lay.panelH),
	}, w)
}

// header is the page's place and title on the left, the lab badge on the
// right. The badge is what must stay (a fault is never off screen), so a
// long title at 80 columns gives way first: the page count shortens to
// "14/15", then the title is cut.
func (l *LearnScreen) header(p lessons.Page) string {
	st := l.sh.St
	pages := max(1, len(l.sh.Pages))
	right := l.labBadge()
	room := l.width - ui.Width(right) - 2
	left := st.Title.Render("Learn") + st.Dim.Render(fmt.Sprintf(" · page %d of %d · ", l.page+1, pages)) +
		st.Heading.Render(p.Title)
	if ui.Width(left) > room {
		left = st.Title.Render("Learn") + st.Dim.Render(fmt.Sprintf(" · %d/%d · ", l.page+1, pages)) +
			st.Heading.Render(p.Title)
	}
	left = ui.Cut(left, room)
	return ui.Cut(left+strings.Repeat(" ", max(2, l.width-ui.Width(left)-ui.Width(right)))+right, l.width)
}

// labBadge is the lab's state in a few words, faults included: a fault
// must never be forgotten because it is off screen.
func (l *LearnScreen) labBadge() string {
	st, s := l.sh.St, l.sh.Session
	switch s.Phase {
	case ui.LabStarting:
		return st.Warn.Render(ui.Spinner(l.sh.Frame, l.sh.Animate) + " lab starting")
	case ui.LabFailed:
		return st.Bad.Render("lab failed")
	case ui.LabStopping:
		return st.Warn.Render("lab stopping")
	case ui.LabUp:
		if l.redisDown() {
			return st.Bad.Render("Redis DOWN")
		}
		if n := len(s.Faults); n > 0 {
			return st.Warn.Render(fmt.Sprintf("%d fault(s) active", n))
		}
		return st.Good.Render("lab up")
	}
	return st.Dim.Render("lab off")
}

// panel draws one of the three panels: live data when the lab runs, else
// what the page says the store holds at this point.
func (l *LearnScreen) panel(p lessons.Page, which string, w, h int) string {
	st := l.sh.St
	names := map[string]string{"postgres": "PostgreSQL holds", "redis": "Redis holds", "getfeed": "GetFeed returns"}
	if !l.live() {
		if p.After.IsZero() {
			if which != "postgres" {
				return ""
			}
			return ui.Fit(st.Dim.Render(ui.WrapText("This page is about the pattern as a whole. With the lab running, these "+
				"panels show what PostgreSQL holds, what Redis holds and what GetFeed returns, live.", w)), w, h)
		}
		text := map[string]string{"postgres": p.After.Postgres, "redis": p.After.Redis, "getfeed": p.After.GetFeed}[which]
		return ui.Section(st, names[which], ui.WrapText(text, w), w, h)
	}
	s := l.Snap
	postID := ""
	if l.Walk != nil {
		postID = l.Walk.PostID
	}
	var title string
	var lines []string
	switch which {
	case "postgres":
		title = fmt.Sprintf("PostgreSQL · %d %s", s.RowCount, ui.Pluralize(s.RowCount, "post", "posts"))
		if s.PgErr != nil {
			lines = append(lines, st.Bad.Render("✗ ")+safetext.Visible(ui.BriefErr(s.PgErr)))
			break
		}
		for _, r := range s.Rows {
			mark, style := st.Good.Render("✓ "), st.Item
			if s.RedisErr == nil && !s.HasMember(r.ID) {
				mark, style = st.Drift.Render("✗ "), st.Drift
			}
			lines = append(lines, mark+l.postTitle(r.Title, r.ID == postID, style, w > 40, "not in Redis", s.RedisErr == nil && !s.HasMember(r.ID)))
		}
	case "redis":
		title = fmt.Sprintf("Redis · ZRANGE %s · %d", s.Key(), s.Zcard)
		if len(title) > w {
			title = fmt.Sprintf("Redis · %s · %d", s.Key(), s.Zcard)
		}
		if s.RedisErr != nil {
			lines = append(lines, st.Bad.Render("✗ ")+safetext.Visible(ui.BriefErr(s.RedisErr)))
			break
		}
		if l.redisDown() {
			lines = append(lines, st.Warn.Render(ui.WrapText("seen past the downed proxy; the app cannot reach it:", w)))
		}
		for _, m := range s.Members {
			t := m.Raw
			if m.OK {
				t = m.Item.Title
			}
			label := l.postTitle(t, m.OK && m.Item.PostID == postID, st.Item, false, "", false)
			if w > 40 {
				label = st.Dim.Render(fmt.Sprintf("%d ", m.Score)) + label
			}
			lines = append(lines, "  "+label)
		}
	case "getfeed":
		title = fmt.Sprintf("GetFeed(%q) · %d %s", s.Author, len(s.Feed), ui.Pluralize(len(s.Feed), "item", "items"))
		if len(title) > w {
			title = fmt.Sprintf("GetFeed · %d %s", len(s.Feed), ui.Pluralize(len(s.Feed), "item", "items"))
		}
		if l.feedStale() {
			lines = append(lines, st.Warn.Render(ui.Cut("last answer; asking again…", w)))
		}
		if s.FeedErr != nil {
			title = fmt.Sprintf("GetFeed(%q) fails", s.Author)
			lines = append(lines, st.Bad.Render("✗ ")+safetext.Visible(ui.BriefErr(s.FeedErr)))
			break
		}
		for _, it := range s.Feed {
			lines = append(lines, "  "+l.postTitle(it.Title, it.PostID == postID, st.Item, false, "", false))
		}
	}
	if len(lines) == 0 {
		lines = append(lines, st.Dim.Render("  (empty)"))
	}
	return ui.Section(st, title, strings.Join(lines, "\n"), w, h)
}

// postTitle shows a title from a store, control characters made visible;
// the walk's own post is marked ◀.
func (l *LearnScreen) postTitle(title string, mine bool, style lipgloss.Style, long bool, note string, show bool) string {
	t := style.Render(safetext.Visible(title))
	if mine {
		t += l.sh.St.Accent.Render(" ◀")
	}
	if long && show && note != "" {
		t += l.sh.St.Drift.Render(" · " + note)
	}
	return t
}

// statusView is two lines: where the walk's post is now, and what the last
// action did.
func (l *LearnScreen) statusView() string {
	st := l.sh.St
	var lines []string
	if l.Spiking() { // a spinner while the measurement runs, above what x said
		lines = append(lines, st.Warn.Render(ui.Cut(l.spikeLine(), l.width)))
	} else if v := l.verdict(); v != "" {
		lines = append(lines, v)
	}
	msg := l.Status
	if msg == "" {
		msg = l.defaultStatus()
	}
	style := map[ui.StatusKind]func(...string) string{ui.StatusInfo: st.Item.Render, ui.StatusGood: st.Good.Render,
		ui.StatusWarn: st.Warn.Render, ui.StatusBad: st.Bad.Render}[l.statusKind]
	lines = append(lines, style(ui.WrapText(msg, l.width)))
	return ui.Fit(strings.Join(lines, "\n"), l.width, learnStatusRows)
}

// verdict says where the walk's post is: in neither store, in PostgreSQL
// only, or in both. It is the lesson in one line.
func (l *LearnScreen) verdict() string {
	st := l.sh.St
	if l.Walk == nil || l.Walk.PostID == "" || l.Snap == nil || l.Snap.PgErr != nil {
		return ""
	}
	id := l.Walk.PostID
	inPG, inRedis := l.Snap.HasRow(id), l.Snap.HasMember(id)
	label := fmt.Sprintf("Post %q: ", l.Walk.Title)
	if l.width < 100 {
		label = "Your post: " // the verdict must fit 80 columns whole
	}
	switch {
	case inPG && l.Snap.RedisErr != nil:
		return label + st.Warn.Render("in PostgreSQL; Redis cannot be read right now")
	case inPG && inRedis:
		return label + st.Good.Render("in PostgreSQL and in Redis")
	case inPG && l.Walk.Done && l.Walk.Result.ProjectionErr != nil:
		return label + l.staleVerdict()
	case inPG:
		return label + st.Drift.Render("in PostgreSQL, not in Redis yet")
	case inRedis:
		return label + st.Bad.Render("in Redis but not in PostgreSQL")
	}
	return label + st.Dim.Render("in neither store yet")
}

func (l *LearnScreen) defaultStatus() string {
	s := l.sh.Session
	if l.HAActive() {
		return l.haStatus()
	}
	if l.chapterTwo() && s.Phase != ui.LabStarting && s.Phase != ui.LabStopping {
		return "Read on with →, or press enter to start the replicated lab (topology ha) and step through a failover that loses an acknowledged post."
	}
	switch {
	case s.Phase == ui.LabOff:
		return "Read on with → or press enter to start the lab and run CreatePost for real, one step at a time."
	case s.Phase == ui.LabStarting:
		return "Starting the lab…"
	case s.Phase == ui.LabFailed:
		return "The lab could not start: " + ui.LabFailedWhere + ". enter tries again."
	case s.Phase == ui.LabUp && (l.Walk == nil || l.Walk.Done):
		return "enter runs CreatePost one step at a time against the real stores."
	}
	return ""
}

// live reports whether the panels show the stores (rather than the page's
// description of them).
func (l *LearnScreen) live() bool { return l.Snap != nil && l.sh.Session.Phase == ui.LabUp }

// PageText is the current page's rendered text, all of it, scrolled or
// not: what a test reads below the fold.
func (l *LearnScreen) PageText() string { return l.md[l.markdownKey()] }
