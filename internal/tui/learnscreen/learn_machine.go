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
	case "budgeted":
	default:
		return ""
	}
	pool := demo.DefaultPool()
	if l.eng != nil {
		pool = l.eng.rc.Pool()
	}
	return BudgetSection(pool, LoadSpikeReports(l.stateDir()))
}

// BudgetSection does the budgeted page's arithmetic with the pool of the
// running client (before the lab starts, go-redis's default for this
// process's GOMAXPROCS), then shows the learner's latency-spike runs.
func BudgetSection(pool demo.Pool, runs []*experiment.Report) string {
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
	if len(runs) == 0 {
		fmt.Fprintf(&b, "To measure it, run `cqrslab experiment --scenario %s --policy all` in another terminal (%s). "+
			"Its numbers appear here, policy beside policy, the next time you open this page.\n", sc.Name, sc.Description)
		return b.String()
	}
	b.WriteString("Measured by your `cqrslab experiment --scenario latency-spike`:\n\n")
	for _, r := range runs {
		fmt.Fprintf(&b, "- **%s**: %s writes/s of %s asked; writes during the spike p50 %s ms, p99 %s ms (all writes p99 %s ms); "+
			"%d failed, %d pool timeouts; status %s.\n",
			r.Policy, num(r.Rate.Achieved), num(r.Rate.Target), num(r.FaultLatency.P50), num(r.FaultLatency.P99),
			num(r.Latency.P99), r.Writes.Failed, r.Redis.PoolTimeouts, r.Status)
	}
	ms := float64(f.Latency) / float64(time.Millisecond)
	b.WriteString(fmt.Sprintf("\nIf the pool had room, each write in the spike would take about %s ms longer than usual, "+
		"no more; a p99 far above that is writes waiting, for a connection (the pool's queue) or for a machine too busy "+
		"to keep up (the in-flight count in the Lab's Load pane tells which grew).\n", num(ms)))
	return b.String()
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
