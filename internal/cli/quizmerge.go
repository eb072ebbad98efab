package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"cqrslab/internal/safetext"
)

// A room of thirty hands in thirty `quiz export` files; `quiz merge` turns
// them into what an instructor reads at the break: one row per learner and
// question, and per question the pass rate, the points most often missed
// and the misconceptions most often hit. A file that is not an export, is of
// another version, or repeats a learner is named and left out, never merged
// silently.

// exportVersion is the export format written by `quiz export` and read by
// `quiz merge`; it changes when a column changes meaning.
const exportVersion = 2

// exportColumns is the CSV header of an export, in order.
var exportColumns = []string{"export_version", "learner", "question", "score", "passed", "needs_review", "timestamp",
	"title", "kind", "attempt", "found", "missed", "misconceptions", "revealed", "lab_source", "answer"}

// maxLearner bounds a learner's name: a name, not a paragraph.
const maxLearner = 64

// maxExportFile bounds one export file: 20 attempts of 16 KiB for each
// question fit many times over.
const maxExportFile = 8 << 20

// checkLearner refuses names that would not survive a table or a terminal.
func checkLearner(name string) error {
	switch {
	case strings.TrimSpace(name) != name || name == "":
		return usagef("--learner: %q: give a name without leading or trailing spaces", name)
	case !utf8.ValidString(name):
		return usagef("--learner: the name is not valid UTF-8")
	case utf8.RuneCountInString(name) > maxLearner:
		return usagef("--learner: the name is longer than %d characters", maxLearner)
	case strings.ContainsFunc(name, unicode.IsControl):
		return usagef("--learner: %q holds a control character", safetext.Visible(name))
	}
	return nil
}

// classRow is one learner's record on one question.
type classRow struct {
	Learner        string    `json:"learner"`
	Question       string    `json:"question"`
	BestScore      float64   `json:"best_score"`
	Passed         bool      `json:"passed"`
	NeedsReview    bool      `json:"needs_review"`
	Attempts       int       `json:"attempts"`
	Last           time.Time `json:"last"`
	Missed         []string  `json:"missed"`         // of the best attempt
	Misconceptions []string  `json:"misconceptions"` // hit in any attempt
	File           string    `json:"file"`
}

// questionSummary is one question across the class.
type questionSummary struct {
	Question       string  `json:"question"`
	Learners       int     `json:"learners"`
	Passed         int     `json:"passed"`
	PassRate       float64 `json:"pass_rate"`
	NeedsReview    int     `json:"needs_review"`
	Missed         []tally `json:"most_missed"`
	Misconceptions []tally `json:"most_misconceptions"`
}

// tally is how many learners a point or a misconception concerns.
type tally struct {
	ID       string `json:"id"`
	Learners int    `json:"learners"`
}

// skippedFile is a file merge left out, and why.
type skippedFile struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// classReport is everything merge found.
type classReport struct {
	Files   int               `json:"files"`
	Merged  int               `json:"merged"`
	Skipped []skippedFile     `json:"skipped"`
	Rows    []classRow        `json:"rows"`
	Summary []questionSummary `json:"summary"`
}

func quizMergeCmd(stdio Stdio) *cobra.Command {
	c := leaf("merge FILE... [--json | --csv]", "a class's exports in one table, with a summary per question")
	c.Args = cobra.ArbitraryArgs
	fs := c.Flags()
	asJSON := fs.Bool("json", false, "the table, the summary and the skipped files as JSON")
	asCSV := fs.Bool("csv", false, "the class table as CSV, one row per learner and question")
	c.RunE = func(_ *cobra.Command, files []string) error { return runQuizMerge(stdio, files, *asJSON, *asCSV) }
	return c
}

func runQuizMerge(stdio Stdio, files []string, asJSON, asCSV bool) error {
	if asJSON && asCSV {
		return usagef("quiz merge: choose one of --json and --csv")
	}
	if len(files) == 0 {
		return usagef("quiz merge: name the export files (each from `cqrslab quiz export --learner NAME --csv`)")
	}
	rep := mergeExports(files)
	switch {
	case asJSON:
		enc := json.NewEncoder(stdio.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	case asCSV:
		if err := writeClassCSV(stdio.Out, rep.Rows); err != nil {
			return err
		}
	default:
		writeClassText(stdio.Out, rep)
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(stdio.Err, "cqrslab: quiz merge: skipped %s: %s\n", safetext.Visible(s.File), safetext.Visible(s.Reason))
	}
	if len(rep.Skipped) > 0 {
		return fmt.Errorf("quiz merge: %d of %d files skipped (named above); %d merged", len(rep.Skipped), rep.Files, rep.Merged)
	}
	return nil
}

// mergeExports reads every file, keeps the good ones, and builds the table
// and the summary.
func mergeExports(files []string) classReport {
	rep := classReport{Files: len(files), Skipped: []skippedFile{}, Rows: []classRow{}, Summary: []questionSummary{}}
	seen := map[string]string{} // learner (folded) -> file
	for _, f := range files {
		rows, err := readExport(f)
		if err == nil {
			key := strings.ToLower(rows[0].Learner)
			if first, dup := seen[key]; dup {
				err = fmt.Errorf("learner %q is already in %s: two exports of one learner (or two learners with one name; "+
					"re-export one with another --learner)", rows[0].Learner, first)
			} else {
				seen[key] = f
			}
		}
		if err != nil {
			rep.Skipped = append(rep.Skipped, skippedFile{File: f, Reason: err.Error()})
			continue
		}
		rep.Merged++
		rep.Rows = append(rep.Rows, classRows(f, rows)...)
	}
	slices.SortFunc(rep.Rows, func(a, b classRow) int {
		return cmpOr(strings.Compare(a.Question, b.Question), strings.Compare(strings.ToLower(a.Learner), strings.ToLower(b.Learner)))
	})
	rep.Summary = summarise(rep.Rows)
	return rep
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// readExport reads one export, CSV or JSON, and checks it is one learner's
// export of this version.
func readExport(path string) ([]exportRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxExportFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxExportFile {
		return nil, fmt.Errorf("over %d MiB: not a quiz export", maxExportFile>>20)
	}
	var rows []exportRow
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '[' {
		rows, err = readExportJSON(t)
	} else {
		rows, err = readExportCSV(data)
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errors.New("holds no answers (the learner has not answered yet)")
	}
	learner := rows[0].Learner
	for i, r := range rows {
		if r.ExportVersion != exportVersion {
			return nil, fmt.Errorf("an export of version %d, this cqrslab reads version %d: export again with this cqrslab",
				r.ExportVersion, exportVersion)
		}
		if r.Learner == "" {
			return nil, errors.New("no learner name: export again with `cqrslab quiz export --learner NAME --csv`")
		}
		if r.Learner != learner {
			return nil, fmt.Errorf("row %d is learner %q, row 1 is %q: not one learner's export", i+1, r.Learner, learner)
		}
		if err := checkLearner(r.Learner); err != nil {
			return nil, fmt.Errorf("learner name: %v", err)
		}
	}
	return rows, nil
}

func readExportJSON(data []byte) ([]exportRow, error) {
	var probe []map[string]any
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("not a quiz export (not valid JSON: %v)", err)
	}
	for _, m := range probe {
		if _, ok := m["export_version"]; !ok {
			return nil, errors.New("not a quiz export of this format (no export_version): export again with this cqrslab")
		}
	}
	var rows []exportRow
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, fmt.Errorf("not a quiz export: %v", err)
	}
	return rows, nil
}

func readExportCSV(data []byte) ([]exportRow, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("not a quiz export (not CSV: %v)", err)
	}
	if len(records) == 0 {
		return nil, errors.New("empty: not a quiz export")
	}
	header := records[0]
	switch {
	case slices.Equal(header, exportColumns):
	case len(header) > 0 && header[0] == "export_version":
		v := "?"
		if len(records) > 1 && len(records[1]) > 0 {
			v = records[1][0]
		}
		return nil, fmt.Errorf("an export of version %s (other columns), this cqrslab reads version %d: "+
			"export again with this cqrslab", v, exportVersion)
	case len(header) > 0 && header[0] == "question":
		return nil, errors.New("an export of an older cqrslab (no learner column): export again with " +
			"`cqrslab quiz export --learner NAME --csv`")
	default:
		return nil, errors.New("not a quiz export: the first line is not its header")
	}
	var rows []exportRow
	for i, rec := range records[1:] {
		row, err := parseExportRecord(rec)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", i+2, err)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func parseExportRecord(rec []string) (exportRow, error) {
	if len(rec) != len(exportColumns) {
		return exportRow{}, fmt.Errorf("%d fields, an export has %d", len(rec), len(exportColumns))
	}
	col := func(name string) string { return rec[slices.Index(exportColumns, name)] }
	var r exportRow
	var errs []error
	var err error
	r.ExportVersion, err = strconv.Atoi(col("export_version"))
	errs = append(errs, err)
	r.Learner = strings.TrimPrefix(col("learner"), "'") // spreadsheetSafe's mark
	r.Question = col("question")
	r.Score, err = strconv.ParseFloat(col("score"), 64)
	errs = append(errs, err)
	r.Passed, err = strconv.ParseBool(col("passed"))
	errs = append(errs, err)
	r.NeedsReview, err = strconv.ParseBool(col("needs_review"))
	errs = append(errs, err)
	r.At, err = time.Parse(time.RFC3339, col("timestamp"))
	errs = append(errs, err)
	r.Attempt, err = strconv.Atoi(col("attempt"))
	errs = append(errs, err)
	r.Missed, r.Misconceptions = strings.Fields(col("missed")), strings.Fields(col("misconceptions"))
	if err := errors.Join(errs...); err != nil {
		return r, fmt.Errorf("not an export row: %v", err)
	}
	return r, nil
}

// classRows folds one learner's attempts into a row per question: the best
// score, passed if any attempt passed, what the best attempt still missed.
// A row asks for review only while the question is not passed and the
// learner's latest attempt was one the grader could not judge: an answer
// passed later (or rewritten in English) supersedes an earlier "review", so
// the instructor never sees "passed" and "review" on one row.
func classRows(file string, rows []exportRow) []classRow {
	byQ := map[string]*classRow{}
	var order []string
	for _, r := range rows {
		c := byQ[r.Question]
		if c == nil {
			c = &classRow{Learner: r.Learner, Question: r.Question, BestScore: -1, File: file, Misconceptions: []string{}}
			byQ[r.Question] = c
			order = append(order, r.Question)
		}
		c.Attempts++
		c.Passed = c.Passed || r.Passed
		if c.Attempts == 1 || !r.At.Before(c.Last) {
			c.Last, c.NeedsReview = r.At, r.NeedsReview
		}
		if r.Score > c.BestScore {
			c.BestScore, c.Missed = r.Score, nonNil(r.Missed)
		}
		for _, m := range r.Misconceptions {
			if !slices.Contains(c.Misconceptions, m) {
				c.Misconceptions = append(c.Misconceptions, m)
			}
		}
	}
	out := make([]classRow, 0, len(order))
	for _, q := range order {
		c := byQ[q]
		c.NeedsReview = c.NeedsReview && !c.Passed
		out = append(out, *c)
	}
	return out
}

// summarise counts, per question, passes and the learners behind each
// missed point and misconception, most frequent first.
func summarise(rows []classRow) []questionSummary {
	var out []questionSummary
	for i := 0; i < len(rows); {
		j := i
		s := questionSummary{Question: rows[i].Question}
		missed, wrong := map[string]int{}, map[string]int{}
		for ; j < len(rows) && rows[j].Question == s.Question; j++ {
			s.Learners++
			if rows[j].Passed {
				s.Passed++
			}
			if rows[j].NeedsReview {
				s.NeedsReview++
			}
			for _, m := range rows[j].Missed {
				missed[m]++
			}
			for _, m := range rows[j].Misconceptions {
				wrong[m]++
			}
		}
		s.PassRate = float64(s.Passed) / float64(s.Learners)
		s.Missed, s.Misconceptions = top(missed, 3), top(wrong, 3)
		out = append(out, s)
		i = j
	}
	return out
}

// top is the n most frequent IDs, ties in name order.
func top(counts map[string]int, n int) []tally {
	t := []tally{}
	for id, c := range counts {
		t = append(t, tally{id, c})
	}
	slices.SortFunc(t, func(a, b tally) int { return cmpOr(b.Learners-a.Learners, strings.Compare(a.ID, b.ID)) })
	return t[:min(n, len(t))]
}

func writeClassCSV(out io.Writer, rows []classRow) error {
	w := csv.NewWriter(out)
	w.Write([]string{"learner", "question", "best_score", "passed", "needs_review", "attempts", "last", "missed", "misconceptions"})
	for _, r := range rows {
		w.Write([]string{spreadsheetSafe(safetext.Visible(r.Learner)), r.Question, strconv.FormatFloat(r.BestScore, 'f', 2, 64),
			strconv.FormatBool(r.Passed), strconv.FormatBool(r.NeedsReview), strconv.Itoa(r.Attempts),
			r.Last.UTC().Format(time.RFC3339), strings.Join(r.Missed, " "), strings.Join(r.Misconceptions, " ")})
	}
	w.Flush()
	return w.Error()
}

func writeClassText(out io.Writer, rep classReport) {
	fmt.Fprintf(out, "Class: %d exports merged", rep.Merged)
	if len(rep.Skipped) > 0 {
		fmt.Fprintf(out, ", %d skipped (named below)", len(rep.Skipped))
	}
	fmt.Fprint(out, "\n\n")
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "LEARNER\tQUESTION\tBEST\tPASSED\tREVIEW\tTRIES")
	for _, r := range rep.Rows {
		fmt.Fprintf(w, "%s\t%s\t%.2f\t%s\t%s\t%d\n", safetext.Visible(r.Learner), r.Question, r.BestScore,
			yesNo(r.Passed), map[bool]string{true: "review", false: "-"}[r.NeedsReview], r.Attempts)
	}
	w.Flush()
	fmt.Fprintln(out, "\nPer question:")
	names := func(ts []tally) string {
		if len(ts) == 0 {
			return "none"
		}
		var parts []string
		for _, t := range ts {
			parts = append(parts, fmt.Sprintf("%s (%d)", t.ID, t.Learners))
		}
		return strings.Join(parts, ", ")
	}
	for _, s := range rep.Summary {
		fmt.Fprintf(out, "\n  %s: %d of %d passed (%.0f%%)", s.Question, s.Passed, s.Learners, 100*s.PassRate)
		if s.NeedsReview > 0 {
			fmt.Fprintf(out, ", %d to review", s.NeedsReview)
		}
		fmt.Fprintf(out, "\n    most missed:         %s\n    misconceptions hit:  %s\n", names(s.Missed), names(s.Misconceptions))
	}
}
