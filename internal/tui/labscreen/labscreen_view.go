package labscreen

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/safetext"
	"cqrslab/internal/tui/ui"
)

// View draws the Lab screen: two header lines that always show the policy,
// the crash point, the active faults and the load; the panes (all at once
// from 120×34, else one at a time with a tab line); and a status line that
// becomes the post form while one is typed.
func (m *LabScreen) View() string {
	st, s, w := m.sh.St, m.sh.Session, m.width
	if s.Phase != ui.LabUp {
		body := st.Title.Render("Lab") + st.Dim.Render(" · PostgreSQL and Redis, yours to break") + "\n\n" +
			ui.LabStatusView(st, s, m.sh.Now, m.sh.Frame, m.sh.Animate, w)
		if s.Phase == ui.LabOff {
			body += "\n" + st.Dim.Render("The lab starts when this screen opens.")
		}
		return ui.Fit(body, w, m.height)
	}
	head := m.header()
	bottom := m.bottomLines()
	bodyH := m.height - 2 - strings.Count(bottom, "\n") - 1
	var body string
	switch {
	case m.grid():
		body = m.gridView(bodyH)
	case m.split():
		// The stores stay in view; the other panes take turns below.
		storesH := bodyH * 2 / 5
		pane := m.Pane
		if pane == PaneStores {
			pane = paneTrace
		}
		body = ui.Vjoin(m.paneView(PaneStores, w, storesH), m.tabsLine(pane, 1),
			m.paneView(pane, w, bodyH-storesH-1))
	default:
		body = m.tabsLine(m.Pane, 0) + "\n" + m.paneView(m.Pane, w, bodyH-1)
	}
	return ui.Fit(ui.Vjoin(head, ui.Fit(body, w, bodyH), bottom), w, m.height)
}

func (m *LabScreen) header() string {
	st, w := m.sh.St, m.width
	crash := st.Dim.Render("off")
	if m.crash {
		crash = st.Warn.Render("ARMED")
	}
	policy := st.Heading.Render(string(m.policy))
	if m.breaker != "" {
		policy += st.Dim.Render(", breaker " + m.breaker)
	}
	line1 := st.Title.Render("Lab") + st.Dim.Render(" · policy ") + policy + st.Dim.Render(" · crash point ") + crash +
		st.Dim.Render(" · author ") + st.Heading.Render(m.authorID())
	return ui.Cut(line1, w) + "\n" + ui.Cut(m.faultsLine()+st.Dim.Render(" │ ")+m.loadLine(), w)
}

// faultsLine lists the active faults; they are never off screen.
func (m *LabScreen) faultsLine() string {
	st := m.sh.St
	faults := m.sh.Session.Faults
	if len(faults) == 0 {
		return st.Dim.Render("Faults: ") + st.Good.Render("none")
	}
	var parts []string
	for _, f := range faults {
		p := f.String()
		if f.Target != "" && f.Target != lab.TargetRedis && !strings.Contains(p, "postgres") {
			p += " (" + f.Target + ")"
		}
		if !f.Since.IsZero() && !m.sh.Now.IsZero() {
			p += " " + ui.Elapsed(max(0, m.sh.Now.Sub(f.Since)))
		}
		parts = append(parts, p)
	}
	return st.Dim.Render("Faults: ") + st.Bad.Render(strings.Join(parts, ", "))
}

func (m *LabScreen) loadLine() string {
	st := m.sh.St
	ld := m.Load
	if ld == nil || !ld.Running {
		return st.Dim.Render(fmt.Sprintf("Load: off (l starts %d/s)", loadRates[m.rateIdx]))
	}
	line := fmt.Sprintf("Load: %d/s", ld.Rate)
	if n := len(ld.Ticks); n > 0 {
		t := ld.Ticks[n-1]
		line += fmt.Sprintf(" · p50 %.1fms p99 %.1fms · in flight %d", t.P50Ms, t.P99Ms, t.InFlight)
	}
	return st.Warn.Render(line)
}

// tabsLine names the panes from the first shown, the current one marked.
func (m *LabScreen) tabsLine(current LabPane, first int) string {
	st := m.sh.St
	var parts []string
	for i, n := range PaneNames {
		if i < first {
			continue
		}
		label := fmt.Sprintf(" %d %s ", i+1, n)
		if LabPane(i) == current {
			parts = append(parts, st.SelectedBg.Render(label))
		} else {
			parts = append(parts, st.Dim.Render(label))
		}
	}
	return ui.Cut(strings.Join(parts, " "), m.width)
}

func (m *LabScreen) gridView(h int) string {
	st, w := m.sh.St, m.width
	row1 := max(6, h*2/5)
	row2 := max(5, (h-row1-2)/2)
	row3 := h - row1 - row2 - 2
	half := ui.SplitWidths(w, 2, 3)
	sep := st.Rule.Render(" │ ")
	return ui.Vjoin(
		m.paneView(PaneStores, w, row1),
		ui.Rule(st, w),
		ui.Hjoin(row2, sep, []string{m.paneView(paneTrace, half[0], row2), m.paneView(paneFaults, half[1], row2)}, half),
		ui.Rule(st, w),
		ui.Hjoin(row3, sep, []string{m.paneView(paneLoad, half[0], row3), m.paneView(paneLog, half[1], row3)}, half),
	)
}

func (m *LabScreen) paneView(p LabPane, w, h int) string {
	switch p {
	case PaneStores:
		return m.storesView(w, h)
	case paneTrace:
		return traceView(m.sh.St, m.Trace, w, h)
	case paneFaults:
		return m.faultsView(w, h)
	case paneLoad:
		return m.loadView(w, h)
	}
	return m.logView(w, h)
}

// storesView shows the chosen author's posts in PostgreSQL beside the
// feed in Redis, with the drift between them highlighted, then the last
// repair and how to reach both stores.
func (m *LabScreen) storesView(w, h int) string {
	st := m.sh.St
	r := m.Refresh
	widths := ui.SplitWidths(w, 2, 3)
	var foot []string
	foot = append(foot, m.driftLine())
	if m.LastRepair != nil && m.LastRepair.Err == nil {
		b, a := m.LastRepair.Before, m.LastRepair.After
		line := fmt.Sprintf("Last %s: before %d rows / %d members / %d missing → after %d / %d / %d",
			strings.ToLower(repairWord(m.LastRepair.Rebuild)), b.Rows, b.Members, b.Missing, a.Rows, a.Members, a.Missing)
		foot = append(foot, st.Dim.Render(line))
	}
	if r != nil && r.status.Summary != "" {
		foot = append(foot, st.Dim.Render("Policy: "+safetext.Visible(r.status.Summary)))
	}
	if h-len(foot) >= 9 {
		foot = append(foot, strings.Split(ui.ConnectionLines(st, m.sh.Session.Info, w), "\n")...)
	}
	colH := max(2, h-len(foot))
	var pg, rd string
	if r == nil {
		pg = ui.Section(st, "PostgreSQL · "+m.authorID(), st.Dim.Render("reading…"), widths[0], colH)
		rd = ui.Section(st, "Redis · feed:"+m.authorID(), st.Dim.Render("reading…"), widths[1], colH)
	} else {
		pg, rd = m.pgColumn(r, widths[0], colH), m.redisColumn(r, widths[1], colH)
	}
	cols := ui.Hjoin(colH, st.Rule.Render(" │ "), []string{pg, rd}, widths)
	return ui.Fit(cols+"\n"+strings.Join(foot, "\n"), w, h)
}

func (m *LabScreen) pgColumn(r *LabRefreshMsg, w, h int) string {
	st, s := m.sh.St, &r.Snap
	title := fmt.Sprintf("PostgreSQL · %s · %d %s", s.Author, s.RowCount, ui.Pluralize(s.RowCount, "post", "posts"))
	if s.PgErr != nil {
		return ui.Section(st, title, st.Bad.Render("✗ "+safetext.Visible(ui.BriefErr(s.PgErr))), w, h)
	}
	var lines []string
	for _, p := range s.Rows {
		mark, style, note := st.Fast.Good.Paint("✓ "), st.Fast.Item, ""
		if s.RedisErr == nil && !s.HasMember(p.ID) {
			mark, style, note = st.Fast.Drift.Paint("✗ "), st.Fast.Drift, st.Fast.Drift.Paint(" not in the feed")
		}
		// The note matters more than the ID: the ID goes first when the
		// column is narrow, then the note (the ✗ and the drift line say it).
		title := style.Paint(safetext.Visible(p.Title))
		line := mark + title + note + st.Fast.Dim.Paint(" "+safetext.Visible(p.ID))
		if ui.Width(line) > w {
			line = mark + title + note
		}
		if ui.Width(line) > w {
			line = mark + title
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		lines = append(lines, st.Dim.Render("(no posts yet: n creates one)"))
	}
	return ui.Section(st, title, strings.Join(lines, "\n"), w, h)
}

func (m *LabScreen) redisColumn(r *LabRefreshMsg, w, h int) string {
	st, s := m.sh.St, &r.Snap
	title := fmt.Sprintf("Redis · ZRANGE feed:%s · ZCARD %d", s.Author, s.Zcard)
	if s.Undecodable > 0 { // GetFeed skips these without a word: say so
		title += fmt.Sprintf(" · %d not posts", s.Undecodable)
	}
	if s.RedisErr != nil {
		return ui.Section(st, "Redis · feed:"+s.Author, st.Bad.Render("✗ cannot read: "+safetext.Visible(ui.BriefErr(s.RedisErr))), w, h)
	}
	var lines []string
	for _, mb := range s.Members {
		t := mb.Raw
		style := st.Fast.Item
		if mb.OK {
			t = mb.Item.Title
			if s.Unexpected(mb.Item.PostID) {
				style = st.Fast.Drift
			}
		} else {
			style = st.Fast.Drift
		}
		lines = append(lines, st.Fast.Dim.Paint(strconv.FormatInt(mb.Score, 10)+" ")+style.Paint(safetext.Visible(t)))
	}
	if len(lines) == 0 {
		lines = append(lines, st.Dim.Render("(empty)"))
	}
	if s.FeedErr != nil {
		lines = append(lines, st.Bad.Render("GetFeed fails: "+safetext.Visible(ui.BriefErr(s.FeedErr))))
	}
	return ui.Section(st, title, strings.Join(lines, "\n"), w, h)
}

// driftLine is the reconciler's check of the chosen author, in one line.
func (m *LabScreen) driftLine() string {
	st, r := m.sh.St, m.Refresh
	switch {
	case r == nil:
		return st.Dim.Render("Drift: checking…")
	case r.driftErr != nil:
		return st.Bad.Render("Drift: cannot check: " + safetext.Visible(ui.BriefErr(r.driftErr)))
	case r.Drift.Author != r.Snap.Author:
		return st.Dim.Render("Drift: checking…") // never another author's, nor an empty check's, counts
	}
	d := r.Drift
	counts := fmt.Sprintf("%d rows, %d members", d.Rows, d.Members)
	if !d.Drifted() {
		return st.Good.Render("No drift: ") + counts + st.Dim.Render(" (Reconciler.Check)")
	}
	if d.InFlight > 0 {
		// Committed, their ZADD still running: not drift yet, shown apart.
		counts += fmt.Sprintf(" · %d %s in flight", d.InFlight, ui.Pluralize(d.InFlight, "write", "writes"))
		if d.Missing == d.InFlight && d.Unexpected+d.Duplicates == 0 {
			return st.Good.Render("No drift: ") + counts + st.Dim.Render(" (their ZADD has not returned yet)")
		}
	}
	return st.Drift.Render(fmt.Sprintf("Drift: %d missing, %d unexpected, %d duplicates", d.Missing-d.InFlight, d.Unexpected, d.Duplicates)) +
		" · " + counts + st.Dim.Render(" · r reconciles, b rebuilds")
}

// faultsView lists every fault with its key; the active ones first, the
// unavailable ones with the reason.
func (m *LabScreen) faultsView(w, h int) string {
	st := m.sh.St
	var lines []string
	title := "Faults"
	if m.Mode == labFaultMenu {
		title += st.Warn.Render(" · press a letter to inject, h heals all, esc closes")
	} else {
		title += st.Dim.Render(" · f then a letter")
	}
	active := map[lab.FaultKind]bool{}
	for _, f := range m.sh.Session.Faults {
		active[f.Kind] = true
	}
	for _, c := range m.menu() {
		line := st.Key.Render(c.key) + " " + c.label
		switch {
		case active[c.fault.Kind]:
			line = st.Key.Render(c.key) + " " + st.Bad.Render(c.label+" · ACTIVE")
		case m.Unavailable[c.fault.Kind] != "":
			why := strings.TrimPrefix(m.Unavailable[c.fault.Kind], lab.ErrFaultUnavailable.Error()+": ")
			line = st.Dim.Render(c.key + " " + c.label + " · unavailable: " + safetext.Visible(why))
		}
		lines = append(lines, line)
	}
	lines = append(lines, st.Key.Render("h")+" heal every fault")
	crash := "off"
	if m.crash {
		crash = st.Warn.Render("ARMED")
	}
	lines = append(lines, st.Key.Render("c")+" crash point (outside the menu): "+crash)
	return ui.Section(st, title, strings.Join(lines, "\n"), w, h)
}

// loadView shows the running load: rate, latency percentiles, writes in
// flight, a chart of p99 over time, and the Redis pool.
func (m *LabScreen) loadView(w, h int) string {
	st, ld := m.sh.St, m.Load
	title := fmt.Sprintf("Load · rate %d writes/s (+/- change it, l starts/stops)", loadRates[m.rateIdx])
	if ld == nil {
		return ui.Section(st, title, st.Dim.Render(ui.WrapText("No load yet. l writes at the chosen rate, round-robin over alice, bob, carol and dave, until l again.", w)), w, h)
	}
	var lines []string
	state := st.Good.Render("running")
	if !ld.Running {
		state = st.Dim.Render("stopped")
	}
	up := m.sh.Now.Sub(ld.Started)
	if !ld.Running && !ld.stopped.IsZero() {
		up = ld.stopped.Sub(ld.Started)
	}
	lines = append(lines, fmt.Sprintf("%s at %d/s for %s", state, ld.Rate, ui.Elapsed(max(0, up))))
	if n := len(ld.Ticks); n > 0 {
		t := ld.Ticks[n-1]
		lines = append(lines,
			fmt.Sprintf("last second: %d started, %d done · p50 %.2fms · p99 %.2fms · in flight %d", t.Started, t.Completed, t.P50Ms, t.P99Ms, t.InFlight),
			fmt.Sprintf("feed update failed: %d · pool: %d conns, %d idle, %d hits, %d misses, %d timeouts",
				t.ProjectionErrors, t.PoolTotal, t.PoolIdle, t.PoolHits, t.PoolMisses, t.PoolTimeouts))
		var p99 []float64
		top := 0.0
		for _, t := range ld.Ticks {
			p99 = append(p99, t.P99Ms)
			top = max(top, t.P99Ms)
		}
		lines = append(lines, st.Dim.Render(fmt.Sprintf("p99 per second (top %.1fms):", top)),
			st.Accent.Render(ui.Sparkline(p99, w-2)))
	} else {
		lines = append(lines, st.Dim.Render("the first numbers come after one second"))
	}
	if r := ld.result; r != nil {
		lines = append(lines, fmt.Sprintf("run: %d attempted, %d acknowledged, %d failed, %d unknown, %d stale feed%s",
			r.Attempted, r.Acknowledged, r.Failed, r.Unknown, r.ProjectionErrors, notRun(r)))
	}
	if d := m.sh.Dropped; d > 0 {
		lines = append(lines, st.Warn.Render(fmt.Sprintf("%d engine events not shown (the screen fell behind)", d)))
	}
	return ui.Section(st, title, strings.Join(lines, "\n"), w, h)
}

// logView shows the newest warnings the write path printed.
func (m *LabScreen) logView(w, h int) string {
	st := m.sh.St
	title := fmt.Sprintf("Log · %d %s", m.LogTotal, ui.Pluralize(m.LogTotal, "line", "lines"))
	if len(m.Logs) == 0 {
		return ui.Section(st, title, st.Dim.Render(ui.WrapText("The write path's warnings appear here (f "+m.faultsDo()+", then write).", w)), w, h)
	}
	// Newest first; each entry wrapped, so the error at its end shows.
	var lines []string
	for i := len(m.Logs) - 1; i >= 0 && len(lines) < h-1; i-- {
		e := m.Logs[i]
		level := st.Dim.Render("INFO ")
		if e.Level >= slog.LevelWarn {
			level = st.Warn.Render("WARN ")
		}
		entry := st.Dim.Render(e.At.Format(time.TimeOnly)+" ") + level + safetext.Visible(e.Text)
		lines = append(lines, strings.Split(ui.WrapText(entry, w), "\n")...)
	}
	return ui.Section(st, title, strings.Join(lines, "\n"), w, h)
}

// bottomLines are the post form while one is typed, else the status (two
// lines at most: a status a learner cannot finish reading is no status).
func (m *LabScreen) bottomLines() string {
	st, w := m.sh.St, m.width
	if m.Mode == labForm {
		return ui.Cut(st.Heading.Render("New post ")+"author "+m.who.View()+"  title "+m.Title.View(), w)
	}
	msg := m.Status
	if msg == "" {
		return st.Dim.Render(ui.Cut("n creates a post, f "+m.faultsDo()+", l starts a load, r repairs the feed.", w))
	}
	style := map[ui.StatusKind]func(...string) string{ui.StatusInfo: st.Item.Render, ui.StatusGood: st.Good.Render,
		ui.StatusWarn: st.Warn.Render, ui.StatusBad: st.Bad.Render}[m.statusKind]
	lines := strings.Split(ui.WrapText(msg, w), "\n")
	if len(lines) > 2 {
		lines = lines[:2]
		lines[1] = ui.Cut(lines[1]+" …", w)
	}
	for i := range lines {
		lines[i] = style(lines[i])
	}
	return strings.Join(lines, "\n")
}

// notRun names the writes the load was asked for and never ran (shed at
// once because too many were in flight, or never started because the
// generator fell behind): they are not failures, and not silence either.
func notRun(r *demo.LoadResult) string {
	if r.Shed == 0 && r.NotStarted == 0 {
		return ""
	}
	return fmt.Sprintf("; %d shed, %d never started", r.Shed, r.NotStarted)
}
