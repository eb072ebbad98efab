package learnscreen

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/safetext"
	"cqrslab/internal/tui/ui"
	"cqrslab/lessons"
)

// The Learn screen's actions: the walk through CreatePost, and breaking,
// mending and repairing the lab on the way. Each returns the Cmd doing the
// I/O; the results come back to Update as messages.

// step is enter: start the lab, start a walk, or run the step the walk is
// paused before.
func (l *LearnScreen) step() tea.Cmd {
	s := l.sh.Session
	if l.chapterTwo() {
		return l.haStart() // chapter two runs on the replicated lab (learn_ha.go)
	}
	switch {
	case s.Phase == ui.LabOff || s.Phase == ui.LabFailed:
		l.PendingWalk = true
		l.SetStatus(ui.StatusInfo, "Starting the lab; CreatePost starts as soon as both stores answer.")
		return s.Start(l.sh.Ctx, l.sh.Cfg, l.sh.Bus)
	case s.Phase != ui.LabUp || l.Svc == nil:
		l.PendingWalk = true
		return nil
	case l.Walk == nil || l.Walk.Done:
		return l.startWalk()
	case l.Walk.Waiting != "":
		w := l.Walk
		w.Running, w.Waiting = w.Waiting, ""
		l.SetStatus(ui.StatusInfo, "Running %s…", w.Running)
		return w.Next()
	}
	l.SetStatus(ui.StatusInfo, "%s is still running.", l.Walk.Running)
	return nil
}

func (l *LearnScreen) startWalk() tea.Cmd {
	l.walks++
	title := fmt.Sprintf("Hello from step-through #%d", l.walks)
	w, cmd := BeginWalk(l.sh.Session.Ctx, l.Svc, l.walks, title)
	l.Walk = w
	l.SetStatus(ui.StatusInfo, "CreatePost(author %q, title %q) starts; the engine pauses before each step.", WalkAuthor, title)
	return cmd
}

func (l *LearnScreen) labStarted(msg ui.LabStartedMsg) tea.Cmd {
	s := l.sh.Session
	if msg.Err != nil || !s.Ready() {
		l.PendingWalk = false
		if s.Phase == ui.LabFailed {
			l.failedOn = l.page + 1
			l.SetStatus(ui.StatusBad, "The lab could not start: %s. enter tries again.", ui.LabFailedWhere)
		}
		return nil
	}
	l.eng, l.rollbackSvc = newLearnEngine(s.Stores, l.sh.EngineOptions(demo.PolicySeed)), nil
	l.Svc = l.eng.svc
	cmds := []tea.Cmd{l.refresh(), l.WantMarkdown()} // the pool is now the client's
	if l.PendingWalk {
		l.PendingWalk = false
		cmds = append(cmds, l.startWalk())
	} else {
		l.SetStatus(ui.StatusGood, "The lab is up. enter runs CreatePost one step at a time.")
	}
	return tea.Batch(cmds...)
}

func (l *LearnScreen) walkPaused(msg WalkPausedMsg) tea.Cmd {
	w := l.Walk
	if w == nil || msg.Id != w.Id {
		return nil
	}
	w.Waiting = msg.Step
	var cmd tea.Cmd
	if len(w.Events) == 0 {
		// The first pause: show the page of the step about to run.
		if p, ok := lessons.StepPage(l.sh.Pages, string(msg.Step), false); ok {
			cmd = l.SetPage(l.PageIndex(p.ID))
		}
		l.SetStatus(ui.StatusInfo, "CreatePost is paused before %s. Look at the panels, then press enter to run it.", msg.Step)
	} else {
		last := w.Events[len(w.Events)-1]
		l.SetStatus(l.stepKind(last), "%s Paused before %s: enter runs it.", l.stepResult(last), msg.Step)
	}
	return tea.Batch(cmd, l.refresh(), w.Listen())
}

func (l *LearnScreen) walkStep(msg WalkStepMsg) tea.Cmd {
	w := l.Walk
	if w == nil || msg.Id != w.Id {
		return nil
	}
	w.Events = append(w.Events, msg.Ev)
	if msg.Ev.PostID != "" {
		w.PostID = msg.Ev.PostID
	}
	var cmd tea.Cmd
	if p, ok := lessons.StepPage(l.sh.Pages, string(msg.Ev.Step), msg.Ev.Err != nil); ok {
		cmd = l.SetPage(l.PageIndex(p.ID))
	}
	l.SetStatus(l.stepKind(msg.Ev), "%s", l.stepResult(msg.Ev))
	return tea.Batch(cmd, l.refresh(), w.Listen())
}

func (l *LearnScreen) walkDone(msg WalkDoneMsg) tea.Cmd {
	w := l.Walk
	if w == nil || msg.Id != w.Id {
		return nil
	}
	w.Done, w.Result, w.Err, w.Waiting = true, msg.Res, msg.Err, ""
	switch {
	case msg.Err != nil:
		l.SetStatus(ui.StatusBad, "CreatePost failed: %s. Nothing reached Redis. enter starts another.", safetext.Visible(ui.DescribeErr(msg.Err)))
	case msg.Res.ProjectionErr != nil:
		l.SetStatus(ui.StatusWarn, "CreatePost returned success, yet the feed is stale. h heals Redis, then r repairs the feed.")
		return tea.Batch(l.SetPage(l.PageIndex("stale-feed")), l.refresh())
	default:
		l.SetStatus(ui.StatusGood, "CreatePost returned success: the post is in both stores. enter writes another.")
		l.walkClaims()
	}
	return l.refresh()
}

// stepResult says in words what a step did.
func (l *LearnScreen) stepResult(e demo.Event) string {
	if e.Err != nil {
		return fmt.Sprintf("%s failed after %s: %s.", e.Step, ui.Ms(e.Duration), safetext.Visible(ui.BriefErr(e.Err)))
	}
	return fmt.Sprintf("%s done in %s.", e.Step, ui.Ms(e.Duration))
}

func (l *LearnScreen) stepKind(e demo.Event) ui.StatusKind {
	if e.Err != nil {
		return ui.StatusBad
	}
	return ui.StatusGood
}

// refresh reads both stores, and GetFeed, for the panels: one read of each
// at a time; a request while one runs is remembered and done after it, so
// the panels always end on the latest state.
func (l *LearnScreen) refresh() tea.Cmd {
	s := l.sh.Session
	if !s.Ready() || l.Svc == nil {
		return nil
	}
	var cmds []tea.Cmd
	if l.snapBusy {
		l.snapAgain = true
	} else {
		l.snapBusy = true
		cmds = append(cmds, ui.ReadStoresCmd(s.Ctx, s.Reads, WalkAuthor, 5, func(r ui.StoreSnapshot) tea.Msg { return LearnStoresMsg{r} }))
	}
	if l.feedBusy {
		l.feedAgain = true
	} else {
		l.feedBusy = true
		reads, asked := s.Reads, time.Now()
		l.feedAskedAt = asked
		if l.eng != nil {
			reads = l.eng.reads
		}
		cmds = append(cmds, ui.ReadFeedCmd(s.Ctx, reads, WalkAuthor, 5, func(r ui.FeedResult) tea.Msg { return LearnFeedMsg{FeedResult: r, Asked: asked} }))
	}
	return tea.Batch(cmds...)
}

func (l *LearnScreen) breakRedis() tea.Cmd {
	s := l.sh.Session
	switch {
	case !s.Ready():
		l.SetStatus(ui.StatusInfo, "Start the lab first: enter starts it and CreatePost.")
		return nil
	case l.FaultBusy:
		return nil
	case l.redisDown():
		l.SetStatus(ui.StatusInfo, "Redis is down already. h heals it.")
		return nil
	}
	l.FaultBusy = true
	l.SetStatus(ui.StatusWarn, "Breaking Redis (its proxy goes down)…")
	return ui.InjectFault(s.Ctx, s.Lab, lab.Fault{Kind: lab.FaultDown}, "break", func(r ui.FaultResult) tea.Msg { return LearnFaultMsg{r} })
}

func (l *LearnScreen) mendRedis() tea.Cmd {
	s := l.sh.Session
	if !s.Ready() || l.FaultBusy {
		return nil
	}
	l.FaultBusy = true
	l.SetStatus(ui.StatusInfo, "Healing Redis…")
	return ui.HealAll(s.Ctx, s.Lab, func(r ui.FaultResult) tea.Msg { return LearnFaultMsg{r} })
}

func (l *LearnScreen) faultDone(msg ui.FaultResult) tea.Cmd {
	l.FaultBusy = false
	switch {
	case msg.Err != nil:
		l.SetStatus(ui.StatusBad, "%s", safetext.Visible(ui.DescribeErr(msg.Err)))
	case msg.What == "break":
		next := "enter runs the next step"
		if l.Walk == nil || l.Walk.Done {
			next = "enter runs CreatePost"
		}
		l.SetStatus(ui.StatusWarn, "Redis is down: connections to it are refused, its data is kept. %s: the ZADD will fail.", next)
	default:
		if l.eng != nil {
			// A fresh pool, as an app restarted now would have: without it
			// go-redis refuses for up to a second after PoolSize failed dials.
			l.eng.rc.Renew()
		}
		l.healedAt = time.Now()
		l.lastHeal = l.healedAt
		// Do not wait for a GetFeed still failing on the old pool.
		l.feedCut, l.feedBusy, l.feedAgain = l.healedAt, false, false
		l.SetStatus(ui.StatusGood, "Redis is back; GetFeed is asked on a fresh pool. r repairs the feed.")
	}
	return l.refresh()
}

func (l *LearnScreen) repair() tea.Cmd {
	s := l.sh.Session
	if !s.Ready() || l.Svc == nil || l.RepairBusy {
		if !s.Ready() {
			l.SetStatus(ui.StatusInfo, "Start the lab first: enter starts it and CreatePost.")
		}
		return nil
	}
	l.RepairBusy = true
	l.SetStatus(ui.StatusInfo, "The reconciler compares %s's feed with PostgreSQL and repairs it…", WalkAuthor)
	return ui.RepairFeeds(s.Ctx, s.Reads, s.Own, false, func(r ui.RepairResult) tea.Msg { return LearnRepairMsg{r} }, WalkAuthor)
}

func (l *LearnScreen) repaired(msg ui.RepairResult) tea.Cmd {
	l.RepairBusy = false
	if msg.Err != nil {
		hint := ""
		if l.redisDown() {
			hint = " Redis is still down: h heals it first."
		}
		l.SetStatus(ui.StatusBad, "The repair failed: %s.%s", safetext.Visible(ui.DescribeErr(msg.Err)), hint)
		return l.refresh()
	}
	b, a := msg.Before, msg.After
	l.SetStatus(ui.StatusGood, "Reconciler: before %d rows, %d in the feed, %d missing; after %d rows, %d in the feed, %d missing.",
		b.Rows, b.Members, b.Missing, a.Rows, a.Members, a.Missing)
	if b.Missing > 0 && a.Missing == 0 {
		l.meet("d", fmt.Sprintf("%d missing %s added back from PostgreSQL in %s: %d rows, %d in the feed",
			b.Missing, ui.Pluralize(b.Missing, "post", "posts"), ui.Ms(msg.Took), a.Rows, a.Members))
	}
	var cmd tea.Cmd
	if b.Missing+b.Unexpected+b.Duplicates > 0 {
		cmd = l.SetPage(l.PageIndex("reconciler"))
	}
	return tea.Batch(cmd, l.refresh())
}
