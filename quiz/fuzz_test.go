package quiz

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
)

// FuzzGrade feeds arbitrary text to every free-text rubric. Whatever the
// text, grading must not panic, must give the same result twice, must keep
// the score within 0..1, and every quote must be the learner's own words.
// The seeds are the labelled answers, so `go test` runs them as a test.
func FuzzGrade(f *testing.F) {
	for _, file := range []string{"testdata/tuning.json", "testdata/heldout.json", "testdata/heldout-voices.json"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var s struct{ Samples []sample }
		if err := json.Unmarshal(data, &s); err != nil {
			f.Fatal(err)
		}
		for _, x := range s.Samples {
			f.Add(x.Answer)
		}
	}
	for _, s := range []string{"", " ", ".", "1.", "a)", "'", "n't", "-->", "→→", "not", "not only", "instead of", "\x00\x1b[31m", "é" + strings.Repeat("ñ", 40), "Redis, Redis, Redis; PostgreSQL.",
		// The layout readers: a table (framed, with an empty cell and a
		// stop inside a row), a self-answered question, and Q:/A: lines.
		"step | PG | Redis\n|---|---|\n| INSERT | yes | no |\nZADD ok | | yes; shown\n",
		"What commits first? Postgres.\nDoes GetFeed read PG? No.",
		"Q: Which store is the record?\nA: PostgreSQL.\nNever: roll back."} {
		f.Add(s)
	}
	b, err := Embedded()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, answer string) {
		if len(answer) > 4096 {
			answer = answer[:4096] // long inputs are the benchmark's job; keep exec rate up
		}
		words := strings.Join(strings.Fields(answer), " ")
		for _, id := range tryIt {
			r1, err := b.Grade(id, answer, b.Example)
			if err != nil {
				t.Fatal(err)
			}
			r2, _ := b.Grade(id, answer, b.Example)
			j1, _ := json.Marshal(r1)
			j2, _ := json.Marshal(r2)
			if string(j1) != string(j2) {
				t.Fatalf("%s: two gradings differ:\n%s\n%s", id, j1, j2)
			}
			if math.IsNaN(r1.Score) || r1.Score < 0 || r1.Score > 1 {
				t.Fatalf("%s: score %v out of range", id, r1.Score)
			}
			if r1.Passed != (r1.Score >= r1.PassMark) {
				t.Fatalf("%s: passed %v with score %v, pass mark %v", id, r1.Passed, r1.Score, r1.PassMark)
			}
			for _, fs := range [][]Finding{r1.Found, r1.Misconceptions} {
				for _, fd := range fs {
					q := strings.Trim(fd.Evidence, "…")
					if q == "" || !strings.Contains(words, q) {
						t.Fatalf("%s: point %s quotes %q, not in the answer", id, fd.ID, fd.Evidence)
					}
				}
			}
		}
	})
}
