package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cqrslab/internal/progress"
)

// quizCLI runs `cqrslab quiz ...` with in-memory streams over a temporary
// state directory.
func quizCLI(t *testing.T, stdin string, args ...string) (code int, out, errOut string) {
	t.Helper()
	var o, e bytes.Buffer
	code = Main(context.Background(), append([]string{"quiz"}, args...), Stdio{In: strings.NewReader(stdin), Out: &o, Err: &e})
	return code, o.String(), e.String()
}

const goodExplanation = `With one database you read and write the same tables. Here every write goes to PostgreSQL,
the source of truth, and in the same request, right after the commit, the post is added to a Redis sorted set.
Reads come from Redis only, so the feed is fast with no joins. If the Redis write fails, the feed is stale
until it is rebuilt from PostgreSQL.`

// strongButNoReadPath says everything but where reads come from.
const strongButNoReadPath = `With one database the same tables take writes and serve pages. Here each new post is written to PostgreSQL, the source of truth, and in the same request, right after the commit, a copy goes into a Redis sorted set per author. That copy is precomputed, so no joins are needed. If the Redis step fails the feed is stale until it is rebuilt from PostgreSQL.`

func TestQuizList(t *testing.T) {
	t.Setenv("CQRSLAB_STATE_DIR", t.TempDir())
	code, out, _ := quizCLI(t, "", "list")
	if code != 0 || !strings.Contains(out, "explain-sync-cqrs") || !strings.Contains(out, "redis-spike-500wps") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	code, out, _ = quizCLI(t, "", "list", "--json")
	var infos []questionInfo
	if err := json.Unmarshal([]byte(out), &infos); err != nil || code != 0 {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	if len(infos) < 10 || infos[0].ID != "explain-sync-cqrs" || len(infos[0].Points) == 0 || len(infos[0].FollowUps) == 0 {
		t.Errorf("list --json: %+v", infos[0])
	}
}

func TestQuizGrade(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CQRSLAB_STATE_DIR", dir)
	code, out, _ := quizCLI(t, goodExplanation, "grade", "--question", "explain-sync-cqrs")
	if code != 0 || !strings.Contains(out, "passed") || !strings.Contains(out, "Found (") || !strings.Contains(out, "✓ postgres-is-truth") {
		t.Errorf("exit %d:\n%s", code, out)
	}

	file := filepath.Join(dir, "answer.txt")
	os.WriteFile(file, []byte("postgres, redis, source of truth, projection, same request, stale"), 0o600)
	code, out, _ = quizCLI(t, "", "grade", "--question", "explain-sync-cqrs", "--answer-file", file, "--json")
	var res struct {
		Score  float64
		Passed bool
		Found  []struct{ ID, Feedback string }
		Missed []struct{ ID, Hint, Feedback string }
		Notes  []string
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	if res.Passed || res.Score >= 0.6 || len(res.Notes) == 0 || len(res.Missed) == 0 || res.Missed[0].Feedback == "" {
		t.Errorf("a keyword list graded: %+v", res)
	}

	// A strong answer that misses a required point: needs_review, and each
	// point found says where: the quote and its sentence.
	os.WriteFile(file, []byte(strongButNoReadPath), 0o600)
	code, out, _ = quizCLI(t, "", "grade", "--question", "explain-sync-cqrs", "--answer-file", file, "--json")
	var review struct {
		NeedsReview *bool `json:"needs_review"`
		Found       []struct {
			ID       string
			Quote    string
			Sentence *int `json:"sentence_index"`
		}
	}
	if err := json.Unmarshal([]byte(out), &review); err != nil || code != 0 || review.NeedsReview == nil || !*review.NeedsReview || len(review.Found) == 0 {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	for _, f := range review.Found {
		if f.Quote == "" || f.Sentence == nil || !strings.Contains(strings.Join(strings.Fields(strongButNoReadPath), " "), strings.Trim(f.Quote, "…")) {
			t.Errorf("found %s without its quote and sentence: %+v", f.ID, f)
		}
	}
	code, out, _ = quizCLI(t, strongButNoReadPath, "grade", "--question", "explain-sync-cqrs")
	if code != 0 || !strings.Contains(out, "needs review") || !strings.Contains(out, "evidence (sentence 2)") {
		t.Errorf("text output does not show the review or the sentence: exit %d\n%s", code, out)
	}

	code, out, _ = quizCLI(t, "c", "grade", "--question", "truth-store")
	if code != 0 || !strings.Contains(out, "not right") || !strings.Contains(out, "Misconceptions (1)") || !strings.Contains(out, "Explanation:") {
		t.Errorf("choice: exit %d:\n%s", code, out)
	}
	code, out, _ = quizCLI(t, "604", "grade", "--question", "lab-missing-before-repair")
	if code != 0 || !strings.Contains(out, "right") || !strings.Contains(out, "recorded example run") || strings.Contains(out, "Explanation:") {
		t.Errorf("lab question: exit %d:\n%s", code, out)
	}
}

func TestQuizGradeUsageErrors(t *testing.T) {
	t.Setenv("CQRSLAB_STATE_DIR", t.TempDir())
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{}, "list, grade, export or reset"},
		{"", []string{"frobnicate"}, "unknown command"},
		{"x", []string{"grade"}, "--question is required"},
		{"x", []string{"grade", "--question", "nope"}, `unknown question "nope"`},
		{"", []string{"grade", "--question", "explain-sync-cqrs", "--answer-file", "/does/not/exist"}, "--answer-file"},
		{"", []string{"grade", "--question", "explain-sync-cqrs", "--answer-file", os.TempDir()}, "is a directory"},
		{"z", []string{"grade", "--question", "truth-store"}, "answer with one letter"},
		{"a b", []string{"grade", "--question", "createpost-order"}, "list all 6 steps"},
		{"", []string{"reset"}, "exactly one of"},
		{"", []string{"export", "--json", "--csv"}, "choose one"},
		{"", []string{"list", "--yaml"}, "unknown flag: --yaml"},
	} {
		code, _, errOut := quizCLI(t, tc.stdin, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("quiz %v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	if code, out, _ := quizCLI(t, "", "--help"); code != 0 || !strings.Contains(out, "grade") {
		t.Errorf("quiz --help: exit %d\n%s", code, out)
	}
}

func recordSomeAnswers(t *testing.T, dir string) {
	t.Helper()
	s, p, _ := progress.Open(dir)
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	p.Record("explain-sync-cqrs", progress.Attempt{At: at, Answer: "=HYPERLINK(\"x\") \x1b[2J", Score: 0.3, Found: []string{"writes-to-postgres"}, Missed: []string{"same-request"}})
	p.Record("explain-sync-cqrs", progress.Attempt{At: at.Add(time.Minute), Answer: "better", Score: 0.8, Passed: true})
	p.Record("truth-store", progress.Attempt{At: at, Answer: "a", Score: 1, Passed: true})
	p.Record("explain-sync-cqrs", progress.Attempt{At: at.Add(2 * time.Minute), Answer: strongButNoReadPath, Score: 0.75, Passed: true})
	p.Reveal("explain-sync-cqrs")
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
}

func TestQuizExport(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CQRSLAB_STATE_DIR", dir)
	if code, out, _ := quizCLI(t, "", "export", "--json"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("empty export: exit %d %q", code, out)
	}
	recordSomeAnswers(t, dir)

	code, out, _ := quizCLI(t, "", "export", "--csv", "--learner", "Ada L.")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || code != 0 || len(rows) != 5 {
		t.Fatalf("exit %d, %v, %d rows:\n%s", code, err, len(rows), out)
	}
	col := func(row int, name string) string { return rows[row][slices.Index(rows[0], name)] }
	for _, name := range []string{"learner", "question", "score", "passed", "needs_review", "timestamp"} {
		if !slices.Contains(rows[0], name) {
			t.Fatalf("csv header lacks %s: %q", name, rows[0])
		}
	}
	if col(1, "learner") != "Ada L." || col(1, "question") != "explain-sync-cqrs" || col(1, "attempt") != "1" ||
		col(1, "revealed") != "true" || col(1, "timestamp") != "2025-03-04T05:06:07Z" || col(1, "needs_review") != "false" || col(3, "needs_review") != "true" {
		t.Errorf("csv rows: %q", rows[:2])
	}
	// The name is kept: the next export carries it without the flag.
	if _, again, _ := quizCLI(t, "", "export", "--csv"); !strings.Contains(again, "Ada L.") {
		t.Errorf("learner not kept in progress:\n%s", again)
	}
	answer := col(1, "answer")
	if !strings.HasPrefix(answer, "'=") || strings.Contains(answer, "\x1b") || !strings.Contains(answer, `\x1b[2J`) {
		t.Errorf("answer not made safe for spreadsheets and terminals: %q", answer)
	}

	code, out, _ = quizCLI(t, "", "export", "--json")
	var got []exportRow
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 || len(got) != 4 || got[0].Answer != "=HYPERLINK(\"x\") \x1b[2J" || got[0].NeedsReview || !got[2].NeedsReview {
		t.Errorf("json export: exit %d %v %+v", code, err, got)
	}

	code, out, _ = quizCLI(t, "", "export")
	if code != 0 || !strings.Contains(out, "explain-sync-cqrs") || !strings.Contains(out, "0.80") {
		t.Errorf("text export: exit %d\n%s", code, out)
	}
}

func TestQuizExportWithCorruptProgress(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CQRSLAB_STATE_DIR", dir)
	os.WriteFile(filepath.Join(dir, progress.FileName), []byte("{not json"), 0o600)
	code, out, errOut := quizCLI(t, "", "export", "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" || !strings.Contains(errOut, "damaged") {
		t.Errorf("exit %d, out %q, err %q", code, out, errOut)
	}
}

func TestQuizReset(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CQRSLAB_STATE_DIR", dir)
	recordSomeAnswers(t, dir)
	if code, out, _ := quizCLI(t, "", "reset", "--question", "truth-store"); code != 0 || !strings.Contains(out, "truth-store") {
		t.Fatalf("exit %d %s", code, out)
	}
	_, p, _ := progress.Open(dir)
	if _, _, n := p.Best("truth-store"); n != 0 {
		t.Error("question not reset")
	}
	if _, _, n := p.Best("explain-sync-cqrs"); n != 3 {
		t.Error("another question was reset too")
	}
	if code, _, _ := quizCLI(t, "", "reset", "--all"); code != 0 {
		t.Fatal(code)
	}
	_, p, _ = progress.Open(dir)
	if _, _, n := p.Best("explain-sync-cqrs"); n != 0 {
		t.Error("--all kept answers")
	}
	if code, _, errOut := quizCLI(t, "", "reset", "--question", "nope"); code != 2 || !strings.Contains(errOut, "unknown question") {
		t.Errorf("unknown question: %d %s", code, errOut)
	}
}
