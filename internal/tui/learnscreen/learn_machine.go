package learnscreen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"cqrslab/demo"
	"cqrslab/demo/experiment"
	"cqrslab/internal/safetext"
	"cqrslab/internal/tui/ui"
	"cqrslab/quiz"
)

// Pages whose truth depends on the machine get a last section, "On your
// machine", computed from the running client and the learner's own
// experiment runs, so no fixed verdict in the page can be contradicted by
// a slower or faster machine.

// ExperimentsFile is where `cqrslab experiment` leaves every report of its
// last run (one per policy); quiz.LabResultsFile has only the one the quiz
// asks about.
const ExperimentsFile = quiz.AllResultsFile

// spikeScenario is the lesson's third prompt: the latency-spike experiment.
func spikeScenario() experiment.Scenario {
	for _, s := range experiment.Scenarios {
		if s.Name == "latency-spike" {
			return s
		}
	}
	return experiment.Scenario{Name: "latency-spike", Rate: 500}
}

// spikeLatency is the scenario's added latency (latency=50ms).
func spikeLatency(sc experiment.Scenario) time.Duration {
	if v, ok := strings.CutPrefix(sc.Fault, "latency="); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return 50 * time.Millisecond
}

// machineSection is the "On your machine" section of a page, or "".
func (l *LearnScreen) machineSection(pageID string) string {
	switch pageID {
	case ClaimsPage:
		return l.claimsSection()
	case SpikePage:
	default:
		return ""
	}
	pool := demo.DefaultPool()
	if l.eng != nil {
		pool = l.eng.rc.Pool()
	}
	run := SpikeMeasured{Reports: l.spikeReports, At: l.spikeAt, FromLearn: true}
	if len(run.Reports) == 0 {
		run = SpikeMeasured{Reports: LoadSpikeReports(l.stateDir())}
	}
	sec := BudgetSection(pool, run)
	if len(run.Reports) == 0 && l.sh.Prog != nil {
		// Nothing measured this session nor from a terminal: the numbers
		// an earlier session's x measured, as the progress file kept them.
		if c, ok := l.sh.Prog.Claims(ui.LessonID)["g"]; ok {
			sec += fmt.Sprintf("\nYour last measurement (%s): %s.\n", metWhen(c.At), safetext.Visible(c.Evidence))
		}
	}
	return sec
}

// SpikeMeasured is a latency-spike run whose numbers a page shows: one
// run from Learn's x (this session), else the learner's last `cqrslab
// experiment` run, read from the state directory.
type SpikeMeasured struct {
	Reports   []*experiment.Report
	At        time.Time
	FromLearn bool
}

// BudgetSection does the budgeted page's arithmetic with the pool of the
// running client (before the lab starts, go-redis's default for this
// process's GOMAXPROCS), then puts the measured run beside it, in words
// that follow the numbers: whether writes queued is read from the run (its
// p99 during the spike, its peak of writes in flight, its pool timeouts),
// and whether that agrees with the arithmetic is said, either way.
func BudgetSection(pool demo.Pool, run SpikeMeasured) string {
	sc := spikeScenario()
	f := demo.InFlight{Rate: sc.Rate, Latency: spikeLatency(sc), PoolSize: pool.Size, PoolTimeout: pool.Timeout}
	var src string
	if pool.Live {
		src = fmt.Sprintf("read from the running lab client's options (go-redis's default is 10 per GOMAXPROCS; GOMAXPROCS is %d here)",
			runtime.GOMAXPROCS(0))
	} else {
		src = fmt.Sprintf("go-redis's default for this machine, 10 × GOMAXPROCS %d; start the lab (enter) to read it from the client itself",
			runtime.GOMAXPROCS(0))
	}
	var b strings.Builder
	b.WriteString("### On your machine\n\n")
	fmt.Fprintf(&b, "The pool: **%d connections**, %s.\n\n", f.PoolSize, src)
	b.WriteString("Little's law: " + f.Verdict() + "\n\n")
	if len(run.Reports) == 0 {
		fmt.Fprintf(&b, "To measure it, press **x** on this page: it runs the `%s` experiment on your lab (%s), under seed, then "+
			"under budgeted, in a namespace of its own, and puts the numbers here (about 20 s; esc cancels). "+
			"A run of `cqrslab experiment --scenario %s --policy all` from another terminal shows here too.\n",
			sc.Name, sc.Description, sc.Name)
		return b.String()
	}
	if run.FromLearn {
		fmt.Fprintf(&b, "Measured on your lab by x at %s (x runs it again):\n\n", run.At.Format("15:04:05"))
	} else {
		b.WriteString("Measured by your `cqrslab experiment --scenario latency-spike` (x measures it again from here):\n\n")
	}
	for _, r := range run.Reports {
		fmt.Fprintf(&b, "- %s\n", spikeReading(f, r))
	}
	if seed := reportOf(run.Reports, demo.PolicySeed); seed != nil {
		b.WriteString("\n" + spikeAgreement(f, seed) + "\n")
	}
	return b.String()
}

// reportOf finds a policy's report.
func reportOf(rs []*experiment.Report, p demo.PolicyName) *experiment.Report {
	for _, r := range rs {
		if r.Policy == string(p) {
			return r
		}
	}
	return nil
}

// peakInFlight is the most writes in flight in any second of the run.
func peakInFlight(r *experiment.Report) int64 {
	var n int64
	for _, s := range r.Series {
		n = max(n, s.InFlight)
	}
	return n
}

// queued reads from a run whether writes waited during the spike beyond
// the latency it adds: a p99 more than twice the added latency, more
// writes in flight than the pool has connections, or a pool timeout.
func queued(f demo.InFlight, r *experiment.Report) bool {
	added := float64(f.Latency) / float64(time.Millisecond)
	return r.FaultLatency.P99 > 2*added || peakInFlight(r) > int64(f.PoolSize) || r.Redis.PoolTimeouts > 0
}

// spikeReading is one policy's run in a sentence with its numbers.
func spikeReading(f demo.InFlight, r *experiment.Report) string {
	added := float64(f.Latency) / float64(time.Millisecond)
	s := fmt.Sprintf("**%s**: writes during the spike p50 %s ms, p99 %s ms; up to %d writes in flight (pool %d); "+
		"%d pool timeouts, %d ZADDs failed; the feed lagged PostgreSQL by up to %s ms; %s writes/s of %s asked; status %s. ",
		safetext.Visible(r.Policy), num(r.FaultLatency.P50), num(r.FaultLatency.P99), peakInFlight(r), f.PoolSize,
		r.Redis.PoolTimeouts, r.Redis.Errors, num(r.Consistency.StaleWindowMs), num(r.Rate.Achieved), num(r.Rate.Target),
		safetext.Visible(r.Status))
	switch {
	case queued(f, r) && r.FaultLatency.P99 > 2*added:
		s += fmt.Sprintf("Writes queued: the p99 is %.0f× the %s ms the spike adds.", r.FaultLatency.P99/added, num(added))
	case queued(f, r):
		s += "Writes queued for a connection, though the p99 stayed near the added latency."
	default:
		s += fmt.Sprintf("No queue: the p99 stayed within twice the %s ms the spike adds.", num(added))
	}
	if behind(r) {
		s += fmt.Sprintf(" The machine fell behind the load (%s of %s writes/s achieved): part of each wait was "+
			"for the CPU, not for Redis.", num(r.Rate.Achieved), num(r.Rate.Target))
	}
	if r.Redis.Errors > 0 && r.Policy != string(demo.PolicySeed) {
		s += " The ZADDs it gave up on were repaired after: that lag is the price of the bounded write."
	}
	return s
}

// behind reports whether the machine could not run the asked rate (under
// 90% of it achieved): then queues say as much about the CPU as the pool.
func behind(r *experiment.Report) bool {
	return r.Rate.Target > 0 && r.Rate.Achieved < 0.9*r.Rate.Target
}

// spikeAgreement says whether the seed's measured run agrees with the
// arithmetic, and why it may not.
func spikeAgreement(f demo.InFlight, seed *experiment.Report) string {
	q := queued(f, seed)
	switch {
	case !f.Fits() && q && behind(seed):
		return "The seed's run agrees with Little's law (more ZADDs in flight than connections, and writes queued), " +
			"though on a machine this busy the CPU queued writes too: run it again when the machine is quieter to see the pool alone."
	case !f.Fits() && q:
		return "The seed's run agrees with Little's law: more ZADDs in flight than connections, and writes queued."
	case f.Fits() && !q:
		return "The seed's run agrees with Little's law: the pool had room, and writes only took the added latency."
	case f.Fits() && q:
		return "Little's law said the pool has room, yet the seed's writes queued: the arithmetic counts only the pool; " +
			"a machine too busy to run 500 writes/s (see the writes/s achieved) queues writes on the CPU too."
	default:
		return "Little's law said the pool is too small, yet the seed's writes did not queue: fewer writes arrived than " +
			"asked (see the writes/s achieved), or the spike was shorter than the queue needs to build."
	}
}

// spikeEvidence is claim (g)'s line on the claims page.
func spikeEvidence(f demo.InFlight, rs []*experiment.Report) string {
	parts := []string{fmt.Sprintf("Little's law %s in flight against a pool of %d", num(f.Writes()), f.PoolSize)}
	for _, r := range rs {
		parts = append(parts, fmt.Sprintf("%s p99 %s ms, up to %d in flight, %d pool timeouts, feed behind up to %s ms",
			r.Policy, num(r.FaultLatency.P99), peakInFlight(r), r.Redis.PoolTimeouts, num(r.Consistency.StaleWindowMs)))
	}
	return strings.Join(parts, "; ")
}

func num(v float64) string {
	if v >= 100 || v == float64(int64(v)) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// LoadSpikeReports reads the learner's latency-spike runs from the state
// directory: every policy of the last run when the experiment left them all,
// else the one report the quiz reads. Nothing usable is no runs.
func LoadSpikeReports(dir string) []*experiment.Report {
	var runs []*experiment.Report
	if data, err := os.ReadFile(filepath.Join(dir, ExperimentsFile)); err == nil {
		_ = json.Unmarshal(data, &runs)
	}
	if len(runs) == 0 {
		if data, err := os.ReadFile(filepath.Join(dir, quiz.LabResultsFile)); err == nil {
			var r experiment.Report
			if json.Unmarshal(data, &r) == nil {
				runs = append(runs, &r)
			}
		}
	}
	out := runs[:0]
	for _, r := range runs {
		if r != nil && r.Scenario == "latency-spike" && r.Status != experiment.StatusUnavailable {
			out = append(out, r)
		}
	}
	return out
}

// forgetIfMachineChanged drops the current page's rendered text when its
// "On your machine" section is no longer what it was rendered with (the lab
// started, an experiment ran), and returns the section.
func (l *LearnScreen) forgetIfMachineChanged() string {
	sec := l.machineSection(l.current().ID)
	if l.machine == nil {
		l.machine = map[int]string{}
	}
	if old, ok := l.machine[l.page]; ok && old == sec {
		return sec
	}
	l.machine[l.page] = sec
	for k := range l.md {
		if k.Page == l.page {
			delete(l.md, k)
		}
	}
	return sec
}
