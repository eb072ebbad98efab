package quiz

import "testing"

// TestChapterTwoSamples holds the grader to chapter two's labelled
// answers (testdata/ch2.json): pass or fail as a teacher would decide,
// and the points and misconceptions each must or must not show.
func TestChapterTwoSamples(t *testing.T) {
	b := embedded(t)
	samples := loadSamples(t, "testdata/ch2.json")
	pass, fail := 0, 0
	for _, s := range samples {
		if s.Label == "pass" {
			pass++
		} else {
			fail++
		}
		t.Run(s.Kind, func(t *testing.T) {
			res, err := b.Grade(s.Question, s.Answer, b.Example)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, id := range append(res.FoundIDs(), res.MisconceptionIDs()...) {
				got[id] = true
			}
			if res.Passed != (s.Label == "pass") {
				t.Errorf("passed = %v (score %.2f), label %s\nfound %v\nmisconceptions %v\nnotes %v",
					res.Passed, res.Score, s.Label, res.FoundIDs(), res.MisconceptionIDs(), res.Notes)
			}
			for _, id := range s.Found {
				if !got[id] {
					t.Errorf("%s not found; found %v, misconceptions %v", id, res.FoundIDs(), res.MisconceptionIDs())
				}
			}
			for _, id := range s.NotFound {
				if got[id] {
					t.Errorf("%s found but must not be", id)
				}
			}
		})
	}
	if pass < 10 || fail < 6 {
		t.Errorf("%d pass and %d fail samples, want at least 10 and 6", pass, fail)
	}
	// The model answer passes and names every key point.
	q := b.byID["acknowledged-then-lost"]
	res, err := b.Grade(q.ID, q.ModelAnswer, b.Example)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed || len(res.MisconceptionIDs()) > 0 {
		t.Errorf("model answer: passed %v, misconceptions %v, found %v", res.Passed, res.MisconceptionIDs(), res.FoundIDs())
	}
}
