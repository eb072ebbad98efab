package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"cqrslab/demo/experiment"
	"cqrslab/quiz"
)

// The quiz reads the experiment's report through its own small struct (the
// quiz does not depend on the experiment package). This is the contract
// between the two: a report as `experiment` writes it is read back by the
// quiz with every number it uses. Renaming a JSON field on either side
// fails here.
func TestQuizReadsTheExperimentReport(t *testing.T) {
	var r experiment.Report
	r.Scenario, r.Policy, r.Status = "redis-down", "budgeted", "passed"
	r.Writes.Attempted, r.Writes.Acknowledged, r.Writes.Failed, r.Writes.Unknown = 1000, 990, 7, 3
	r.Rate.Achieved = 497
	r.Redis.PoolTimeouts = 4
	c := &r.Consistency
	c.PGRows, c.MissingBeforeRepair, c.Lost, c.Missing, c.Unexpected, c.Duplicates = 1200, 640, 1, 2, 5, 6
	c.ConvergeMs = 84.5
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, quiz.LabResultsFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	run, note := quiz.LoadLabRun(dir, quiz.LabRun{})
	if run.Source != quiz.SourceOwn {
		t.Fatalf("the report was not taken as the learner's own run: source %q, note %q", run.Source, note)
	}
	want := quiz.LabRun{Source: quiz.SourceOwn, RecordedAt: run.RecordedAt,
		Scenario: "redis-down", Policy: "budgeted", WritesPerSecond: 497,
		Attempted: 1000, Acknowledged: 990, Failed: 7, Unknown: 3,
		PGRows: 1200, MissingBeforeRepair: 640, MissingAfterRepair: 2, Lost: 1, Unexpected: 5, Duplicates: 6,
		ConvergeMillis: 84.5, PoolTimeouts: 4}
	if run != want {
		t.Errorf("the quiz read\n%+v\nwant\n%+v", run, want)
	}
}
