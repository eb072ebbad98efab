package cli

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cqrslab/internal/progress"
)

// learnerRecord is what the test made one generated learner answer, to
// compare the merge's counts with.
type learnerRecord struct {
	name   string
	passed map[string]bool     // question -> passed in some attempt
	missed map[string][]string // question -> missed points of the best attempt
	review map[string]bool     // question -> not passed, and the latest attempt needs review
}

// classExports makes n learners' exports the way a room does: each learner
// has a progress file with random attempts, and runs `quiz export --learner
// NAME --csv` (or --json for every fifth), saved to a file.
func classExports(t *testing.T, dir string, n int) ([]string, []learnerRecord) {
	t.Helper()
	rng := rand.New(rand.NewPCG(14, 30))
	questions := []string{"explain-sync-cqrs", "truth-store", "redis-spike-500wps"}
	points := []string{"writes-to-postgres", "same-request", "reads-redis", "stale-feed"}
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	var files []string
	var recs []learnerRecord
	for i := range n {
		state := filepath.Join(dir, fmt.Sprintf("state-%02d", i))
		t.Setenv("CQRSLAB_STATE_DIR", state)
		s, p, _ := progress.Open(state)
		rec := learnerRecord{name: fmt.Sprintf("Learner %02d", i), passed: map[string]bool{}, missed: map[string][]string{}, review: map[string]bool{}}
		for _, q := range questions {
			best := -1.0
			for a := range 1 + rng.IntN(3) {
				score := float64(rng.IntN(11)) / 10
				missed := []string{}
				for _, pt := range points {
					if rng.Float64() > score {
						missed = append(missed, pt)
					}
				}
				var wrong []string
				if rng.IntN(4) == 0 {
					wrong = []string{"redis-is-truth"}
				}
				p.Record(q, progress.Attempt{At: at.Add(time.Duration(i*10+a) * time.Minute), Answer: "answer",
					Score: score, Passed: score >= 0.7, Missed: missed, Misconceptions: wrong, NeedsReview: score == 0.5})
				rec.passed[q] = rec.passed[q] || score >= 0.7
				rec.review[q] = score == 0.5 // attempts come in time order: the last one counts
				if score > best {
					best, rec.missed[q] = score, missed
				}
			}
		}
		if err := s.Save(p); err != nil {
			t.Fatal(err)
		}
		format := "--csv"
		if i%5 == 4 {
			format = "--json"
		}
		code, out, errOut := quizCLI(t, "", "export", "--learner", rec.name, format)
		if code != 0 {
			t.Fatalf("export %d: exit %d %s", i, code, errOut)
		}
		file := filepath.Join(dir, fmt.Sprintf("learner-%02d%s", i, map[string]string{"--csv": ".csv", "--json": ".json"}[format]))
		os.WriteFile(file, []byte(out), 0o644)
		files = append(files, file)
		recs = append(recs, rec)
	}
	return files, recs
}

func TestQuizMergeClass(t *testing.T) {
	dir := t.TempDir()
	files, recs := classExports(t, dir, 30)

	// The bad files of a real room, each to be named and left out.
	good := string(must(os.ReadFile(files[0])))
	bad := map[string]string{
		"notes.txt":         "bring snacks\n",
		"photo.json":        `{"not": "an export"}`,
		"old-cqrslab.csv":   "question,title,kind,attempt,at,score,passed,found,missed,misconceptions,revealed,lab_source,answer\n",
		"version-1.csv":     strings.Replace(strings.Replace(good, "\n2,", "\n1,", -1), "export_version,learner", "export_version,learner", 1),
		"future.csv":        "export_version,learner,question,score\n3,X,q,1\n",
		"duplicate.csv":     good, // Learner 00 again
		"nameless.csv":      strings.ReplaceAll(good, "Learner 00", ""),
		"mixed-learner.csv": strings.Replace(good, "Learner 00", "Somebody Else", 1),
		"empty-export.csv":  strings.Join(exportColumns, ",") + "\n",
	}
	all := slices.Clone(files)
	for name, content := range bad {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		all = append(all, p)
	}
	all = append(all, filepath.Join(dir, "missing.csv"))

	code, out, errOut := quizCLI(t, "", append([]string{"merge", "--json"}, all...)...)
	if code != 1 {
		t.Errorf("exit %d with bad files, want 1; stderr %s", code, errOut)
	}
	var rep classReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if rep.Merged != 30 || len(rep.Skipped) != len(bad)+1 || rep.Files != len(all) {
		t.Errorf("merged %d, skipped %d of %d: %+v", rep.Merged, len(rep.Skipped), rep.Files, rep.Skipped)
	}
	reasons := map[string]string{}
	for _, s := range rep.Skipped {
		reasons[filepath.Base(s.File)] = s.Reason
		if !strings.Contains(errOut, s.File) {
			t.Errorf("stderr does not name %s", s.File)
		}
	}
	for file, want := range map[string]string{"notes.txt": "not a quiz export", "photo.json": "not a quiz export",
		"old-cqrslab.csv": "older cqrslab", "version-1.csv": "version 1", "future.csv": "version 3",
		"duplicate.csv": "already in", "nameless.csv": "no learner name", "mixed-learner.csv": "not one learner",
		"empty-export.csv": "no answers", "missing.csv": "no such file"} {
		if !strings.Contains(reasons[file], want) {
			t.Errorf("%s: reason %q lacks %q", file, reasons[file], want)
		}
	}

	// The table: one row per learner and question; the summary's counts
	// are the generated ones.
	if len(rep.Rows) != 30*3 {
		t.Errorf("%d rows, want 90", len(rep.Rows))
	}
	byName := map[string]learnerRecord{}
	for _, r := range recs {
		byName[r.name] = r
	}
	reviews := 0
	for _, row := range rep.Rows {
		rec := byName[row.Learner]
		want := rec.review[row.Question] && !rec.passed[row.Question]
		if row.NeedsReview != want || (row.Passed && row.NeedsReview) {
			t.Errorf("%s %s: passed %v, needs_review %v; want needs_review %v", row.Learner, row.Question, row.Passed, row.NeedsReview, want)
		}
		if want {
			reviews++
		}
	}
	if reviews == 0 {
		t.Error("the generated class has no row to review; the check above proved nothing")
	}
	for _, s := range rep.Summary {
		passed, missed := 0, map[string]int{}
		for _, r := range recs {
			if r.passed[s.Question] {
				passed++
			}
			for _, m := range r.missed[s.Question] {
				missed[m]++
			}
		}
		if s.Learners != 30 || s.Passed != passed || s.PassRate != float64(passed)/30 {
			t.Errorf("%s: %d/%d passed (%.2f), generated %d/30", s.Question, s.Passed, s.Learners, s.PassRate, passed)
		}
		if len(s.Missed) == 0 || s.Missed[0].Learners != slices.Max(mapValues(missed)) {
			t.Errorf("%s: most missed %+v, generated %v", s.Question, s.Missed, missed)
		}
	}

	// The text an instructor reads, and the CSV table, from the good files.
	code, out, _ = quizCLI(t, "", append([]string{"merge"}, files...)...)
	if code != 0 || !strings.Contains(out, "Class: 30 exports merged") || !strings.Contains(out, "most missed:") ||
		!strings.Contains(out, "Learner 29") {
		t.Errorf("text: exit %d\n%s", code, out)
	}
	code, out, _ = quizCLI(t, "", append(append([]string{"merge"}, files...), "--csv")...)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 91 || rows[0][0] != "learner" {
		t.Errorf("csv: exit %d, %v, %d rows", code, err, len(rows))
	}
}

func TestQuizMergeUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"merge"}, "name the export files"},
		{[]string{"merge", "a.csv", "--json", "--csv"}, "choose one"},
	} {
		if code, _, errOut := quizCLI(t, "", tc.args...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q", tc.args, code, errOut)
		}
	}
	for _, name := range []string{" Ada", strings.Repeat("x", 65), "a\x1b[2Jb"} {
		if code, _, errOut := quizCLI(t, "", "export", "--learner", name); code != 2 || !strings.Contains(errOut, "--learner") {
			t.Errorf("--learner %q: exit %d, %q", name, code, errOut)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func mapValues(m map[string]int) []int {
	var v []int
	for _, n := range m {
		v = append(v, n)
	}
	return v
}
