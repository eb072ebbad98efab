package learnscreen

import (
	"context"
	"fmt"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/safetext"
	"cqrslab/internal/tui/ui"
)

// Chapter two's step-through: on the replicated lab (topology ha), the
// learner writes post A (on the primary and both replicas), cuts the
// primary off and writes post B at once (the cut-off primary acknowledges
// it), waits for the Sentinels to promote a replica, heals (the old
// primary rejoins as a replica and drops B), sees CreatePost's success, a
// feed without B and PostgreSQL with it, and runs the reconciler.
//
// Why the partition and not a kill: on this machine a killed primary had
// streamed every write to its replicas (0 lost in every measured run), so
// a kill would usually show nothing lost. A write to a primary cut off
// from its replicas cannot have reached them, so the loss it shows is
// certain, and it is the same mechanism: a write acknowledged by a node
// that the failover then overrules.
//
// While it runs the screen is modal: esc leaves it and removes the ha lab
// (its fault goes with it); q does the same on the way out.

// chapterTwoPages are the pages from which enter starts the step-through.
var chapterTwoPages = []string{"failover", "split-brain"}

// HAStage is where the step-through is.
type HAStage int

const (
	HAOff       HAStage = iota // not running
	HASwitching                // chapter one's lab is being removed first
	HAStarting                 // the ha lab is starting
	HAReady                    // enter writes post A
	HAWritingA
	HAWroteA // A is on every node: enter cuts the primary off and writes B
	HACutting
	HAPromoting // B acknowledged; the Sentinels have not promoted yet
	HAPromoted  // enter heals the partition
	HAHealing
	HAGone // B acknowledged, then gone: r runs the reconciler
	HARepairing
	HARepaired
)

// HAWalk is the step-through's state. Update alone changes it; its Cmds
// carry Gen so that a reply from a step-through that was left is dropped.
type HAWalk struct {
	Stage      HAStage
	Gen        int
	A, B       demo.Result
	ATook      time.Duration
	BTook      time.Duration
	OldPrimary string // the node the Sentinels named primary when B was written
	NewPrimary string
	CutAt      time.Time // when the partition began
	Promote    time.Duration
	View       demo.HAView // every node, read node by node
	Feed       []demo.FeedItem
	FeedErr    error
	Rows       demo.RowsSnapshot
	Repair     demo.RepairReport

	// reads counts the reads of the stores asked for, shown the number of
	// the newest applied: under load a read asked earlier can answer after
	// a later one (or after a write), and must not put older data back.
	reads, shown int
}

// The step-through's replies.
type (
	haWroteMsg struct {
		gen    int
		second bool // post B (after the cut), else A
		res    demo.Result
		took   time.Duration
		err    error
		view   demo.HAView
		// PostgreSQL and the app's GetFeed, read after the nodes
		rows    demo.RowsSnapshot
		feed    []demo.FeedItem
		feedErr error
	}
	haPromotedMsg struct {
		gen     int
		primary string
		err     error
	}
	haReadMsg struct {
		gen     int
		seq     int    // the read's number (HAWalk.reads when asked)
		after   string // "heal" or "repair" when it follows one, else ""
		healErr error  // set when the read followed a heal that failed
		repair  *demo.RepairReport
		err     error // the repair's error
		view    demo.HAView
		feed    []demo.FeedItem
		feedErr error
		rows    demo.RowsSnapshot
	}
)

// HAActive reports whether the step-through is running (the screen is
// modal then).
func (l *LearnScreen) HAActive() bool { return l.HA.Stage != HAOff }

// Modal gives esc to the screen while something on it can be cancelled:
// the spike measurement (esc cancels it) or chapter two's step-through
// (esc leaves it), instead of leaving the screen.
func (l *LearnScreen) Modal() bool { return l.Spiking() || l.HAActive() }

// chapterTwo reports whether the page shown is one of chapter two's.
func (l *LearnScreen) chapterTwo() bool {
	return len(l.sh.Pages) > 0 && slices.Contains(chapterTwoPages, l.current().ID)
}

// haStart is enter on a chapter-two page: start (or switch to) the ha
// lab, or, when it runs already, begin.
func (l *LearnScreen) haStart() tea.Cmd {
	s := l.sh.Session
	l.HA = HAWalk{Gen: l.HA.Gen + 1}
	switch s.Phase {
	case ui.LabUp:
		if s.Info.Topology == lab.TopologyHA {
			l.HA.Stage = HAReady
			l.SetStatus(ui.StatusGood, "The ha lab is up. enter runs CreatePost(post A).")
			return l.haRead()
		}
		l.abandonWalk()
		l.HA.Stage = HASwitching
		l.SetStatus(ui.StatusInfo, "Removing chapter one's lab (one Redis) to start the replicated one…")
		return s.Stop()
	case ui.LabOff, ui.LabFailed:
		return l.haLaunch()
	}
	l.HA.Stage = HAOff
	l.SetStatus(ui.StatusInfo, "The lab is starting or stopping; press enter again when it is done.")
	return nil
}

// haLaunch starts the ha lab with the app's options and topology ha.
func (l *LearnScreen) haLaunch() tea.Cmd {
	l.HA.Stage = HAStarting
	cfg := l.sh.Cfg
	cfg.Lab.Topology = lab.TopologyHA
	l.SetStatus(ui.StatusInfo, "Starting the ha lab: PostgreSQL, a Redis primary, two replicas, three Sentinels (about 10 s; longer on a busy machine). esc cancels.")
	return l.sh.Session.Start(l.sh.Ctx, cfg, l.sh.Bus)
}

// abandonWalk drops chapter one's walk (its lab is going away).
func (l *LearnScreen) abandonWalk() {
	if l.Walk != nil && !l.Walk.Done {
		l.Walk.Cancel()
	}
	l.Walk = nil
}

// LabClosed is told when the app's lab has been torn down: a switch to
// the ha lab starts it now.
func (l *LearnScreen) LabClosed() tea.Cmd {
	l.eng, l.Svc, l.Snap, l.rollbackSvc = nil, nil, nil, nil
	if l.HA.Stage == HASwitching {
		return l.haLaunch()
	}
	return nil
}

// haStarted follows labStarted when the step-through waits for its lab.
func (l *LearnScreen) haStarted(msg ui.LabStartedMsg) tea.Cmd {
	if l.HA.Stage != HAStarting {
		return nil
	}
	s := l.sh.Session
	if msg.Err != nil || !s.Ready() {
		l.HA.Stage = HAOff
		if s.Phase == ui.LabFailed {
			l.failedOn = l.page + 1
			l.SetStatus(ui.StatusBad, "The ha lab could not start: %s. enter tries again.", ui.LabFailedWhere)
		}
		return nil
	}
	l.HA.Stage = HAReady
	l.SetStatus(ui.StatusGood, "The ha lab is up (%s). enter runs CreatePost(post A).", ui.Elapsed(time.Since(s.Began)))
	return l.haRead()
}

// haLeave is esc: the lab goes, and with it every fault.
func (l *LearnScreen) haLeave() tea.Cmd {
	s := l.sh.Session
	l.HA = HAWalk{Gen: l.HA.Gen + 1}
	l.SetStatus(ui.StatusInfo, "Left the step-through: its lab and any fault on it are being removed.")
	return s.Stop()
}

// haNext is enter during the step-through.
func (l *LearnScreen) haNext() tea.Cmd {
	s, h := l.sh.Session, &l.HA
	if !s.Ready() || l.Svc == nil {
		return nil
	}
	switch h.Stage {
	case HAReady:
		h.Stage = HAWritingA
		l.SetStatus(ui.StatusInfo, "CreatePost(post A)…")
		h.reads++ // a read asked before the write is older than the write's
		return haWrite(s.Ctx, s.Lab, l.Svc, s.Reads, l.eng, h.Gen, false, nil)
	case HAWroteA:
		h.Stage, h.OldPrimary, h.CutAt = HACutting, h.View.Primary, time.Now()
		l.SetStatus(ui.StatusWarn, "Cutting the primary off from its replicas and Sentinels, then CreatePost(post B) at once…")
		h.reads++
		return haWrite(s.Ctx, s.Lab, l.Svc, s.Reads, l.eng, h.Gen, true, l.haIDs())
	case HAPromoted:
		h.Stage = HAHealing
		l.SetStatus(ui.StatusInfo, "Healing: the old primary is reconnected; the Sentinels make it a replica of %s…", h.NewPrimary)
		return l.haHeal()
	case HAGone:
		return l.haRepair()
	case HARepaired:
		l.SetStatus(ui.StatusInfo, "The step-through is done. esc leaves it (and removes the ha lab).")
	}
	return nil
}

// haWrite runs CreatePost for post A, or for B right after cutting the
// primary off, then reads every node, PostgreSQL and GetFeed. A is read again until both replicas
// have it (replication is asynchronous, and fast), for at most 2 s.
func haWrite(ctx context.Context, l *lab.Lab, svc *demo.PostService, reads *demo.ReadModel, eng *learnEngine, gen int, second bool, known []string) tea.Cmd {
	return func() tea.Msg {
		msg := haWroteMsg{gen: gen, second: second}
		title := "post A (before the partition)"
		if second {
			title = "post B (to the cut-off primary)"
			if msg.err = l.Inject(ctx, lab.Fault{Kind: lab.FaultRedisPartition}); msg.err != nil {
				return msg
			}
		}
		start := time.Now()
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		msg.res, msg.err = svc.CreatePost(wctx, demo.NewPost{AuthorID: WalkAuthor, Title: title})
		cancel()
		msg.took = time.Since(start)
		if msg.err != nil {
			return msg
		}
		id := msg.res.Post.ID
		ids := append(slices.Clone(known), id)
		deadline := time.Now().Add(2 * time.Second)
		for {
			rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			msg.view = demo.ReadHA(rctx, l.CurrentInfo().Redis, WalkAuthor, ids)
			cancel()
			if second || everyNodeHas(msg.view, id) || time.Now().After(deadline) || ctx.Err() != nil {
				all := haReadAll(ctx, l, reads, eng, gen, ids)
				msg.rows, msg.feed, msg.feedErr = all.rows, all.feed, all.feedErr
				return msg
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func everyNodeHas(v demo.HAView, id string) bool {
	for _, n := range v.Nodes {
		if !n.Holds(id) {
			return false
		}
	}
	return len(v.Nodes) > 0
}

// haAwaitPromotion asks the Sentinels, every 200 ms for at most 30 s,
// until they name a primary other than the cut-off one.
func haAwaitPromotion(ctx context.Context, l *lab.Lab, gen int, old string) tea.Cmd {
	return func() tea.Msg {
		deadline := time.Now().Add(30 * time.Second)
		for {
			rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			v := demo.ReadHA(rctx, l.CurrentInfo().Redis, WalkAuthor, nil)
			cancel()
			if v.Primary != "" && v.Primary != old {
				return haPromotedMsg{gen: gen, primary: v.Primary}
			}
			if ctx.Err() != nil || time.Now().After(deadline) {
				return haPromotedMsg{gen: gen, err: fmt.Errorf("the Sentinels still name %s the primary after 30 s", old)}
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

func (l *LearnScreen) haWrote(msg haWroteMsg) tea.Cmd {
	h, s := &l.HA, l.sh.Session
	if msg.gen != h.Gen {
		return nil
	}
	if msg.err != nil {
		if msg.second {
			h.Stage = HAWroteA
		} else {
			h.Stage = HAReady
		}
		l.SetStatus(ui.StatusBad, "%s. enter tries again; esc leaves.", safetext.Visible(ui.DescribeErr(msg.err)))
		return nil
	}
	h.View, h.Rows, h.Feed, h.FeedErr, h.shown = msg.view, msg.rows, msg.feed, msg.feedErr, h.reads
	if !msg.second {
		h.A, h.ATook, h.Stage = msg.res, msg.took, HAWroteA
		l.SetStatus(ui.StatusGood, "CreatePost(post A) returned success in %s. enter cuts the primary off and writes post B at once.", ui.Ms(msg.took))
		return l.refresh()
	}
	h.B, h.BTook, h.Stage = msg.res, msg.took, HAPromoting
	if msg.res.ProjectionErr != nil {
		l.SetStatus(ui.StatusWarn, "CreatePost(post B) succeeded but its ZADD failed (%s): nothing was acknowledged. Waiting for the failover…",
			safetext.Visible(ui.BriefErr(msg.res.ProjectionErr)))
	} else {
		l.SetStatus(ui.StatusGood, "CreatePost(post B) returned success in %s: the cut-off primary acknowledged the ZADD. "+
			"Waiting for the Sentinels to promote a replica…", ui.Ms(msg.took))
	}
	return tea.Batch(l.refresh(), haAwaitPromotion(s.Ctx, s.Lab, h.Gen, h.OldPrimary))
}

func (l *LearnScreen) haPromoted(msg haPromotedMsg) tea.Cmd {
	h := &l.HA
	if msg.gen != h.Gen || h.Stage != HAPromoting {
		return nil
	}
	if msg.err != nil {
		l.SetStatus(ui.StatusBad, "%s. esc leaves (and removes the lab).", safetext.Visible(msg.err.Error()))
		return nil
	}
	h.NewPrimary, h.Promote, h.Stage = msg.primary, time.Since(h.CutAt), HAPromoted
	l.SetStatus(ui.StatusWarn, "The Sentinels promoted %s %s after the cut. Two nodes say master. enter heals the partition.",
		msg.primary, ui.Elapsed(h.Promote))
	return l.haRead()
}

// haHeal ends the partition (the lab waits until the old primary is a
// synchronised replica), renews the screen's client (a new pool asks the
// Sentinels where the primary is now), then reads everything.
func (l *LearnScreen) haHeal() tea.Cmd {
	s, gen := l.sh.Session, l.HA.Gen
	ctx, lb, reads, rc := s.Ctx, s.Lab, s.Reads, l.eng
	ids := l.haIDs()
	l.HA.reads++
	seq := l.HA.reads
	return func() tea.Msg {
		hctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		err := lb.Heal(hctx, lab.FaultRedisPartition)
		cancel()
		if rc != nil {
			rc.rc.Renew()
		}
		msg := haReadAll(ctx, lb, reads, rc, gen, ids)
		msg.seq, msg.after, msg.healErr = seq, "heal", err
		return msg
	}
}

// haRepair runs the reconciler on the author's feed (PostgreSQL against
// the feed, missing members added back), then reads everything.
func (l *LearnScreen) haRepair() tea.Cmd {
	s, gen := l.sh.Session, l.HA.Gen
	ctx, lb, reads, rc := s.Ctx, s.Lab, s.Reads, l.eng
	ids := l.haIDs()
	l.HA.Stage = HARepairing
	l.HA.reads++
	seq := l.HA.reads
	l.SetStatus(ui.StatusInfo, "The reconciler compares %s's feed with PostgreSQL and adds back what is missing…", WalkAuthor)
	return func() tea.Msg {
		rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		rep, err := reads.Repair(rctx, false, WalkAuthor)
		cancel()
		msg := haReadAll(ctx, lb, reads, rc, gen, ids)
		msg.seq, msg.after, msg.repair, msg.err = seq, "repair", &rep, err
		return msg
	}
}

// haRead reads every node, PostgreSQL and GetFeed for the panel.
func (l *LearnScreen) haRead() tea.Cmd {
	s, gen := l.sh.Session, l.HA.Gen
	ctx, lb, reads, rc := s.Ctx, s.Lab, s.Reads, l.eng
	ids := l.haIDs()
	if lb == nil || reads == nil {
		return nil
	}
	l.HA.reads++
	seq := l.HA.reads
	return func() tea.Msg {
		msg := haReadAll(ctx, lb, reads, rc, gen, ids)
		msg.seq = seq
		return msg
	}
}

func haReadAll(ctx context.Context, lb *lab.Lab, reads *demo.ReadModel, eng *learnEngine, gen int, ids []string) haReadMsg {
	msg := haReadMsg{gen: gen}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	msg.view = demo.ReadHA(rctx, lb.CurrentInfo().Redis, WalkAuthor, ids)
	msg.rows = reads.Rows(rctx, WalkAuthor, 10)
	feedReads := reads
	if eng != nil {
		feedReads = eng.reads
	}
	msg.feed, msg.feedErr = feedReads.GetFeed(rctx, WalkAuthor, 10)
	return msg
}

func (l *LearnScreen) haIDs() []string {
	var ids []string
	for _, r := range []demo.Result{l.HA.A, l.HA.B} {
		if r.Post.ID != "" {
			ids = append(ids, r.Post.ID)
		}
	}
	return ids
}

func (l *LearnScreen) haReadDone(msg haReadMsg) tea.Cmd {
	h := &l.HA
	if msg.gen != h.Gen || h.Stage == HAOff {
		return nil
	}
	if msg.seq > h.shown {
		h.View, h.Feed, h.FeedErr, h.Rows, h.shown = msg.view, msg.feed, msg.feedErr, msg.rows, msg.seq
	}
	switch {
	case msg.after == "heal" && h.Stage == HAHealing:
		if msg.healErr != nil {
			h.Stage = HAPromoted
			l.SetStatus(ui.StatusBad, "The heal failed: %s. enter tries again; esc leaves.", safetext.Visible(ui.DescribeErr(msg.healErr)))
			break
		}
		h.Stage = HAGone
		l.SetStatus(ui.StatusWarn, "%s r runs the reconciler.", l.haGoneSentence())
		if p := l.PageIndex("split-brain"); l.sh.Pages[p].ID == "split-brain" {
			return tea.Batch(l.SetPage(p), l.refresh())
		}
	case msg.after == "repair" && h.Stage == HARepairing:
		if msg.err != nil {
			h.Stage = HAGone
			l.SetStatus(ui.StatusBad, "The repair failed: %s. r tries again.", safetext.Visible(ui.DescribeErr(msg.err)))
			break
		}
		h.Repair, h.Stage = *msg.repair, HARepaired
		b, a := h.Repair.Before, h.Repair.After
		l.SetStatus(ui.StatusGood, "Reconciler: %d missing before, %d after; GetFeed has post B again. esc leaves (and removes the ha lab).",
			b.Missing, a.Missing)
	}
	return l.refresh()
}

// haGoneSentence is the chapter's moment in words, from what was read.
func (l *LearnScreen) haGoneSentence() string {
	h := &l.HA
	id := h.B.Post.ID
	switch {
	case id == "":
		return "Post B was not written."
	case h.B.ProjectionErr != nil:
		return "Post B's ZADD failed, so it was never acknowledged: a visible failure, not a silent loss."
	case feedHolds(h.Feed, id) || slices.ContainsFunc(h.View.Nodes, func(n demo.HANode) bool { return n.Holds(id) }):
		return "Post B survived this failover (a node still holds it)."
	case h.Rows.Has(id):
		return "Acknowledged, then gone: CreatePost(post B) returned success with no error, and now no Redis node has it; PostgreSQL does."
	}
	return "Post B is in neither store."
}

func feedHolds(feed []demo.FeedItem, id string) bool {
	return slices.ContainsFunc(feed, func(it demo.FeedItem) bool { return it.PostID == id })
}

// haUpdate routes the step-through's messages; ok is false for others.
func (l *LearnScreen) haUpdate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case haWroteMsg:
		return l.haWrote(msg), true
	case haPromotedMsg:
		return l.haPromoted(msg), true
	case haReadMsg:
		return l.haReadDone(msg), true
	}
	return nil, false
}

// haKey is a key while the step-through runs: enter goes on, r repairs
// once B is gone, esc leaves; the reading keys are not taken (done false)
// and scroll the page; the rest (turning pages, chapter one's faults)
// wait until the learner leaves.
func (l *LearnScreen) haKey(k tea.KeyPressMsg) (tea.Cmd, bool) {
	switch k.String() {
	case "esc":
		return l.haLeave(), true
	case "enter":
		return l.haNext(), true
	case "r":
		if l.HA.Stage == HAGone {
			return l.haRepair(), true
		}
		return nil, true
	case "up", "k", "down", "j", "pgup", "b", "pgdown", "space", "home", "g", "end", "G", "i", "s":
		return nil, false // reading keys, hint and show me: as on every page
	}
	l.SetStatus(ui.StatusInfo, "During the step-through: enter goes on, esc leaves it (and removes the ha lab).")
	return nil, true
}
