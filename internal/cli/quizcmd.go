package cli

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"cqrslab/internal/progress"
	"cqrslab/internal/safetext"
	"cqrslab/internal/statedir"
	"cqrslab/quiz"
)

const quizLong = `The try-it quiz headless: list the questions, grade an answer, export the
learner's scores, merge a class's exports, reset answers.

The learner's progress is in %s.
Run 'cqrslab quiz COMMAND --help' for a command's flags.`

// maxAnswerFile bounds what grade reads: an answer is a paragraph or two.
const maxAnswerFile = 64 << 10

func quizCmd(stdio Stdio) *cobra.Command {
	return group("quiz", "the try-it quiz headless: list, grade an answer, export scores, reset", fmt.Sprintf(quizLong, progressPath()),
		"quiz: say what to do: list, grade, export or reset (run 'cqrslab quiz --help')",
		"quiz: unknown command %q; use list, grade, export, merge or reset",
		quizListCmd(stdio), quizGradeCmd(stdio), quizExportCmd(stdio), quizMergeCmd(stdio), quizResetCmd(stdio))
}

func progressPath() string { return filepath.Join(statedir.Dir(), progress.FileName) }

// questionInfo is one question as `quiz list --json` describes it.
type questionInfo struct {
	ID        string   `json:"id"`
	Section   int      `json:"section"` // 1-based: which try-it prompt it belongs to
	Kind      string   `json:"kind"`
	Title     string   `json:"title"`
	Prompt    string   `json:"prompt"`
	FollowUps []string `json:"followUps,omitempty"`
	Points    []string `json:"points,omitempty"`  // free text: key point IDs
	Options   []string `json:"options,omitempty"` // choice: "a) text"
	Steps     []string `json:"steps,omitempty"`   // ordering: "a) text", as shown
	Unit      string   `json:"unit,omitempty"`
	UsesLab   bool     `json:"usesLab,omitempty"`
	PassMark  float64  `json:"passMark"`
}

func quizListCmd(stdio Stdio) *cobra.Command {
	c := leaf("list [--json]", "the questions, with their IDs")
	fs := c.Flags()
	asJSON := fs.Bool("json", false, "print the questions as JSON")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		bank, err := quiz.Embedded()
		if err != nil {
			return err
		}
		run, _ := quiz.LoadLabRun(statedir.Dir(), bank.Example)
		var infos []questionInfo
		for _, q := range bank.Questions() {
			info := questionInfo{ID: q.ID, Section: bank.SectionIndex(q.ID) + 1, Kind: string(q.Kind), Title: q.Title,
				Prompt: q.PromptText(run), FollowUps: q.FollowUps, UsesLab: q.UsesLab(), PassMark: bank.PassMarkOf(q)}
			if q.Rubric != nil {
				for _, p := range q.Rubric.Points {
					if !p.Misconception() {
						info.Points = append(info.Points, p.ID)
					}
				}
			}
			for i, o := range q.Options {
				info.Options = append(info.Options, quiz.Letter(i)+") "+o.Text)
			}
			for i, id := range q.Shown {
				for _, s := range q.Steps {
					if s.ID == id {
						info.Steps = append(info.Steps, quiz.Letter(i)+") "+s.Text)
					}
				}
			}
			if q.Number != nil {
				info.Unit = q.Number.Unit
			}
			infos = append(infos, info)
		}
		if *asJSON {
			return json.NewEncoder(stdio.Out).Encode(infos)
		}
		w := tabwriter.NewWriter(stdio.Out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "SECTION\tID\tKIND\tTITLE")
		for _, in := range infos {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", in.Section, in.ID, in.Kind, in.Title)
		}
		w.Flush()
		fmt.Fprintln(stdio.Out, "\nGrade an answer: cqrslab quiz grade --question ID --answer-file answer.txt")
		return nil
	}
	return c
}

func quizGradeCmd(stdio Stdio) *cobra.Command {
	c := leaf("grade --question ID [--answer-file F] [--json]", "grade one answer (read from F, or standard input)")
	fs := c.Flags()
	id := fs.String("question", "", "question ID (see 'cqrslab quiz list')")
	file := fs.String("answer-file", "", "file holding the answer; standard input when empty or -")
	c.MarkFlagFilename("answer-file")
	c.RegisterFlagCompletionFunc("question", completeQuestions)
	asJSON := fs.Bool("json", false, "print the grade as JSON")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		bank, err := quiz.Embedded()
		if err != nil {
			return err
		}
		if *id == "" {
			return usagef("quiz grade: --question is required; one of: %s", strings.Join(bank.IDs(), ", "))
		}
		if _, ok := bank.Question(*id); !ok {
			return usagef("quiz grade: unknown question %q; one of: %s", *id, strings.Join(bank.IDs(), ", "))
		}
		answer, err := readAnswer(stdio, *file)
		if err != nil {
			return err
		}
		run, note := quiz.LoadLabRun(statedir.Dir(), bank.Example)
		if note != "" {
			fmt.Fprintln(stdio.Err, "cqrslab: "+note)
		}
		res, err := bank.Grade(*id, answer, run)
		var ae *quiz.AnswerError
		if errors.As(err, &ae) {
			return usagef("quiz grade: %s", ae.Msg)
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdio.Out).Encode(res)
		}
		printGrade(stdio.Out, res, run)
		return nil
	}
	return c
}

// readAnswer reads the answer from a file, or from standard input.
func readAnswer(stdio Stdio, file string) (string, error) {
	var r io.Reader = stdio.In
	name := "standard input"
	if file != "" && file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return "", usagef("quiz grade: --answer-file: %v", err)
		}
		defer f.Close()
		// A directory opens fine and fails only on read (exit 1): it is a
		// wrong value for the flag, so say so (exit 2).
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			return "", usagef("quiz grade: --answer-file: %s is a directory; give the file that holds the answer", file)
		}
		r, name = f, file
	} else if f, ok := stdio.In.(*os.File); ok {
		if info, err := f.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprintln(stdio.Err, "Type or paste the answer, then press ctrl+d (or use --answer-file).")
		}
	}
	if r == nil {
		return "", usagef("quiz grade: no answer: give --answer-file or pipe the answer in")
	}
	data, err := io.ReadAll(io.LimitReader(r, maxAnswerFile+1))
	if err != nil {
		return "", fmt.Errorf("reading the answer from %s: %w", name, err)
	}
	if len(data) > maxAnswerFile {
		return "", usagef("quiz grade: the answer in %s is over %d KiB; an answer is a paragraph or two", name, maxAnswerFile>>10)
	}
	return string(data), nil
}

func printGrade(w io.Writer, r quiz.Result, run quiz.LabRun) {
	verdict := "not passed"
	if r.Passed {
		verdict = "passed"
	}
	if r.Kind == quiz.Choice || r.Kind == quiz.Numeric { // right or wrong: a pass mark says nothing
		fmt.Fprintf(w, "%s: score %.0f, %s\n", r.QuestionID, r.Score, map[bool]string{true: "right", false: "not right"}[r.Passed])
	} else {
		fmt.Fprintf(w, "%s: score %.2f, %s (pass mark %.2f)\n", r.QuestionID, r.Score, verdict, r.PassMark)
	}
	if r.LabSource != "" {
		fmt.Fprintf(w, "graded against %s\n", run.Describe())
	}
	if r.NeedsReview {
		fmt.Fprintln(w, "needs review: an instructor should look at this answer")
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	section := func(title string, fs []quiz.Finding, mark string) {
		if len(fs) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s (%d):\n", title, len(fs))
		for _, f := range fs {
			fmt.Fprintf(w, "  %s %s: %s\n", mark, f.ID, f.Summary)
			switch {
			case f.Sentence != nil:
				fmt.Fprintf(w, "      evidence (sentence %d): %s\n", *f.Sentence+1, safetext.Visible(f.Evidence))
			case f.Evidence != "":
				fmt.Fprintf(w, "      evidence: %s\n", safetext.Visible(f.Evidence))
			}
			if f.Hint != "" {
				fmt.Fprintf(w, "      hint: %s\n", f.Hint)
			}
			fmt.Fprintf(w, "      %s\n", f.Feedback)
		}
	}
	section("Found", r.Found, "✓")
	section("Missed", r.Missed, "✗")
	section("Misconceptions", r.Misconceptions, "!")
	said := false // a numeric question's explanation is already its feedback
	for _, f := range append(append(r.Found, r.Missed...), r.Misconceptions...) {
		said = said || f.Feedback == r.Reveal
	}
	if r.Reveal != "" && !said {
		title := "Explanation"
		if r.Kind == quiz.FreeText {
			title = "Model answer"
		}
		fmt.Fprintf(w, "\n%s:\n%s\n", title, r.Reveal)
	}
}

// exportRow is one attempt, flattened for CSV and JSON.
type exportRow struct {
	// ExportVersion is exportVersion, so merge can refuse files of another
	// format rather than misread them.
	ExportVersion  int       `json:"export_version"`
	Learner        string    `json:"learner"`
	Question       string    `json:"question"`
	Title          string    `json:"title"`
	Kind           string    `json:"kind"`
	Attempt        int       `json:"attempt"`
	At             time.Time `json:"at"`
	Score          float64   `json:"score"`
	Passed         bool      `json:"passed"`
	NeedsReview    bool      `json:"needs_review"` // free text: the grader asks for an instructor
	Found          []string  `json:"found"`
	Missed         []string  `json:"missed"`
	Misconceptions []string  `json:"misconceptions"`
	Revealed       bool      `json:"revealed"` // the learner asked for the full answer (at some point)
	LabSource      string    `json:"labSource,omitempty"`
	Answer         string    `json:"answer"`
}

func quizExportCmd(stdio Stdio) *cobra.Command {
	c := leaf("export [--learner NAME] [--json | --csv]", "this learner's answers and scores")
	fs := c.Flags()
	asJSON := fs.Bool("json", false, "every attempt as JSON")
	asCSV := fs.Bool("csv", false, "every attempt as CSV, one row each")
	learner := fs.String("learner", "", "the learner's name, kept in the progress file for every later export")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if *learner != "" {
			if err := checkLearner(*learner); err != nil {
				return err
			}
		}
		if *asJSON && *asCSV {
			return usagef("quiz export: choose one of --json and --csv")
		}
		bank, err := quiz.Embedded()
		if err != nil {
			return err
		}
		store, prog, notices := progress.Open(statedir.Dir())
		for _, n := range notices {
			fmt.Fprintln(stdio.Err, "cqrslab: "+n)
		}
		if *learner != "" && *learner != prog.Learner {
			prog.SetLearner(*learner)
			if err := store.Save(prog); err != nil {
				return err
			}
		}
		var rows []exportRow
		for _, q := range bank.Questions() {
			for i, a := range prog.Attempts(q.ID) {
				rows = append(rows, exportRow{ExportVersion: exportVersion, Learner: prog.Learner, NeedsReview: a.NeedsReview || needsReview(bank, q, a.Answer), Question: q.ID, Title: q.Title, Kind: string(q.Kind), Attempt: i + 1, At: a.At,
					Score: a.Score, Passed: a.Passed, Found: nonNil(a.Found), Missed: nonNil(a.Missed), Misconceptions: nonNil(a.Misconceptions),
					Revealed: prog.Revealed(q.ID), LabSource: a.LabSource, Answer: a.Answer})
			}
		}
		switch {
		case *asJSON:
			if rows == nil {
				rows = []exportRow{}
			}
			return json.NewEncoder(stdio.Out).Encode(rows)
		case *asCSV:
			return writeExportCSV(stdio.Out, rows)
		}
		fmt.Fprintf(stdio.Out, "Quiz progress in %s\n", store.Path())
		if prog.Learner != "" {
			fmt.Fprintf(stdio.Out, "Learner: %s\n", safetext.Visible(prog.Learner))
		}
		fmt.Fprintln(stdio.Out)
		w := tabwriter.NewWriter(stdio.Out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "QUESTION\tBEST\tPASSED\tTRIES\tREVEALED")
		for _, q := range bank.Questions() {
			best, passed, n := prog.Best(q.ID)
			if n == 0 {
				fmt.Fprintf(w, "%s\t-\t-\t0\t-\n", q.ID)
				continue
			}
			fmt.Fprintf(w, "%s\t%.2f\t%s\t%d\t%s\n", q.ID, best, yesNo(passed), n, yesNo(prog.Revealed(q.ID)))
		}
		w.Flush()
		fmt.Fprintln(stdio.Out, "\nFor every answer in full: cqrslab quiz export --csv (or --json)")
		return nil
	}
	return c
}

// needsReview grades a stored free-text answer again to learn whether the
// grader asks an instructor to look at it. Grading is deterministic and
// reads nothing but the answer, so this is what the learner was told
// (unless the rubric has changed since, and then it is the current view).
// The progress file does not record it, and older files could not have.
func needsReview(bank *quiz.Bank, q *quiz.Question, answer string) bool {
	if q.Kind != quiz.FreeText {
		return false
	}
	res, err := bank.Grade(q.ID, answer, bank.Example)
	return err == nil && res.NeedsReview
}

// writeExportCSV writes one row per attempt, in exportColumns' order.
func writeExportCSV(out io.Writer, rows []exportRow) error {
	w := csv.NewWriter(out)
	w.Write(exportColumns)
	for _, r := range rows {
		w.Write([]string{strconv.Itoa(r.ExportVersion), spreadsheetSafe(safetext.Visible(r.Learner)), r.Question,
			strconv.FormatFloat(r.Score, 'f', 2, 64), strconv.FormatBool(r.Passed), strconv.FormatBool(r.NeedsReview),
			r.At.UTC().Format(time.RFC3339), r.Title, r.Kind, strconv.Itoa(r.Attempt),
			strings.Join(r.Found, " "), strings.Join(r.Missed, " "), strings.Join(r.Misconceptions, " "),
			strconv.FormatBool(r.Revealed), r.LabSource, spreadsheetSafe(safetext.Visible(r.Answer))})
	}
	w.Flush()
	return w.Error()
}

// spreadsheetSafe keeps a learner's answer from running as a formula when
// an instructor opens the CSV in a spreadsheet.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

func quizResetCmd(stdio Stdio) *cobra.Command {
	c := leaf("reset --question ID | --all | --everything", "forget answers (--everything includes lesson progress)")
	fs := c.Flags()
	id := fs.String("question", "", "forget this question's answers")
	c.RegisterFlagCompletionFunc("question", completeQuestions)
	all := fs.Bool("all", false, "forget every quiz answer")
	everything := fs.Bool("everything", false, "forget every quiz answer and all lesson progress")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		n := 0
		for _, set := range []bool{*id != "", *all, *everything} {
			if set {
				n++
			}
		}
		if n != 1 {
			return usagef("quiz reset: give exactly one of --question ID, --all or --everything")
		}
		bank, err := quiz.Embedded()
		if err != nil {
			return err
		}
		if *id != "" {
			if _, ok := bank.Question(*id); !ok {
				return usagef("quiz reset: unknown question %q; one of: %s", *id, strings.Join(bank.IDs(), ", "))
			}
		}
		store, prog, notices := progress.Open(statedir.Dir())
		for _, n := range notices {
			fmt.Fprintln(stdio.Err, "cqrslab: "+n)
		}
		switch {
		case *id != "":
			prog.ResetQuestion(*id)
		case *all:
			prog.ResetQuiz()
		default:
			prog.ResetAll()
		}
		if err := store.Save(prog); err != nil {
			return err
		}
		what := map[bool]string{true: "every quiz answer", false: "question " + *id}[*all]
		if *everything {
			what = "every quiz answer and all lesson progress"
		}
		fmt.Fprintf(stdio.Out, "Forgot %s (%s).\n", what, store.Path())
		return nil
	}
	return c
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
