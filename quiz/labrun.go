package quiz

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// LabResultsFile is the file, in the state directory, that the quiz reads
// for the questions about "your own run": one experiment report, in the JSON
// that `cqrslab experiment --json` prints (demo/experiment.Report, whose field
// names are a stable interface). Whatever runs experiments writes it; the
// quiz only reads it.
const LabResultsFile = "last-experiment.json"

// AllResultsFile, beside it, holds every report of the last experiment run
// (a JSON array, one per scenario and policy), for the lesson's pages that
// put the policies side by side.
const AllResultsFile = "last-experiments.json"

// Where a LabRun came from, as the question text says it.
const (
	SourceExample = "example"
	SourceOwn     = "own"
)

// LabRun is the accounting of one experiment, in the words of DESIGN.md:
// every write attempted, acknowledged, failed or unknown, and what the two
// stores held before the reconciler repaired the feed and after.
type LabRun struct {
	Source     string    // SourceOwn or SourceExample
	RecordedAt time.Time // when the report was written (the file's time)

	Scenario        string
	Policy          string
	WritesPerSecond float64

	Attempted, Acknowledged, Failed, Unknown int

	PGRows              int // posts in PostgreSQL at the end
	MissingBeforeRepair int // in PostgreSQL, not in the feed, before the repair
	MissingAfterRepair  int
	Lost                int // acknowledged but not in PostgreSQL
	Unexpected          int
	Duplicates          int
	ConvergeMillis      float64
	PoolTimeouts        int
}

// report is the part of an experiment report the quiz reads.
type report struct {
	Scenario string `json:"scenario"`
	Policy   string `json:"policy"`
	Status   string `json:"status"`
	Reason   string `json:"reason"`
	Writes   struct {
		Attempted    int `json:"attempted"`
		Acknowledged int `json:"acknowledged"`
		Failed       int `json:"failed"`
		Unknown      int `json:"unknown"`
	} `json:"writes"`
	Rate struct {
		Achieved float64 `json:"achieved"`
	} `json:"rate"`
	Redis struct {
		PoolTimeouts int `json:"pool_timeouts"`
	} `json:"redis"`
	Consistency struct {
		PGRows              int     `json:"pg_rows"`
		MissingBeforeRepair int     `json:"missing_before_repair"`
		Lost                int     `json:"lost"`
		Missing             int     `json:"missing"`
		Unexpected          int     `json:"unexpected"`
		Duplicates          int     `json:"duplicates"`
		ConvergeMs          float64 `json:"converge_ms"`
	} `json:"consistency"`
}

// ParseLabRun reads an experiment report. A report of a fault the lab could
// not inject measured nothing, so it is refused like a damaged one.
func ParseLabRun(data []byte) (LabRun, error) {
	var r report
	if err := json.Unmarshal(data, &r); err != nil {
		return LabRun{}, err
	}
	if r.Status == "unavailable" {
		return LabRun{}, fmt.Errorf("that experiment could not run (%s)", r.Reason)
	}
	run := LabRun{
		Scenario: r.Scenario, Policy: r.Policy, WritesPerSecond: r.Rate.Achieved,
		Attempted: r.Writes.Attempted, Acknowledged: r.Writes.Acknowledged, Failed: r.Writes.Failed, Unknown: r.Writes.Unknown,
		PGRows: r.Consistency.PGRows, MissingBeforeRepair: r.Consistency.MissingBeforeRepair, MissingAfterRepair: r.Consistency.Missing,
		Lost: r.Consistency.Lost, Unexpected: r.Consistency.Unexpected, Duplicates: r.Consistency.Duplicates,
		ConvergeMillis: r.Consistency.ConvergeMs, PoolTimeouts: r.Redis.PoolTimeouts,
	}
	return run, run.check()
}

// labFields are the numbers a question may ask about or quote.
var labFields = map[string]func(LabRun) float64{
	"writesPerSecond":       func(r LabRun) float64 { return r.WritesPerSecond },
	"attempted":             func(r LabRun) float64 { return float64(r.Attempted) },
	"acknowledged":          func(r LabRun) float64 { return float64(r.Acknowledged) },
	"failed":                func(r LabRun) float64 { return float64(r.Failed) },
	"unknown":               func(r LabRun) float64 { return float64(r.Unknown) },
	"pgRows":                func(r LabRun) float64 { return float64(r.PGRows) },
	"feedItemsBeforeRepair": func(r LabRun) float64 { return float64(r.PGRows - r.MissingBeforeRepair) },
	"missingBeforeRepair":   func(r LabRun) float64 { return float64(r.MissingBeforeRepair) },
	"missingAfterRepair":    func(r LabRun) float64 { return float64(r.MissingAfterRepair) },
	"lost":                  func(r LabRun) float64 { return float64(r.Lost) },
	"unexpected":            func(r LabRun) float64 { return float64(r.Unexpected) },
	"duplicates":            func(r LabRun) float64 { return float64(r.Duplicates) },
	"convergeMillis":        func(r LabRun) float64 { return r.ConvergeMillis },
	"poolTimeouts":          func(r LabRun) float64 { return float64(r.PoolTimeouts) },
	// Text fields, for placeholders only.
	"scenario": nil,
	"policy":   nil,
}

// LabFieldNames lists the lab results a question can use.
func LabFieldNames() []string {
	var names []string
	for n, f := range labFields {
		if f != nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func (r LabRun) check() error {
	for _, n := range LabFieldNames() {
		if v := labFields[n](r); v < 0 {
			return fmt.Errorf("%s is negative (%v)", n, v)
		}
	}
	if r.Attempted == 0 {
		return fmt.Errorf("no writes were attempted")
	}
	if r.MissingBeforeRepair > r.PGRows {
		return fmt.Errorf("missing_before_repair (%d) is more than pg_rows (%d)", r.MissingBeforeRepair, r.PGRows)
	}
	if r.Acknowledged+r.Failed+r.Unknown > r.Attempted {
		return fmt.Errorf("acknowledged+failed+unknown (%d) is more than attempted (%d)", r.Acknowledged+r.Failed+r.Unknown, r.Attempted)
	}
	return nil
}

// Describe names the run the way a question should: the learner's own, or
// the recorded example and why.
func (r LabRun) Describe() string {
	if r.Source == SourceOwn {
		when := ""
		if !r.RecordedAt.IsZero() {
			when = " of " + r.RecordedAt.Local().Format("2 Jan 15:04")
		}
		return fmt.Sprintf("your own lab run%s (%s, policy %s)", when, r.Scenario, r.Policy)
	}
	return fmt.Sprintf("the recorded example run (%s, policy %s; run an experiment in the lab to be asked about your own)", r.Scenario, r.Policy)
}

// LoadLabRun reads the learner's last experiment from dir, falling back to
// the example when there is none. A file that cannot be used is reported in
// note and left as it is: it belongs to whatever wrote it.
func LoadLabRun(dir string, example LabRun) (run LabRun, note string) {
	example.Source = SourceExample
	path := filepath.Join(dir, LabResultsFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return example, ""
	}
	if err == nil {
		run, err = ParseLabRun(data)
	}
	if err != nil {
		return example, fmt.Sprintf("Your lab results (%s) could not be used: %v. Questions about your run use the recorded example instead.", path, err)
	}
	run.Source = SourceOwn
	if info, err := os.Stat(path); err == nil {
		run.RecordedAt = info.ModTime()
	}
	return run, ""
}

var placeholder = regexp.MustCompile(`\{([a-zA-Z]+)\}`)

func placeholders(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// Fill replaces {run}, {scenario}, {policy} and {field} in s with the run's
// values, so a question reads as being about that run.
func (r LabRun) Fill(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := m[1 : len(m)-1]
		switch name {
		case "run":
			return r.Describe()
		case "scenario":
			return r.Scenario
		case "policy":
			return r.Policy
		}
		if f := labFields[name]; f != nil {
			return strconv.FormatFloat(f(r), 'f', -1, 64)
		}
		return m
	})
}
