package quiz

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"cqrslab/assets"
)

// The three try-it prompts keep these IDs: progress files and instructors'
// scripts refer to them.
var tryIt = []string{"explain-sync-cqrs", "createpost-walkthrough", "redis-spike-500wps"}

func TestEmbeddedBank(t *testing.T) {
	b := embedded(t)
	if len(b.Sections) != 4 {
		t.Fatalf("%d sections, want 4", len(b.Sections))
	}
	kinds := map[Kind]int{}
	lab := 0
	for _, q := range b.Questions() {
		kinds[q.Kind]++
		if q.UsesLab() {
			lab++
		}
	}
	for _, k := range []Kind{FreeText, Ordering, Choice, Numeric} {
		if kinds[k] == 0 {
			t.Errorf("no %s question", k)
		}
	}
	if lab == 0 {
		t.Error("no question uses the learner's lab results")
	}
	for i, id := range tryIt {
		q, ok := b.Question(id)
		if !ok {
			t.Fatalf("try-it prompt %s is missing", id)
		}
		if b.Sections[i].Prompt != q || q.Kind != FreeText || len(q.FollowUps) == 0 || q.ModelAnswer == "" {
			t.Errorf("%s: want the free-text prompt of section %d with follow-ups and a model answer", id, i)
		}
		for _, p := range q.Rubric.Points {
			if p.Weight > 0 && (p.Hint == "" || p.Missed == "" || p.Found == "") {
				t.Errorf("%s/%s: feedback missing", id, p.ID)
			}
			for _, c := range p.Claims {
				if len(c.Terms) == 0 {
					t.Errorf("%s/%s: empty claim", id, p.ID)
				}
			}
		}
	}
}

// TestHintsDoNotGiveItAway checks that a hint never contains the words that
// would earn its own point: a hint nudges, the reveal explains.
func TestHintsDoNotGiveItAway(t *testing.T) {
	b := embedded(t)
	for _, id := range tryIt {
		cr := b.rubrics[id]
		for _, p := range cr.points {
			if p.Misconception() {
				continue
			}
			if _, ok := cr.find(p, read(p.Hint, cr.lx, nil), true); ok {
				t.Errorf("%s/%s: the hint %q would itself earn the point", id, p.ID, p.Hint)
			}
		}
	}
}

// TestModelAnswersPass: the answer shown after an attempt must itself pass,
// find every key point, and hold no misconception.
func TestModelAnswersPass(t *testing.T) {
	b := embedded(t)
	for _, id := range tryIt {
		q, _ := b.Question(id)
		res, err := b.Grade(id, q.ModelAnswer, b.Example)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Passed || res.Score != 1 || len(res.Misconceptions) > 0 || len(res.Missed) > 0 {
			t.Errorf("%s: model answer scores %.2f, missed %v, misconceptions %v", id, res.Score, res.MissedIDs(), res.MisconceptionIDs())
		}
	}
}

func mapFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(assets.FS, "quiz", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(assets.FS, path)
		m[strings.TrimPrefix(path, "quiz/")] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBrokenBanksAreRefused: each mistake an author could make is caught at
// load, naming the file and the question.
func TestBrokenBanksAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name, file, old, new, want string
	}{
		{"unknown concept", "sections/explain-sync-cqrs.json", `"@pg"`, `"@postgress"`, "unknown concept @postgress"},
		{"duplicate ID", "sections/createpost-walkthrough.json", `"id": "createpost-order"`, `"id": "truth-store"`, "used twice"},
		{"two correct options", "sections/explain-sync-cqrs.json", `"text": "Redis: it is what users read",`, `"text": "Redis: it is what users read", "correct": true,`, "exactly one correct"},
		{"unknown field", "bank.json", `"passMark"`, `"passMarks"`, "unknown field"},
		{"unknown lab field", "sections/createpost-walkthrough.json", `"labField": "missingBeforeRepair"`, `"labField": "missing"`, "not a lab result"},
		{"unknown placeholder", "sections/createpost-walkthrough.json", "{pgRows} posts", "{rows} posts", "unknown placeholder {rows}"},
		{"bad polarity", "sections/redis-spike-500wps.json", `"polarity": "negative"`, `"polarity": "negated"`, "polarity"},
		{"missing file", "bank.json", `"redis-spike-500wps"`, `"redis-spike"`, "redis-spike.json"},
		{"bad version", "bank.json", `"version": 1`, `"version": 2`, "version 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mapFS(t)
			f := m[tc.file]
			if f == nil || !strings.Contains(string(f.Data), tc.old) {
				t.Fatalf("%s does not contain %s", tc.file, tc.old)
			}
			m[tc.file] = &fstest.MapFile{Data: []byte(strings.Replace(string(f.Data), tc.old, tc.new, 1))}
			_, err := Load(m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

func TestChoice(t *testing.T) {
	b := embedded(t)
	res, err := b.Grade("truth-store", "a", b.Example)
	if err != nil || !res.Passed || res.Score != 1 {
		t.Fatalf("a: %+v %v", res, err)
	}
	res, _ = b.Grade("truth-store", " (B) ", b.Example)
	if res.Passed || len(res.Misconceptions) != 1 || res.Misconceptions[0].ID != "redis" || !strings.Contains(res.Misconceptions[0].Feedback, "projection") {
		t.Errorf("b: %+v", res)
	}
	if len(res.Missed) != 1 || res.Missed[0].Hint == "" {
		t.Errorf("a wrong pick should hint at the right one without naming it: %+v", res.Missed)
	}
	if !strings.Contains(res.Reveal, "✓ a)") || strings.Count(res.Reveal, "✗") != 3 {
		t.Errorf("reveal should explain every option:\n%s", res.Reveal)
	}
	var ae *AnswerError
	if _, err := b.Grade("truth-store", "z", b.Example); !errors.As(err, &ae) {
		t.Errorf("an out-of-range letter: %v", err)
	}
}

func TestOrdering(t *testing.T) {
	b := embedded(t)
	q, _ := b.Question("createpost-order")
	right := strings.Join(q.stepIDs(), " ")
	for _, tc := range []struct {
		answer string
		pass   bool
		score  float64
	}{
		{right, true, 1},
		{"c f e a d b", true, 1},     // the same, as the letters shown
		{"3 6 5 1 4 2", true, 1},     // and as numbers
		{"c f e a b d", true, 0.93},  // warn and return swapped: 14 of 15 pairs
		{"a b c d e f", false, 0.33}, // the order shown, unchanged
		{"zadd build-item warn pg-error insert return", false, 0.47},
	} {
		res, err := b.Grade("createpost-order", tc.answer, b.Example)
		if err != nil {
			t.Fatalf("%q: %v", tc.answer, err)
		}
		if res.Passed != tc.pass || res.Score != tc.score {
			t.Errorf("%q: passed %v score %v, want %v %v", tc.answer, res.Passed, res.Score, tc.pass, tc.score)
		}
	}
	for _, bad := range []string{"a b c", "a a b c d e", "a b c d e z"} {
		var ae *AnswerError
		if _, err := b.Grade("createpost-order", bad, b.Example); !errors.As(err, &ae) {
			t.Errorf("%q: %v, want an AnswerError", bad, err)
		}
	}
}

func TestNumeric(t *testing.T) {
	b := embedded(t)
	for _, tc := range []struct {
		answer string
		pass   bool
		hint   string
	}{
		{"25", true, ""}, {"about 24 writes", true, ""}, {"26.0", true, ""},
		{"50", false, "Too high"}, {"2.5", false, "Too low"},
	} {
		res, err := b.Grade("in-flight-math", tc.answer, b.Example)
		if err != nil {
			t.Fatal(err)
		}
		if res.Passed != tc.pass || (tc.hint != "" && !strings.HasPrefix(res.Missed[0].Hint, tc.hint)) {
			t.Errorf("%q: %+v", tc.answer, res)
		}
	}
	var ae *AnswerError
	if _, err := b.Grade("in-flight-math", "lots", b.Example); !errors.As(err, &ae) {
		t.Errorf("no number: %v", err)
	}
}

func TestLabQuestionsUseTheRunGiven(t *testing.T) {
	b := embedded(t)
	q, _ := b.Question("lab-missing-before-repair")
	ex := b.Example
	if !strings.Contains(q.PromptText(ex), "recorded example run") {
		t.Errorf("example prompt should say it uses the example: %s", q.PromptText(ex))
	}
	res, _ := b.Grade(q.ID, "604", ex)
	if !res.Passed || res.LabSource != SourceExample {
		t.Errorf("example run: %+v", res)
	}
	own := LabRun{Source: SourceOwn, RecordedAt: time.Date(2025, 1, 2, 3, 4, 0, 0, time.UTC), Scenario: "redis-paused", Policy: "budgeted",
		Attempted: 100, Acknowledged: 100, PGRows: 100, MissingBeforeRepair: 9}
	text := q.PromptText(own)
	if !strings.Contains(text, "your own lab run") || !strings.Contains(text, "100 posts") || !strings.Contains(text, "held 91") {
		t.Errorf("own prompt: %s", text)
	}
	if res, _ := b.Grade(q.ID, "9", own); !res.Passed || res.LabSource != SourceOwn {
		t.Errorf("own run, right answer: %+v", res)
	}
	if res, _ := b.Grade(q.ID, "604", own); res.Passed {
		t.Errorf("own run graded against the example")
	}
}

func TestLoadLabRun(t *testing.T) {
	b := embedded(t)
	dir := t.TempDir()
	run, note := LoadLabRun(dir, b.Example)
	if run.Source != SourceExample || note != "" {
		t.Errorf("no file: %v %q", run.Source, note)
	}
	write := func(s string) {
		if err := writeFile(dir, LabResultsFile, s); err != nil {
			t.Fatal(err)
		}
	}
	// The shape `cqrslab experiment --json` prints (demo/experiment.Report).
	write(`{"scenario":"redis-paused","policy":"budgeted","status":"passed","writes":{"attempted":10,"acknowledged":10},
		"rate":{"target":500,"achieved":498},"redis":{"pool_timeouts":2},
		"consistency":{"pg_rows":10,"missing_before_repair":3,"lost":0,"missing":0,"converge_ms":12.5}}`)
	run, note = LoadLabRun(dir, b.Example)
	if run.Source != SourceOwn || run.MissingBeforeRepair != 3 || run.PoolTimeouts != 2 || run.WritesPerSecond != 498 || note != "" || run.RecordedAt.IsZero() {
		t.Errorf("own file: %+v %q", run, note)
	}
	for _, bad := range []string{
		`{`,
		`{"writes":{"attempted":-1}}`,
		`{"writes":{"attempted":1,"acknowledged":5}}`,
		`{"writes":{"attempted":0}}`,
		`{"status":"unavailable","reason":"docker pause unsupported","writes":{"attempted":5}}`,
		`{"writes":{"attempted":5},"consistency":{"pg_rows":1,"missing_before_repair":3}}`,
	} {
		write(bad)
		if run, note = LoadLabRun(dir, b.Example); run.Source != SourceExample || !strings.Contains(note, "recorded example") {
			t.Errorf("%s: %+v %q", bad, run.Source, note)
		}
	}
}

func TestUnknownQuestion(t *testing.T) {
	b := embedded(t)
	if _, err := b.Grade("nope", "x", b.Example); !errors.Is(err, ErrUnknownQuestion) || !strings.Contains(err.Error(), "explain-sync-cqrs") {
		t.Errorf("err = %v", err)
	}
}

func writeFile(dir, name, content string) error {
	return os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600)
}
