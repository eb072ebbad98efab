package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"cqrslab/demo"
	"cqrslab/demo/experiment"
	"cqrslab/demo/lab"
)

const experimentUsage = `experiment [--scenario NAME|all] [--policy POLICY|all] [flags]

Runs a fault scenario under open-loop load against a lab of its own, heals
the fault, repairs the feed, and accounts for every write. Scenarios:
%s
Exit status: 0 when every run passed; 1 when a run lost an acknowledged write,
left unexpected or duplicate members, or did not converge ("failed"), when
its write path still missed ZADDs longer than the recovery allowance after
the heal ("degraded"), or when the load generator could not produce the load
asked for ("overloaded"); 3 when a fault was unavailable on this lab (and
nothing else went wrong); 130 when interrupted (the finished runs' reports
are printed first); 2 for usage errors.
Policies:
%s`

func policyList() string {
	var rows [][2]string
	for _, p := range demo.Registry {
		rows = append(rows, [2]string{string(p.Name), p.Summary})
	}
	return hangingList(rows, 10, helpWidth())
}

func scenarioList() string {
	var rows [][2]string
	for _, s := range experiment.Scenarios {
		rows = append(rows, [2]string{s.Name, s.Description})
	}
	for _, s := range experiment.HAScenarios {
		rows = append(rows, [2]string{s.Name, "(--topology ha) " + s.Description})
	}
	for _, s := range experiment.ClusterScenarios {
		rows = append(rows, [2]string{s.Name, "(--topology cluster) " + s.Description})
	}
	return hangingList(rows, 24, helpWidth())
}

// errUnavailable makes the exit status 3: nothing failed, but not every run
// could be measured.
type errUnavailable struct{ n int }

func (e errUnavailable) Error() string {
	return fmt.Sprintf("%d run(s) could not inject their fault on this lab (see the reasons above)", e.n)
}

func experimentCmd(stdio Stdio) *cobra.Command {
	c := leaf(fmt.Sprintf(experimentUsage, scenarioList(), policyList()),
		"run fault scenarios under load for each write policy, with JSON/CSV reports")
	fs := c.Flags()
	scenario := fs.String("scenario", "latency-spike", "scenario name, or all")
	policy := fs.String("policy", "all", "write policy: "+demo.PolicyList(", ")+", or all")
	rate := fs.Float64("rate", 0, "writes per second (default: the scenario's)")
	duration := fs.Duration("duration", 0, "how long the load runs (default: the scenario's)")
	faultSpec := fs.String("fault", "", "replace the scenario's fault with this spec (e.g. latency=80ms)")
	at := fs.Duration("at", -1, "when the fault starts, from the start of the load (default: the scenario's)")
	length := fs.Duration("for", -1, "how long the fault lasts (default: the scenario's)")
	deadline := fs.Duration("redis-deadline", 0, "with budgeted/outbox: the deadline of each ZADD (default 20ms)")
	pool := fs.Int("pool-size", 0, "with budgeted/outbox: the Redis pool size (default 64)")
	asJSON := fs.Bool("json", false, "print the reports as JSON")
	asCSV := fs.Bool("csv", false, "print the reports as CSV")
	keep := fs.Bool("keep", false, "keep each run's schema and keys for inspection (the lab is still removed at the end)")
	plotDir := fs.String("plot", "", "write each scenario's latency and rate charts (PNG and SVG) into this directory")
	allowance := fs.Duration("recovery-allowance", experiment.DefaultRecoveryAllowance,
		"how long after the heal the write path may still miss ZADDs before a run is degraded")
	redisWait := fs.String("redis-wait", "", "also run each policy with a WAIT for REPLICAS replicas up to TIMEOUT "+
		"after every ZADD, e.g. 1,50ms, beside its run without (--topology ha; budgeted/outbox: it must fit in --redis-deadline)")
	infra := addInfraFlags(c)
	infra.addTopologyFlag(c)
	// -1 and 0 mean "the scenario's" or "the built-in default", which the
	// usage says: not values to show as the default ("(default: the
	// scenario's) (0s)" read as two defaults).
	for _, n := range []string{"at", "for", "duration", "rate", "redis-deadline", "pool-size"} {
		fs.Lookup(n).DefValue = ""
	}
	c.RegisterFlagCompletionFunc("scenario", completeScenarios)
	c.RegisterFlagCompletionFunc("policy", completePolicies(true))
	c.RegisterFlagCompletionFunc("fault", completeFaultSpecs)
	c.MarkFlagDirname("plot")
	for _, n := range []string{"rate", "duration", "at", "for", "redis-deadline", "pool-size", "recovery-allowance", "redis-wait"} {
		c.RegisterFlagCompletionFunc(n, cobra.NoFileCompletions)
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		if *asJSON && *asCSV {
			return usagef("experiment: --json and --csv are exclusive")
		}
		var scenarios []experiment.Scenario
		topo, err := lab.ParseTopology(infra.topology)
		if err != nil {
			return usagef("--topology: %v", err)
		}
		if *scenario == "all" {
			scenarios = slices.Clone(experiment.ScenariosFor(topo))
		} else {
			s, err := experiment.LookupFor(*scenario, topo)
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
		if err := checkExperimentFlags(fs); err != nil {
			return err
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
		var wait demo.RedisWait
		if *redisWait != "" {
			if wait, err = demo.ParseRedisWait(*redisWait); err != nil {
				return usagef("experiment: --redis-wait: %v", err)
			}
			if opts.Topology == lab.TopologyCluster {
				return usagef("experiment: --redis-wait is not offered on --topology cluster (WAIT counts the replicas " +
					"of one node's connection, and a cluster client picks the node per key); use --topology ha")
			}
			if opts.Topology != lab.TopologyHA {
				return usagef("experiment: --redis-wait needs replicas to wait for: add --topology ha")
			}
		}
		fmt.Fprintf(stdio.Err, "Starting a lab for the experiment (%s)...\n", opts.Provider)
		l, err := startLab(ctx, stdio, opts)
		if err != nil {
			return err
		}
		defer l.Close()
		driver := experiment.LabFaults(l)

		// --redis-wait is a trade, so it is shown as one: every policy
		// runs without WAIT and then with it, side by side in one table.
		waits := []demo.RedisWait{{}}
		if wait.Replicas > 0 {
			waits = append(waits, wait)
		}
		var reports []*experiment.Report
		var runErr error
	runs:
		for _, sc := range scenarios {
			for _, p := range policies {
				for _, w := range waits {
					name := runLabel(string(p), w.String())
					fmt.Fprintf(stdio.Err, "==> %s / %s\n", sc.Name, name)
					rep, err := experiment.Run(ctx, l.Info, driver, experiment.Config{Scenario: sc, Policy: p, Rate: *rate,
						Duration: *duration, Keep: *keep, Budget: demo.Budget{Deadline: *deadline, PoolSize: *pool},
						RecoveryAllowance: *allowance, RedisWait: w,
						Progress: func(s string) { fmt.Fprintf(stdio.Err, "    %s\n", s) }})
					if err != nil {
						// The runs that finished are still reported below.
						runErr = fmt.Errorf("%s / %s: %w", sc.Name, name, err)
						break runs
					}
					if rep.Status != experiment.StatusPassed {
						fmt.Fprintf(stdio.Err, "    %s: %s\n", rep.Status, rep.Reason)
					}
					reports = append(reports, rep)
					if ctx.Err() != nil {
						break runs
					}
				}
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
		if *plotDir != "" && len(reports) > 0 {
			if err := writePlots(stdio, *plotDir, reports); err != nil {
				return err
			}
		}
		return experimentOutcome(ctx, reports, runErr)
	}
	return c
}

// checkExperimentFlags refuses values that would run something other than
// what was asked: NaN and infinite rates, and zero or negative values given
// explicitly where 0 or a negative is the "not given" default.
func checkExperimentFlags(fs *pflag.FlagSet) error {
	var err error
	fs.Visit(func(f *pflag.Flag) {
		if err != nil {
			return
		}
		switch f.Name {
		case "rate":
			v, _ := fs.GetFloat64(f.Name)
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 1 || v > 20000 {
				err = usagef("experiment: --rate %s is out of range; use a number from 1 to 20000 writes/s, "+
					"or leave --rate out for the scenario's", f.Value)
			}
		case "duration":
			if d, _ := fs.GetDuration(f.Name); d <= 0 || d > 10*time.Minute {
				err = usagef("experiment: --duration %s is out of range; use more than 0 and up to 10m, "+
					"or leave it out for the scenario's", f.Value)
			}
		case "at", "for":
			if d, _ := fs.GetDuration(f.Name); d < 0 || d > 10*time.Minute {
				err = usagef("experiment: --%s %s is out of range; use 0 to 10m from the load's start, "+
					"or leave it out for the scenario's", f.Name, f.Value)
			}
		case "recovery-allowance":
			if d, _ := fs.GetDuration(f.Name); d < 0 || d > 10*time.Minute {
				err = usagef("experiment: --recovery-allowance %s is out of range; use 0 to 10m", f.Value)
			}
		case "redis-deadline":
			if d, _ := fs.GetDuration(f.Name); d <= 0 || d > time.Minute {
				err = usagef("experiment: --redis-deadline %s is out of range; use more than 0 and up to 1m", f.Value)
			}
		case "pool-size":
			if n, _ := fs.GetInt(f.Name); n < 1 || n > 10000 {
				err = usagef("experiment: --pool-size %s is out of range; use 1 to 10000", f.Value)
			}
		}
	})
	return err
}

// errRunsDidNotPass makes the exit status 1 and names every run that did
// not pass, and why.
type errRunsDidNotPass struct {
	n, of   int
	reasons []string
}

func (e errRunsDidNotPass) Error() string {
	return fmt.Sprintf("%d of %d run(s) did not pass:\n  %s", e.n, e.of, strings.Join(e.reasons, "\n  "))
}

// experimentOutcome turns the reports into the exit status: interrupted
// (130) over failed, degraded or overloaded (1) over unavailable (3).
func experimentOutcome(ctx context.Context, reports []*experiment.Report, runErr error) error {
	if ctx.Err() != nil {
		done := 0
		for _, r := range reports {
			if r.Status != experiment.StatusInterrupted {
				done++
			}
		}
		return fmt.Errorf("%d run(s) finished before the interrupt and are reported above: %w", done, context.Canceled)
	}
	if runErr != nil {
		return runErr
	}
	var bad []string
	unavailable := 0
	for _, r := range reports {
		switch r.Status {
		case experiment.StatusPassed:
		case experiment.StatusUnavailable:
			unavailable++
		default:
			bad = append(bad, fmt.Sprintf("%s / %s %s: %s", r.Scenario, r.Policy, r.Status, r.Reason))
		}
	}
	if len(bad) > 0 {
		return errRunsDidNotPass{n: len(bad), of: len(reports), reasons: bad}
	}
	if unavailable > 0 {
		return errUnavailable{unavailable}
	}
	return nil
}
