package learnscreen

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"cqrslab/demo"
	"cqrslab/demo/experiment"
	"cqrslab/internal/safetext"
	"cqrslab/internal/tui/ui"
)

// Claim (g), measured from Learn: x on the budgeted page runs the
// latency-spike experiment on the learner's own lab, seed then budgeted,
// through experiment.Run, the code path of `cqrslab experiment` (each run
// in a namespace of its own, so the lesson's feed is untouched; the fault
// healed at the end even when cancelled). The page then puts that run's
// numbers beside the Little's-law arithmetic. esc cancels; the experiment
// heals on the way out, so no fault stays active.

// SpikePage is the ID of the page whose arithmetic the run measures.
const SpikePage = "budgeted"

// spikePolicies are the two sides of claim (g): the seed as written and
// the policy that budgets the Redis step.
var spikePolicies = []demo.PolicyName{demo.PolicySeed, demo.PolicyBudgeted}

// spikeRun is a latency-spike measurement running from Learn.
type spikeRun struct {
	id      int
	cancel  context.CancelFunc
	began   time.Time
	policy  demo.PolicyName // the policy running now
	stage   string          // what the experiment said last
	stopped bool            // esc was pressed
}

type (
	// spikeProgressMsg is the experiment's progress, through the bus.
	spikeProgressMsg struct {
		id            int
		policy, stage string
	}
	// SpikeDoneMsg ends a run: the reports of the policies that ran.
	SpikeDoneMsg struct {
		id      int
		Reports []*experiment.Report
		Err     error
	}
)

// Spiking reports whether a latency-spike run is going (esc then cancels
// it instead of leaving the screen).
func (l *LearnScreen) Spiking() bool { return l.spike != nil }

func (l *LearnScreen) runSpike() tea.Cmd {
	s := l.sh.Session
	switch {
	case !s.Ready() || l.eng == nil:
		l.SetStatus(ui.StatusInfo, "Start the lab first: enter starts it, then x measures the spike.")
		return nil
	case l.spike != nil || l.demoBusy || l.FaultBusy || l.RepairBusy || (l.Walk != nil && !l.Walk.Done && l.Walk.Waiting == ""):
		l.SetStatus(ui.StatusInfo, "Wait for the running step or measurement to finish.")
		return nil
	case len(s.Faults) > 0:
		l.SetStatus(ui.StatusInfo, "A fault is active: h heals it first, so the spike is the only fault.")
		return nil
	}
	sc := spikeScenario()
	ctx, cancel := context.WithCancel(s.Ctx)
	l.spikes++
	run := &spikeRun{id: l.spikes, cancel: cancel, began: l.sh.Now, policy: spikePolicies[0], stage: "starting"}
	l.spike = run
	l.SetStatus(ui.StatusInfo, "Measuring %s under seed, then budgeted: about %s each.",
		sc.Description, (sc.Duration + 3*time.Second).Round(time.Second))
	lb, bus, info := s.Lab, l.sh.Bus, s.Lab.CurrentInfo()
	return func() tea.Msg {
		defer cancel()
		out := SpikeDoneMsg{id: run.id}
		for _, p := range spikePolicies {
			if ctx.Err() != nil {
				break
			}
			say := func(stage string) { bus.Send(spikeProgressMsg{id: run.id, policy: string(p), stage: stage}) }
			say("starting")
			rep, err := experiment.Run(ctx, info, experiment.LabFaults(lb), experiment.Config{Scenario: sc, Policy: p, Progress: say})
			if err != nil {
				out.Err = err
				break
			}
			out.Reports = append(out.Reports, rep)
		}
		// experiment.Run heals whatever it injected, even when cancelled;
		// heal again in case a cancel landed between its inject and heal.
		hctx, hcancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer hcancel()
		if err := lb.HealAll(hctx); err != nil && out.Err == nil {
			out.Err = fmt.Errorf("heal after the spike: %w", err)
		}
		return out
	}
}

// stopSpike cancels the run; its SpikeDoneMsg follows once healed.
func (l *LearnScreen) stopSpike() {
	if l.spike != nil && !l.spike.stopped {
		l.spike.stopped = true
		l.spike.cancel()
		l.SetStatus(ui.StatusInfo, "Cancelling: healing Redis and dropping the run's data…")
	}
}

func (l *LearnScreen) spikeProgress(msg spikeProgressMsg) {
	if l.spike == nil || msg.id != l.spike.id {
		return
	}
	l.spike.policy, l.spike.stage = demo.PolicyName(msg.policy), msg.stage
}

func (l *LearnScreen) spikeDone(msg SpikeDoneMsg) tea.Cmd {
	if l.spike == nil || msg.id != l.spike.id {
		return nil
	}
	stopped := l.spike.stopped
	l.spike = nil
	if l.eng != nil {
		l.eng.rc.Renew() // the fault closed the pool's connections: start the walk on fresh ones
	}
	complete := len(msg.Reports) == len(spikePolicies)
	for _, r := range msg.Reports {
		if r.Status == experiment.StatusInterrupted || r.Status == experiment.StatusUnavailable {
			complete = false
		}
	}
	switch {
	case msg.Err != nil:
		l.SetStatus(ui.StatusBad, "The measurement failed: %s.", safetext.Visible(ui.DescribeErr(msg.Err)))
	case stopped || !complete:
		l.SetStatus(ui.StatusInfo, "Cancelled: nothing measured kept, and no fault is left active. x runs it again.")
	default:
		l.spikeReports, l.spikeAt = msg.Reports, time.Now()
		l.SetStatus(ui.StatusGood, "Measured: the numbers are under \"On your machine\" below.")
		l.meet("g", spikeEvidence(l.budgetFlight(), msg.Reports))
	}
	return tea.Batch(l.WantMarkdown(), l.refresh())
}

// spikeLine is the status while a run goes: a spinner, the policy and
// stage, the time so far, and the key that stops it.
func (l *LearnScreen) spikeLine() string {
	r := l.spike
	word := "running"
	if r.stopped {
		word = "cancelling"
	}
	return fmt.Sprintf("%s latency spike %s · %s: %s · %s · esc cancels", ui.Spinner(l.sh.Frame, l.sh.Animate), word,
		r.policy, safetext.Visible(r.stage), l.sh.Now.Sub(r.began).Round(time.Second))
}

// budgetFlight is Little's law for the spike with the running client's pool.
func (l *LearnScreen) budgetFlight() demo.InFlight {
	pool := demo.DefaultPool()
	if l.eng != nil {
		pool = l.eng.rc.Pool()
	}
	sc := spikeScenario()
	return demo.InFlight{Rate: sc.Rate, Latency: spikeLatency(sc), PoolSize: pool.Size, PoolTimeout: pool.Timeout}
}
