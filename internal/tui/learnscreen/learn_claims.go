package learnscreen

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/safetext"
	"cqrslab/internal/statedir"
	"cqrslab/internal/tui/ui"
)

// The seed's seven claims, each shown live on the learner's lab and ticked
// off as it is met, with the numbers measured when it was. The "claims"
// page lists them ("On your machine"); the status line says when one is met.

// ClaimsPage is the ID of the page that lists the claims: the end of the
// single-server lesson, where the learner looks back before moving on.
const ClaimsPage = "eventual"

// Claim is one of the seed's claims and what showed it.
type Claim struct {
	Key      string // a … g
	Text     string
	How      string // how to see it from Learn
	Evidence string // what was measured when it was met; "" not yet
	// At is when it was met; Earlier marks a claim met in an earlier
	// session, read back from the progress file.
	At      time.Time
	Earlier bool
}

func seedClaims() []Claim {
	return []Claim{
		{Key: "a", Text: "PostgreSQL commits first", How: "enter: step CreatePost past the INSERT"},
		{Key: "b", Text: "a Redis failure leaves a stale feed and the request still succeeds",
			How: "f before the ZADD, enter, then h"},
		{Key: "c", Text: "rolling back PostgreSQL costs more than a stale feed", How: "x on this page"},
		{Key: "d", Text: "the reconciler rebuilds the feed from PostgreSQL", How: "r after a stale feed"},
		{Key: "e", Text: "reads are faster from Redis than from the SQL join", How: "x on this page"},
		{Key: "f", Text: "each write pays two latencies", How: "a whole CreatePost with enter"},
		{Key: "g", Text: "a 50 ms spike at 500 writes/s: Little's law, then seed and budgeted measured",
			How: "x on the budgeted page"},
	}
}

// meet records a claim as shown, with its evidence, says so, and keeps it
// in the progress file (saved by Update, atomically, off the UI goroutine),
// so a learner who comes back finds the checklist as they left it.
func (l *LearnScreen) meet(key, evidence string) {
	cs := l.Claims()
	now := time.Now().UTC().Truncate(time.Second)
	for i := range cs {
		c := &cs[i]
		if c.Key != key {
			continue
		}
		first := c.Evidence == "" || c.Earlier
		c.Evidence, c.At, c.Earlier = evidence, now, false
		if first {
			l.Status += fmt.Sprintf(" ✓ claim (%s), see page %d.", key, l.PageIndex(ClaimsPage)+1)
		}
		if l.sh.Prog != nil {
			l.sh.Prog.MeetClaim(ui.LessonID, key, evidence, now)
			l.claimsUnsaved = true
		}
	}
	if l.current().ID == ClaimsPage {
		l.forgetIfMachineChanged()
	}
}

// Claims are the claims with what has been shown so far: in this session,
// else in an earlier one (from the progress file, which may be read after
// the screen is made, so it is looked at each time; seven lookups).
func (l *LearnScreen) Claims() []Claim {
	if l.claims == nil {
		l.claims = seedClaims()
	}
	if l.sh.Prog != nil {
		saved := l.sh.Prog.Claims(ui.LessonID)
		for i := range l.claims {
			c := &l.claims[i]
			if s, ok := saved[c.Key]; ok && c.Evidence == "" {
				c.Evidence, c.At, c.Earlier = s.Evidence, s.At, true
			}
		}
	}
	return l.claims
}

// claimsSection is the claims page's live checklist.
func (l *LearnScreen) claimsSection() string {
	cs := l.Claims()
	if runs := LoadSpikeReports(l.stateDir()); len(runs) > 0 && cs[6].Evidence == "" {
		// Not measured from Learn: the learner's terminal run stands in.
		cs[6].Evidence = "your `cqrslab experiment` run: " + spikeEvidence(l.budgetFlight(), runs)
	}
	var b strings.Builder
	b.WriteString("### On your machine\n\n")
	met, earlier := 0, 0
	for _, c := range cs {
		switch {
		case c.Evidence == "":
			fmt.Fprintf(&b, "- ○ (%s) %s: not shown yet (%s).\n", c.Key, c.Text, c.How)
			continue
		case c.Earlier:
			earlier++
			fmt.Fprintf(&b, "- ✓ **(%s) %s**: %s (%s; %s shows it again).\n", c.Key, c.Text, safetext.Visible(c.Evidence),
				metWhen(c.At), c.How)
		default:
			fmt.Fprintf(&b, "- ✓ **(%s) %s**: %s.\n", c.Key, c.Text, safetext.Visible(c.Evidence))
		}
		met++
	}
	fmt.Fprintf(&b, "\n%d of 7 shown on your lab", met)
	if earlier > 0 {
		fmt.Fprintf(&b, ", %d of them in an earlier session (kept in your progress file)", earlier)
	}
	b.WriteString(".")
	return b.String()
}

// metWhen says when an earlier session met a claim; a time the file lacks
// (or that is not a time) says nothing of when.
func metWhen(at time.Time) string {
	if at.IsZero() {
		return "in an earlier session"
	}
	return "measured " + at.UTC().Format("2 Jan 15:04 UTC")
}

// --- the walk's claims: a, b, d, f ---

// walkClaims looks at the panels after each read for the claims a walk
// shows.
func (l *LearnScreen) walkClaims() {
	w, s := l.Walk, l.Snap
	if w == nil || w.PostID == "" || s == nil || s.PgErr != nil {
		return
	}
	ins, zadd := w.event(demo.StepInsert), w.event(demo.StepZAdd)
	if ins != nil && ins.Err == nil && zadd == nil && s.RedisErr == nil && s.HasRow(w.PostID) && !s.HasMember(w.PostID) {
		l.meet("a", fmt.Sprintf("the INSERT committed in %s and the panels showed the post in PostgreSQL, not yet in Redis",
			ui.Ms(ins.Duration)))
	}
	if w.Done && w.Err == nil && ins != nil && zadd != nil && zadd.Err == nil {
		l.meet("f", fmt.Sprintf("INSERT %s + ZADD %s: the caller waited for both", ui.Ms(ins.Duration), ui.Ms(zadd.Duration)))
	}
}

// staleClaim is claim b: after a failed ZADD, GetFeed succeeds without the
// post that PostgreSQL has.
func (l *LearnScreen) staleClaim(msg LearnFeedMsg) {
	w, s := l.Walk, l.Snap
	// msg.Err == nil: GetFeed reached Redis, whatever the fault list says yet.
	if w == nil || !w.Done || w.Err != nil || w.Result.ProjectionErr == nil || msg.Err != nil ||
		s == nil || !s.HasRow(w.PostID) || l.feedHas(w.PostID) {
		return
	}
	ev := "CreatePost returned success with the ZADD failed; GetFeed then succeeded without the post"
	if !l.lastHeal.IsZero() && msg.Asked.After(l.lastHeal) {
		ev += fmt.Sprintf(" (%s after the heal)", ui.Ms(time.Since(l.lastHeal)))
	}
	l.meet("b", ev)
}

func (w *Walk) event(step demo.Step) *demo.Event {
	for i := range w.Events {
		if w.Events[i].Step == step {
			return &w.Events[i]
		}
	}
	return nil
}

// --- x on the claims page: claims c and e ---

// ClaimsDemoMsg is the result of x: the read race and the rollback
// comparison.
type ClaimsDemoMsg struct {
	Race           demo.ReadRace
	Seed, Rollback demo.WriteTally
	Err            error
}

// claimsWrites is how many writes each policy makes with Redis down: each
// waits out go-redis's retries (about 1.5 s), so few.
const claimsWrites = 3

func (l *LearnScreen) runClaimsDemo() tea.Cmd {
	s := l.sh.Session
	switch {
	case !s.Ready() || l.eng == nil:
		l.SetStatus(ui.StatusInfo, "Start the lab first: enter starts it.")
		return nil
	case l.demoBusy || l.FaultBusy || (l.Walk != nil && !l.Walk.Done && l.Walk.Waiting == ""):
		l.SetStatus(ui.StatusInfo, "Wait for the running step or demonstration to finish.")
		return nil
	case len(s.Faults) > 0:
		l.SetStatus(ui.StatusInfo, "A fault is active: h heals it first, so the comparison starts from a healthy Redis.")
		return nil
	}
	l.demoBusy = true
	l.SetStatus(ui.StatusInfo, "Racing GetFeed against the SQL join, then %d writes under seed and %d under rollback with Redis down (about 12 s)…",
		claimsWrites, claimsWrites)
	if l.rollbackSvc == nil {
		l.rollbackSvc = s.Stores.ServiceOver(l.eng.rc, l.sh.EngineOptions(demo.PolicyRollback))
	}
	ctx, lb, eng, seed, rb := s.Ctx, s.Lab, l.eng, l.Svc, l.rollbackSvc
	return func() tea.Msg {
		var out ClaimsDemoMsg
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		out.Race = eng.reads.RaceReads(rctx, WalkAuthor, demo.DefaultFeedSize, 50)
		if out.Err = out.Race.Err; out.Err != nil {
			return out
		}
		if out.Err = lb.Inject(rctx, lab.Fault{Kind: lab.FaultDown}); out.Err != nil {
			return out
		}
		out.Seed, _ = demo.TallyWrites(rctx, seed, WalkAuthor, "seed, Redis down", claimsWrites)
		out.Rollback, _ = demo.TallyWrites(rctx, rb, WalkAuthor, "rollback, Redis down", claimsWrites)
		hctx, hcancel := context.WithTimeout(ctx, 30*time.Second)
		defer hcancel()
		out.Err = lb.HealAll(hctx)
		eng.rc.Renew()
		return out
	}
}

func (l *LearnScreen) claimsDemoDone(msg ClaimsDemoMsg) tea.Cmd {
	l.demoBusy = false
	if msg.Err != nil && msg.Race.Rounds == 0 {
		l.SetStatus(ui.StatusBad, "The demonstration failed: %s.", safetext.Visible(ui.DescribeErr(msg.Err)))
		return l.refresh()
	}
	l.SetStatus(ui.StatusGood, "Done: see the list below. r repairs the feed the seed left stale.")
	if r := msg.Race; r.Err == nil && r.Rounds > 0 {
		l.meet("e", fmt.Sprintf("%d rounds on your lab, %d %s each: GetFeed median %.2f ms, SQL join %.2f ms, %.1f× faster",
			r.Rounds, r.Items, ui.Pluralize(r.Items, "item", "items"), r.RedisMs, r.SQLMs, r.Ratio))
	}
	if sd, rb := msg.Seed, msg.Rollback; rb.Attempted > 0 {
		l.meet("c", fmt.Sprintf("with Redis down, seed: %d of %d told success, %d kept in PostgreSQL (feed stale until r); "+
			"rollback: %d of %d told failure, %d of them committed and deleted again although PostgreSQL could have kept them, %d kept",
			sd.Succeeded, sd.Attempted, sd.InPG, rb.Failed, rb.Attempted, rb.RolledBack, rb.InPG))
	}
	if msg.Err != nil {
		l.SetStatus(ui.StatusBad, "Measured, but healing Redis failed: %s. h heals it.", safetext.Visible(ui.DescribeErr(msg.Err)))
	}
	return tea.Batch(l.WantMarkdown(), l.refresh())
}

func (l *LearnScreen) stateDir() string {
	if l.sh.Cfg.StateDir != "" {
		return l.sh.Cfg.StateDir
	}
	return statedir.Dir()
}
