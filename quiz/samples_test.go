package quiz

import (
	"encoding/json"
	"os"
	"testing"
)

// sample is one labelled answer from testdata.
type sample struct {
	Question string   `json:"question"`
	Label    string   `json:"label"` // pass or fail
	Kind     string   `json:"kind"`  // good, partial, wrong, keywords, negated-..., empty, off-topic
	Answer   string   `json:"answer"`
	Found    []string `json:"found"`    // points (or misconceptions) that must be found
	NotFound []string `json:"notFound"` // points that must not be
}

func loadSamples(t testing.TB, file string) []sample {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Samples []sample }
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return f.Samples
}

func embedded(t testing.TB) *Bank {
	t.Helper()
	b, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestTuningSamples holds the grader to every labelled answer it was tuned
// against: pass or fail, and the key points and misconceptions named.
func TestTuningSamples(t *testing.T) {
	b := embedded(t)
	samples := append(loadSamples(t, "testdata/tuning.json"), loadSamples(t, "testdata/tuning-voices.json")...)
	perQuestion := map[string]int{}
	for _, s := range samples {
		perQuestion[s.Question]++
		t.Run(s.Question+"/"+s.Kind, func(t *testing.T) {
			res, err := b.Grade(s.Question, s.Answer, b.Example)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, id := range append(res.FoundIDs(), res.MisconceptionIDs()...) {
				got[id] = true
			}
			if res.Passed != (s.Label == "pass") {
				t.Errorf("passed = %v (score %.2f), label %s\nfound %v\nmisconceptions %v\nnotes %v", res.Passed, res.Score, s.Label, res.FoundIDs(), res.MisconceptionIDs(), res.Notes)
			}
			for _, id := range s.Found {
				if !got[id] {
					t.Errorf("point %s not found; found %v, misconceptions %v", id, res.FoundIDs(), res.MisconceptionIDs())
				}
			}
			for _, id := range s.NotFound {
				if got[id] {
					t.Errorf("point %s found but must not be", id)
				}
			}
			if s.Kind == "keywords" || s.Kind == "keywords-lines" {
				if !res.KeywordList {
					t.Errorf("a list of keywords was not recognised as one")
				}
			}
		})
	}
	for _, id := range []string{"explain-sync-cqrs", "createpost-walkthrough", "redis-spike-500wps"} {
		if perQuestion[id] < 10 {
			t.Errorf("%s has %d tuning samples, want at least 10", id, perQuestion[id])
		}
	}
}

// TestHeldOutAgreement measures how often the grader agrees with labels on
// answers kept out of tuning. Each file's "about" says how clean it still is
// and the figure it gave the first time. The figure goes in the log; the test
// guards against regressions by failing below 90% or when a keyword list or
// any answer labelled fail passes (the grader may be strict, never lenient).
func TestHeldOutAgreement(t *testing.T) {
	for _, file := range []string{"testdata/heldout.json", "testdata/heldout-fresh.json", "testdata/heldout-final.json", "testdata/external.json"} {
		t.Run(file, func(t *testing.T) { heldOut(t, file) })
	}
}

func heldOut(t *testing.T, file string) {
	b := embedded(t)
	samples := loadSamples(t, file)
	agree := 0
	for _, s := range samples {
		res, err := b.Grade(s.Question, s.Answer, b.Example)
		if err != nil {
			t.Fatal(err)
		}
		ok := res.Passed == (s.Label == "pass")
		if ok {
			agree++
		} else {
			t.Logf("disagree: %s/%s label %s, score %.2f, found %v, misconceptions %v, notes %v", s.Question, s.Kind, s.Label, res.Score, res.FoundIDs(), res.MisconceptionIDs(), res.Notes)
		}
		if s.Label == "fail" && res.Passed {
			t.Errorf("%s/%s: an answer labelled fail passed (score %.2f)", s.Question, s.Kind, res.Score)
		}
	}
	rate := float64(agree) / float64(len(samples))
	t.Logf("%s: agreement %d of %d (%.0f%%)", file, agree, len(samples), rate*100)
	if rate < 0.9 {
		t.Errorf("held-out agreement %.0f%% is below 90%%", rate*100)
	}
}

// TestHeldOutVoices holds the grader to issue 12's bar on the split written
// and labelled before the grader changed, and never tuned on: agreement at
// least 92%, no answer labelled fail passing, and at least 90% of the
// answers labelled pass passing. The figures go in the log.
func TestHeldOutVoices(t *testing.T) {
	b := embedded(t)
	samples := loadSamples(t, "testdata/heldout-voices.json")
	agree, pass, passed, falsePass := 0, 0, 0, 0
	for _, s := range samples {
		res, err := b.Grade(s.Question, s.Answer, b.Example)
		if err != nil {
			t.Fatal(err)
		}
		if res.Passed == (s.Label == "pass") {
			agree++
		} else {
			t.Logf("disagree: %s/%s label %s, score %.2f, needs_review %v, found %v, misconceptions %v, notes %v", s.Question, s.Kind, s.Label, res.Score, res.NeedsReview, res.FoundIDs(), res.MisconceptionIDs(), res.Notes)
		}
		if s.Label == "pass" {
			pass++
			if res.Passed {
				passed++
			}
		} else if res.Passed {
			falsePass++
		}
	}
	t.Logf("heldout-voices: agreement %d of %d (%.1f%%), false passes %d, labelled pass that pass %d of %d (%.1f%%)",
		agree, len(samples), 100*float64(agree)/float64(len(samples)), falsePass, passed, pass, 100*float64(passed)/float64(pass))
	if float64(agree) < 0.92*float64(len(samples)) || falsePass > 0 || float64(passed) < 0.9*float64(pass) {
		t.Errorf("below issue 12's bar")
	}
}
