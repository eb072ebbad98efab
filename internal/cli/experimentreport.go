package cli

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"

	"path/filepath"
	"strconv"
	"text/tabwriter"

	"cqrslab/demo"
	"cqrslab/demo/experiment"
	"cqrslab/internal/atomicfile"
	"cqrslab/internal/statedir"
	"cqrslab/quiz"
)

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
	{"writes.scheduled", func(r *experiment.Report) string { return itoa(r.Writes.Scheduled) }},
	{"writes.shed", func(r *experiment.Report) string { return itoa(r.Writes.Shed) }},
	{"writes.not_started", func(r *experiment.Report) string { return itoa(r.Writes.NotStarted) }},
	{"latency_ms.p50", func(r *experiment.Report) string { return f2(r.Latency.P50) }},
	{"latency_ms.p99", func(r *experiment.Report) string { return f2(r.Latency.P99) }},
	{"latency_ms.p999", func(r *experiment.Report) string { return f2(r.Latency.P999) }},
	{"latency_ms.max", func(r *experiment.Report) string { return f2(r.Latency.Max) }},
	{"fault_window_latency_ms.p99", func(r *experiment.Report) string { return f2(r.FaultLatency.P99) }},
	{"rate.target", func(r *experiment.Report) string { return f2(r.Rate.Target) }},
	{"rate.achieved", func(r *experiment.Report) string { return f2(r.Rate.Achieved) }},
	{"rate.started", func(r *experiment.Report) string { return f2(r.Rate.Started) }},
	{"rate.shed", func(r *experiment.Report) string { return f2(r.Rate.Shed) }},
	{"load.kept_up", func(r *experiment.Report) string { return strconv.FormatBool(r.Load.KeptUp) }},
	{"load.max_start_lag_ms", func(r *experiment.Report) string { return f2(r.Load.MaxStartLagMs) }},
	{"write_path.recovered", func(r *experiment.Report) string { return strconv.FormatBool(r.WritePath.Recovered) }},
	{"write_path.recovered_after_heal_ms", func(r *experiment.Report) string {
		if r.WritePath.RecoveredAfterHealMs == nil {
			return "never"
		}
		return f2(*r.WritePath.RecoveredAfterHealMs)
	}},
	{"write_path.zadd_missed_after_heal", func(r *experiment.Report) string { return itoa(r.WritePath.MissedAfterHeal) }},
	{"redis.errors", func(r *experiment.Report) string { return itoa(r.Redis.Errors) }},
	{"redis.pool_timeouts", func(r *experiment.Report) string { return strconv.FormatUint(uint64(r.Redis.PoolTimeouts), 10) }},
	{"redis.zadd_acknowledged", func(r *experiment.Report) string { return itoa(r.Redis.ZAddAcknowledged) }},
	{"redis.acknowledged_then_lost", func(r *experiment.Report) string { return itoa(r.Redis.AcknowledgedThenLost) }},
	{"redis.acknowledged_present", func(r *experiment.Report) string { return itoa(r.Redis.AcknowledgedPresent) }},
	{"redis.outage_ms", func(r *experiment.Report) string { return f2(r.Redis.OutageMs) }},
	{"redis.failover_ms", func(r *experiment.Report) string { return f2(r.Redis.FailoverMs) }},
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

// replicaRows are the PostgreSQL replica's figures, shown in the tables of
// the scenarios that read the replica (pg-replica-lag) and in the JSON;
// the CSV keeps its columns.
var replicaRows = []row{
	{"postgres.replica_feed_stale_reads", pgRow(func(p *experiment.PostgresReport) string {
		return itoa(p.ReplicaFeedStale) + " of " + itoa(p.ReplicaFeedReads)
	})},
	{"postgres.replica_feed_missing_max", pgRow(func(p *experiment.PostgresReport) string { return itoa(p.ReplicaFeedMissingMax) })},
	{"postgres.replica_behind_max", pgRow(func(p *experiment.PostgresReport) string { return itoa(p.ReplicaBehindMax) })},
	{"postgres.replica_lag_ms", pgRow(func(p *experiment.PostgresReport) string { return f2(p.ReplicaLagMs) })},
	{"postgres.replica_caught_up_after_ms", pgRow(func(p *experiment.PostgresReport) string { return f2(p.ReplicaCaughtUpMs) })},
	{"postgres.replica_reconciler_unexpected_max", pgRow(func(p *experiment.PostgresReport) string {
		return itoa(p.ReplicaReconcilerUnexpectedMax)
	})},
}

func pgRow(get func(*experiment.PostgresReport) string) func(*experiment.Report) string {
	return func(r *experiment.Report) string {
		if r.Postgres == nil {
			return "-"
		}
		return get(r.Postgres)
	}
}

// tableRows are rows, plus replicaRows when a run of the group has them.
func tableRows(group []*experiment.Report) []row {
	for _, r := range group {
		if r.Postgres != nil {
			return append(append([]row(nil), rows...), replicaRows...)
		}
	}
	return rows
}

// runLabel names a run in a table's header and in progress lines: its
// policy, and its WAIT when it had one ("seed+wait 1,50ms").
func runLabel(policy, wait string) string {
	if wait == "" {
		return policy
	}
	return policy + "+wait " + wait
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
			fmt.Fprintf(tw, "%s\t", runLabel(r.Policy, r.RedisWait))
		}
		fmt.Fprintln(tw)
		for _, rw := range tableRows(group) {
			fmt.Fprintf(tw, "%s\t", rw.name)
			for _, r := range group {
				fmt.Fprintf(tw, "%s\t", rw.get(r))
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
		for _, r := range group {
			if r.Reason != "" {
				fmt.Fprintf(w, "  %s %s: %s\n", runLabel(r.Policy, r.RedisWait), r.Status, r.Reason)
			}
		}
		i = j
	}
}

func writeCSV(w io.Writer, reports []*experiment.Report) error {
	cw := csv.NewWriter(w)
	header := []string{"scenario", "policy", "redis_wait"}
	for _, rw := range rows {
		header = append(header, rw.name)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range reports {
		rec := []string{r.Scenario, r.Policy, r.RedisWait}
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
		if r.Status == experiment.StatusUnavailable || r.Status == experiment.StatusInterrupted {
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
	dir, err := statedir.Make()
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, quiz.LabResultsFile), b, 0o600); err != nil {
		return err
	}
	// Every run too, for the lesson's side-by-side pages.
	if b, err = json.MarshalIndent(reports, "", "  "); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, quiz.AllResultsFile), b, 0o600)
}
