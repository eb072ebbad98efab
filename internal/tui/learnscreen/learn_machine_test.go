package learnscreen_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"cqrslab/demo"
	"cqrslab/demo/experiment"
	"cqrslab/internal/tui/learnscreen"
)

// The budgeted page's "On your machine" is computed from the client go-redis
// really builds: with GOMAXPROCS 2 its default pool of 20 is too small for
// the 25 ZADDs of the lesson's spike, with GOMAXPROCS 4 its 40 has room, and
// the text says which, with those numbers.
func TestBudgetSectionFollowsTheClientsPool(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range []struct {
		procs int
		fits  bool
	}{{1, false}, {2, false}, {4, true}} {
		runtime.GOMAXPROCS(c.procs)
		opts := demo.DefaultPool() // the pool go-redis builds, as a running lab's client has it
		opts.Live = true
		text := learnscreen.BudgetSection(opts, learnscreen.SpikeMeasured{})
		pool := 10 * c.procs
		want := []string{fmt.Sprintf("**%d connections**", pool), "read from the running lab client's options",
			"500 writes/s × 50 ms = 25 ZADDs in flight", fmt.Sprintf("a pool of %d connections", pool),
			"cqrslab experiment --scenario latency-spike"}
		if c.fits {
			want = append(want, fmt.Sprintf("25 ≤ %d", pool))
		} else {
			want = append(want, fmt.Sprintf("25 > %d", pool), "not survivable with this pool", opts.Timeout.String())
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("GOMAXPROCS %d: the section lacks %q:\n%s", c.procs, w, text)
			}
		}
		if c.fits && strings.Contains(text, "not survivable") {
			t.Errorf("GOMAXPROCS %d: a pool of %d has room, yet:\n%s", c.procs, pool, text)
		}
	}
	if text := learnscreen.BudgetSection(demo.DefaultPool(), learnscreen.SpikeMeasured{}); !strings.Contains(text, fmt.Sprintf("10 × GOMAXPROCS %d", runtime.GOMAXPROCS(0))) {
		t.Errorf("before the lab starts the section should say where its pool comes from:\n%s", text)
	}
}

// The learner's own experiment runs are shown with their numbers, policy
// beside policy; the single report the quiz reads is used when the full run
// is not there; runs of other scenarios are not.
func TestBudgetSectionShowsTheLearnersRuns(t *testing.T) {
	dir := t.TempDir()
	mk := func(policy, scenario string, p50, p99 float64, timeouts uint32) *experiment.Report {
		r := &experiment.Report{Scenario: scenario, Policy: policy, Status: "passed"}
		r.Rate.Target, r.Rate.Achieved = 500, 498.5
		r.FaultLatency.P50, r.FaultLatency.P99, r.Latency.P99 = p50, p99, p99/2
		r.Redis.PoolTimeouts = timeouts
		return r
	}
	write := func(name string, v any) {
		b, _ := json.Marshal(v)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("last-experiment.json", mk("seed", "latency-spike", 457, 721, 3))
	runs := learnscreen.LoadSpikeReports(dir)
	if len(runs) != 1 || runs[0].Policy != "seed" {
		t.Fatalf("the quiz's single report: %d runs", len(runs))
	}
	write(learnscreen.ExperimentsFile, []*experiment.Report{mk("seed", "latency-spike", 457, 721, 3),
		mk("budgeted", "latency-spike", 3.2, 21.4, 0), mk("seed", "redis-down", 1, 2, 0)})
	runs = learnscreen.LoadSpikeReports(dir)
	text := learnscreen.BudgetSection(demo.DefaultPool(), learnscreen.SpikeMeasured{Reports: runs})
	for _, w := range []string{"**seed**: writes during the spike p50 457 ms, p99 721 ms", "3 pool timeouts",
		"**budgeted**: writes during the spike p50 3.2 ms, p99 21.4 ms", "498 writes/s of 500 asked",
		"Measured by your `cqrslab experiment"} {
		if !strings.Contains(text, w) {
			t.Errorf("the section lacks %q:\n%s", w, text)
		}
	}
	if len(runs) != 2 {
		t.Errorf("%d runs shown, want the 2 latency-spike ones", len(runs))
	}
}

// The words beside a measured run follow its numbers, not a fixed verdict:
// whether writes queued is read from the run, and whether that agrees with
// Little's law for the pool is said either way.
func TestBudgetSectionTextFollowsTheMeasuredNumbers(t *testing.T) {
	run := func(p99 float64, inFlight int64, timeouts uint32) learnscreen.SpikeMeasured {
		r := &experiment.Report{Scenario: "latency-spike", Policy: "seed", Status: "passed"}
		r.FaultLatency.P99, r.Redis.PoolTimeouts = p99, timeouts
		r.Series = []experiment.Second{{InFlight: inFlight}}
		return learnscreen.SpikeMeasured{Reports: []*experiment.Report{r}, FromLearn: true}
	}
	small, big := demo.Pool{Size: 20, Live: true}, demo.Pool{Size: 40, Live: true}
	for _, c := range []struct {
		name string
		pool demo.Pool
		run  learnscreen.SpikeMeasured
		want []string
	}{
		{"small pool, queued", small, run(721, 340, 3), []string{"Writes queued: the p99 is 14× the 50 ms", "up to 340 writes in flight (pool 20)",
			"agrees with Little's law: more ZADDs in flight than connections"}},
		{"big pool, no queue", big, run(61, 31, 0), []string{"No queue: the p99 stayed within twice the 50 ms",
			"agrees with Little's law: the pool had room"}},
		{"big pool, queued anyway", big, run(721, 340, 0), []string{"Writes queued", "Little's law said the pool has room, yet the seed's writes queued"}},
		{"small pool, no queue", small, run(60, 18, 0), []string{"No queue", "Little's law said the pool is too small, yet the seed's writes did not queue"}},
	} {
		text := learnscreen.BudgetSection(c.pool, c.run)
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the section lacks %q:\n%s", c.name, w, text)
			}
		}
		if strings.Contains(text, "To measure it, press") {
			t.Errorf("%s: a measured run still asks to measure", c.name)
		}
	}
}

// A machine that could not run the asked rate is named as a cause of the
// queue, beside the pool.
func TestBudgetSectionNamesABusyMachine(t *testing.T) {
	r := &experiment.Report{Scenario: "latency-spike", Policy: "seed", Status: "degraded"}
	r.Rate.Target, r.Rate.Achieved = 500, 117
	r.FaultLatency.P99 = 19907
	text := learnscreen.BudgetSection(demo.Pool{Size: 20, Live: true}, learnscreen.SpikeMeasured{Reports: []*experiment.Report{r}})
	for _, w := range []string{"117 of 500 writes/s achieved", "the CPU queued writes too"} {
		if !strings.Contains(text, w) {
			t.Errorf("the section lacks %q:\n%s", w, text)
		}
	}
	r.Rate.Achieved = 498
	if text := learnscreen.BudgetSection(demo.Pool{Size: 20, Live: true}, learnscreen.SpikeMeasured{Reports: []*experiment.Report{r}}); strings.Contains(text, "CPU") {
		t.Errorf("a machine that kept up is blamed:\n%s", text)
	}
}
