package tui

import (
	"cqrslab/internal/tui/ui"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/safetext"
	"cqrslab/lessons"
)

// The Learn screen's actions: the walk through CreatePost, and breaking,
// mending and repairing the lab on the way. Each returns the Cmd doing the
// I/O; the results come back to Update as messages.

// step is enter: start the lab, start a walk, or run the step the walk is
// paused before.
func (l *learnScreen) step() tea.Cmd {
	s := l.sh.session
	switch {
	case s.phase == labOff || s.phase == labFailed:
		l.pendingWalk = true
		l.setStatus(statusInfo, "Starting the lab; CreatePost starts as soon as both stores answer.")
		return s.start(l.sh.ctx, l.sh.cfg, l.sh.bus)
	case s.phase != labUp || l.svc == nil:
		l.pendingWalk = true
		return nil
	case l.walk == nil || l.walk.done:
		return l.startWalk()
	case l.walk.waiting != "":
		w := l.walk
		w.running, w.waiting = w.waiting, ""
		l.setStatus(statusInfo, "Running %s…", w.running)
		return w.next()
	}
	l.setStatus(statusInfo, "%s is still running.", l.walk.running)
	return nil
}

func (l *learnScreen) startWalk() tea.Cmd {
	l.walks++
	title := fmt.Sprintf("Hello from step-through #%d", l.walks)
	w, cmd := beginWalk(l.sh.session.ctx, l.svc, l.walks, title)
	l.walk = w
	l.setStatus(statusInfo, "CreatePost(author %q, title %q) starts; the engine pauses before each step.", walkAuthor, title)
	return cmd
}

func (l *learnScreen) labStarted(msg labStartedMsg) tea.Cmd {
	s := l.sh.session
	if msg.err != nil || !s.ready() {
		l.pendingWalk = false
		if s.phase == labFailed {
			l.setStatus(statusBad, "The lab could not start (see above). enter tries again.")
		}
		return nil
	}
	l.svc = s.stores.Service(l.sh.engineOptions(demo.PolicySeed))
	cmds := []tea.Cmd{l.refresh()}
	if l.pendingWalk {
		l.pendingWalk = false
		cmds = append(cmds, l.startWalk())
	} else {
		l.setStatus(statusGood, "The lab is up. enter runs CreatePost one step at a time.")
	}
	return tea.Batch(cmds...)
}

func (l *learnScreen) walkPaused(msg walkPausedMsg) tea.Cmd {
	w := l.walk
	if w == nil || msg.id != w.id {
		return nil
	}
	w.waiting = msg.step
	var cmd tea.Cmd
	if len(w.events) == 0 {
		// The first pause: show the page of the step about to run.
		if p, ok := lessons.StepPage(l.sh.pages, string(msg.step), false); ok {
			cmd = l.setPage(l.pageIndex(p.ID))
		}
		l.setStatus(statusInfo, "CreatePost is paused before %s. Look at the panels, then press enter to run it.", msg.step)
	} else {
		last := w.events[len(w.events)-1]
		l.setStatus(l.stepKind(last), "%s Paused before %s: enter runs it.", l.stepResult(last), msg.step)
	}
	return tea.Batch(cmd, l.refresh(), w.listen())
}

func (l *learnScreen) walkStep(msg walkStepMsg) tea.Cmd {
	w := l.walk
	if w == nil || msg.id != w.id {
		return nil
	}
	w.events = append(w.events, msg.ev)
	if msg.ev.PostID != "" {
		w.postID = msg.ev.PostID
	}
	var cmd tea.Cmd
	if p, ok := lessons.StepPage(l.sh.pages, string(msg.ev.Step), msg.ev.Err != nil); ok {
		cmd = l.setPage(l.pageIndex(p.ID))
	}
	l.setStatus(l.stepKind(msg.ev), "%s", l.stepResult(msg.ev))
	return tea.Batch(cmd, l.refresh(), w.listen())
}

func (l *learnScreen) walkDone(msg walkDoneMsg) tea.Cmd {
	w := l.walk
	if w == nil || msg.id != w.id {
		return nil
	}
	w.done, w.result, w.err, w.waiting = true, msg.res, msg.err, ""
	switch {
	case msg.err != nil:
		l.setStatus(statusBad, "CreatePost failed: %s. Nothing reached Redis. enter starts another.", safetext.Visible(describeErr(msg.err)))
	case msg.res.ProjectionErr != nil:
		l.setStatus(statusWarn, "CreatePost returned success, yet the feed is stale. h heals Redis, then r repairs the feed.")
		return tea.Batch(l.setPage(l.pageIndex("stale-feed")), l.refresh())
	default:
		l.setStatus(statusGood, "CreatePost returned success: the post is in both stores. enter writes another.")
	}
	return l.refresh()
}

// stepResult says in words what a step did.
func (l *learnScreen) stepResult(e demo.Event) string {
	if e.Err != nil {
		return fmt.Sprintf("%s failed after %s: %s.", e.Step, ui.Ms(e.Duration), safetext.Visible(briefErr(e.Err)))
	}
	return fmt.Sprintf("%s done in %s.", e.Step, ui.Ms(e.Duration))
}

func (l *learnScreen) stepKind(e demo.Event) statusKind {
	if e.Err != nil {
		return statusBad
	}
	return statusGood
}

// refresh reads both stores, and GetFeed, for the panels: one read of each
// at a time; a request while one runs is remembered and done after it, so
// the panels always end on the latest state.
func (l *learnScreen) refresh() tea.Cmd {
	s := l.sh.session
	if !s.ready() || l.svc == nil {
		return nil
	}
	var cmds []tea.Cmd
	if l.snapBusy {
		l.snapAgain = true
	} else {
		l.snapBusy = true
		cmds = append(cmds, readStoresCmd(s.ctx, s.reads, walkAuthor, 5, func(r storeSnapshot) tea.Msg { return learnStoresMsg{r} }))
	}
	if l.feedBusy {
		l.feedAgain = true
	} else {
		l.feedBusy = true
		cmds = append(cmds, readFeedCmd(s.ctx, s.reads, walkAuthor, 5, func(r feedResult) tea.Msg { return learnFeedMsg{r} }))
	}
	return tea.Batch(cmds...)
}

func (l *learnScreen) breakRedis() tea.Cmd {
	s := l.sh.session
	switch {
	case !s.ready():
		l.setStatus(statusInfo, "Start the lab first: enter starts it and CreatePost.")
		return nil
	case l.faultBusy:
		return nil
	case l.redisDown():
		l.setStatus(statusInfo, "Redis is down already. h heals it.")
		return nil
	}
	l.faultBusy = true
	l.setStatus(statusWarn, "Breaking Redis (its proxy goes down)…")
	return injectFault(s.ctx, s.lab, lab.Fault{Kind: lab.FaultDown}, "break", func(r faultResult) tea.Msg { return learnFaultMsg{r} })
}

func (l *learnScreen) mendRedis() tea.Cmd {
	s := l.sh.session
	if !s.ready() || l.faultBusy {
		return nil
	}
	l.faultBusy = true
	l.setStatus(statusInfo, "Healing Redis…")
	return healAll(s.ctx, s.lab, func(r faultResult) tea.Msg { return learnFaultMsg{r} })
}

func (l *learnScreen) faultDone(msg faultResult) tea.Cmd {
	l.faultBusy = false
	switch {
	case msg.err != nil:
		l.setStatus(statusBad, "%s", safetext.Visible(describeErr(msg.err)))
	case msg.what == "break":
		next := "enter runs the next step"
		if l.walk == nil || l.walk.done {
			next = "enter runs CreatePost"
		}
		l.setStatus(statusWarn, "Redis is down: connections to it are refused, its data is kept. %s: the ZADD will fail.", next)
	default:
		l.setStatus(statusGood, "Redis is back. The feed still misses what was written while it was down: r repairs it.")
	}
	return l.refresh()
}

func (l *learnScreen) repair() tea.Cmd {
	s := l.sh.session
	if !s.ready() || l.svc == nil || l.repairBusy {
		if !s.ready() {
			l.setStatus(statusInfo, "Start the lab first: enter starts it and CreatePost.")
		}
		return nil
	}
	l.repairBusy = true
	l.setStatus(statusInfo, "The reconciler compares %s's feed with PostgreSQL and repairs it…", walkAuthor)
	return repairFeeds(s.ctx, s.reads, false, func(r repairResult) tea.Msg { return learnRepairMsg{r} }, walkAuthor)
}

func (l *learnScreen) repaired(msg repairResult) tea.Cmd {
	l.repairBusy = false
	if msg.err != nil {
		hint := ""
		if l.redisDown() {
			hint = " Redis is still down: h heals it first."
		}
		l.setStatus(statusBad, "The repair failed: %s.%s", safetext.Visible(describeErr(msg.err)), hint)
		return l.refresh()
	}
	b, a := msg.Before, msg.After
	l.setStatus(statusGood, "Reconciler: before %d rows, %d in the feed, %d missing; after %d rows, %d in the feed, %d missing.",
		b.Rows, b.Members, b.Missing, a.Rows, a.Members, a.Missing)
	var cmd tea.Cmd
	if b.Missing+b.Unexpected+b.Duplicates > 0 {
		cmd = l.setPage(l.pageIndex("reconciler"))
	}
	return tea.Batch(cmd, l.refresh())
}
