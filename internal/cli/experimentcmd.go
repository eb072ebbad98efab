package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"cqrslab/demo"
	"cqrslab/demo/experiment"
	"cqrslab/demo/lab"
	"cqrslab/quiz"
)

const experimentUsage = `experiment [--scenario NAME|all] [--policy %s|all] [flags]

Runs a fault scenario under open-loop load against a lab of its own, heals
the fault, repairs the feed, and accounts for every write. Scenarios:
%s
Exit status: 0 when every run passed; 1 when a run lost an acknowledged write,
left unexpected or duplicate members, or did not converge; 3 when a fault was
unavailable on this lab (and nothing failed); 2 for usage errors.
Policies:
%s`

func policyList() string {
	var b strings.Builder
	for _, p := range demo.Registry {
		fmt.Fprintf(&b, "  %-10s %s\n", p.Name, p.Summary)
	}
	return b.String()
}

func scenarioList() string {
	var b strings.Builder
	for _, s := range experiment.Scenarios {
		fmt.Fprintf(&b, "  %-24s %s\n", s.Name, s.Description)
	}
	return b.String()
}

// errUnavailable makes the exit status 3: nothing failed, but not every run
// could be measured.
type errUnavailable struct{ n int }

func (e errUnavailable) Error() string {
	return fmt.Sprintf("%d run(s) could not inject their fault on this lab (see the reasons above)", e.n)
}

func runExperiment(ctx context.Context, stdio Stdio, args []string) error {
	fs := newFlags("experiment", fmt.Sprintf(experimentUsage, demo.PolicyList("|"), scenarioList(), policyList()), stdio)
	scenario := fs.String("scenario", "latency-spike", "scenario name, or all")
	policy := fs.String("policy", "all", "write policy: "+demo.PolicyList(", ")+", or all")
	rate := fs.Float64("rate", 0, "writes per second (default: the scenario's)")
	duration := fs.Duration("duration", 0, "how long the load runs (default: the scenario's)")
	faultSpec := fs.String("fault", "", "replace the scenario's fault with this spec (e.g. latency=80ms)")
	at := fs.Duration("at", -1, "when the fault starts, from the start of the load (default: the scenario's)")
	length := fs.Duration("for", -1, "how long the fault lasts (default: the scenario's)")
	deadline := fs.Duration("redis-deadline", 0, "budgeted/outbox: deadline of each ZADD (default 20ms)")
	pool := fs.Int("pool-size", 0, "budgeted/outbox: Redis pool size (default 64)")
	asJSON := fs.Bool("json", false, "print the reports as JSON")
	asCSV := fs.Bool("csv", false, "print the reports as CSV")
	keep := fs.Bool("keep", false, "keep each run's schema and keys for inspection (the lab is still removed at the end)")
	infra := addInfraFlags(fs)
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *asJSON && *asCSV {
		return usagef("experiment: --json and --csv are exclusive")
	}
	var scenarios []experiment.Scenario
	if *scenario == "all" {
		scenarios = experiment.Scenarios
	} else {
		s, err := experiment.Lookup(*scenario)
		if err != nil {
			return usagef("experiment: --scenario: %v", err)
		}
		scenarios = []experiment.Scenario{s}
	}
	policies := demo.Policies
	if *policy != "all" {
		p, err := demo.ParsePolicy(*policy)
		if err != nil {
			return usagef("experiment: --policy: %v", err)
		}
		policies = []demo.PolicyName{p}
	}
	switch {
	case *rate < 0 || *rate > 20000:
		return usagef("experiment: --rate %v is out of range; use 1 to 20000 writes/s", *rate)
	case *duration < 0 || *duration > 10*time.Minute:
		return usagef("experiment: --duration %v is out of range; use up to 10m", *duration)
	case *deadline < 0 || *pool < 0 || *pool > 10000:
		return usagef("experiment: --redis-deadline and --pool-size must be positive (pool at most 10000)")
	}
	for i := range scenarios {
		if *faultSpec != "" {
			if err := experiment.ValidateFault(*faultSpec); err != nil {
				return usagef("experiment: --fault: %v", err)
			}
			scenarios[i].Fault = *faultSpec
		}
		if *at >= 0 {
			scenarios[i].At = *at
		}
		if *length >= 0 {
			scenarios[i].For = *length
		}
	}
	opts, err := infra.options()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdio.Err, "Starting a lab for the experiment (%s)...\n", opts.Provider)
	l, err := startLab(ctx, stdio, opts)
	if err != nil {
		return err
	}
	defer l.Close()
	driver := experiment.LabFaults(l)

	var reports []*experiment.Report
	for _, sc := range scenarios {
		for _, p := range policies {
			fmt.Fprintf(stdio.Err, "==> %s / %s\n", sc.Name, p)
			rep, err := experiment.Run(ctx, l.Info, driver, experiment.Config{Scenario: sc, Policy: p, Rate: *rate,
				Duration: *duration, Keep: *keep, Budget: demo.Budget{Deadline: *deadline, PoolSize: *pool},
				Progress: func(s string) { fmt.Fprintf(stdio.Err, "    %s\n", s) }})
			if err != nil {
				return fmt.Errorf("%s / %s: %w", sc.Name, p, err)
			}
			if rep.Status == "unavailable" {
				fmt.Fprintf(stdio.Err, "    unavailable: %s\n", rep.Reason)
			}
			reports = append(reports, rep)
		}
	}
	if err := recordForQuiz(reports); err != nil {
		fmt.Fprintf(stdio.Err, "cqrslab: could not record the run for the quiz: %v\n", err)
	}
	switch {
	case *asJSON:
		enc := json.NewEncoder(stdio.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(reports); err != nil {
			return err
		}
	case *asCSV:
		if err := writeCSV(stdio.Out, reports); err != nil {
			return err
		}
	default:
		printTables(stdio.Out, reports)
	}
	failed, unavailable := 0, 0
	for _, r := range reports {
		switch r.Status {
		case "failed":
			failed++
		case "unavailable":
			unavailable++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d run(s) failed their consistency checks", failed, len(reports))
	}
	if unavailable > 0 {
		return errUnavailable{unavailable}
	}
	return nil
}

// row is one line of the report tables and one column of the CSV.
type row struct {
	name string
	get  func(*experiment.Report) string
}

func f2(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }
func itoa(n int) string   { return strconv.Itoa(n) }

var rows = []row{
	{"status", func(r *experiment.Report) string { return r.Status }},
	{"writes.attempted", func(r *experiment.Report) string { return itoa(r.Writes.Attempted) }},
	{"writes.acknowledged", func(r *experiment.Report) string { return itoa(r.Writes.Acknowledged) }},
	{"writes.failed", func(r *experiment.Report) string { return itoa(r.Writes.Failed) }},
	{"writes.unknown", func(r *experiment.Report) string { return itoa(r.Writes.Unknown) }},
	{"writes.rolled_back", func(r *experiment.Report) string { return itoa(r.Writes.RolledBack) }},
	{"latency_ms.p50", func(r *experiment.Report) string { return f2(r.Latency.P50) }},
	{"latency_ms.p99", func(r *experiment.Report) string { return f2(r.Latency.P99) }},
	{"latency_ms.p999", func(r *experiment.Report) string { return f2(r.Latency.P999) }},
	{"latency_ms.max", func(r *experiment.Report) string { return f2(r.Latency.Max) }},
	{"fault_window_latency_ms.p99", func(r *experiment.Report) string { return f2(r.FaultLatency.P99) }},
	{"rate.target", func(r *experiment.Report) string { return f2(r.Rate.Target) }},
	{"rate.achieved", func(r *experiment.Report) string { return f2(r.Rate.Achieved) }},
	{"redis.errors", func(r *experiment.Report) string { return itoa(r.Redis.Errors) }},
	{"redis.pool_timeouts", func(r *experiment.Report) string { return strconv.FormatUint(uint64(r.Redis.PoolTimeouts), 10) }},
	{"consistency.pg_rows", func(r *experiment.Report) string { return itoa(r.Consistency.PGRows) }},
	{"consistency.missing_before_repair", func(r *experiment.Report) string { return itoa(r.Consistency.MissingBeforeRepair) }},
	{"consistency.lost", func(r *experiment.Report) string { return itoa(r.Consistency.Lost) }},
	{"consistency.missing", func(r *experiment.Report) string { return itoa(r.Consistency.Missing) }},
	{"consistency.unexpected", func(r *experiment.Report) string { return itoa(r.Consistency.Unexpected) }},
	{"consistency.duplicates", func(r *experiment.Report) string { return itoa(r.Consistency.Duplicates) }},
	{"consistency.converged", func(r *experiment.Report) string { return strconv.FormatBool(r.Consistency.Converged) }},
	{"consistency.converge_ms", func(r *experiment.Report) string { return f2(r.Consistency.ConvergeMs) }},
	{"consistency.stale_window_ms", func(r *experiment.Report) string { return f2(r.Consistency.StaleWindowMs) }},
	{"consistency.repair", func(r *experiment.Report) string { return r.Consistency.Repair }},
}

// printTables prints one table per scenario with the policies side by side.
func printTables(w io.Writer, reports []*experiment.Report) {
	for i := 0; i < len(reports); {
		j := i
		for j < len(reports) && reports[j].Scenario == reports[i].Scenario {
			j++
		}
		group := reports[i:j]
		fmt.Fprintf(w, "\nscenario %s (fault %s)\n", group[0].Scenario, group[0].Fault.Spec)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprint(tw, "\t")
		for _, r := range group {
			fmt.Fprintf(tw, "%s\t", r.Policy)
		}
		fmt.Fprintln(tw)
		for _, rw := range rows {
			fmt.Fprintf(tw, "%s\t", rw.name)
			for _, r := range group {
				fmt.Fprintf(tw, "%s\t", rw.get(r))
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
		for _, r := range group {
			if r.Reason != "" {
				fmt.Fprintf(w, "  %s: %s\n", r.Policy, r.Reason)
			}
		}
		i = j
	}
}

func writeCSV(w io.Writer, reports []*experiment.Report) error {
	cw := csv.NewWriter(w)
	header := []string{"scenario", "policy"}
	for _, rw := range rows {
		header = append(header, rw.name)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range reports {
		rec := []string{r.Scenario, r.Policy}
		for _, rw := range rows {
			rec = append(rec, rw.get(r))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// recordForQuiz keeps one report in the state directory, where the quiz's
// "in your run..." questions read it: the seed policy's run when there is
// one (its stale feed is what those questions ask about), else the first run
// that measured something.
func recordForQuiz(reports []*experiment.Report) error {
	var pick *experiment.Report
	for _, r := range reports {
		if r.Status == "unavailable" {
			continue
		}
		if pick == nil || (r.Policy == string(demo.PolicySeed) && pick.Policy != string(demo.PolicySeed)) {
			pick = r
		}
	}
	if pick == nil {
		return nil
	}
	b, err := json.MarshalIndent(pick, "", "  ")
	if err != nil {
		return err
	}
	dir := lab.StateDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	path := filepath.Join(dir, quiz.LabResultsFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
