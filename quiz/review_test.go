package quiz

import (
	"slices"
	"strings"
	"testing"
)

// Regression tests for the second review of issue 12's grader, in
// phrasings of their own: what a required part left out does to a pass,
// and what passed and needs_review mean together.

// TestUnaddressedReadPathDoesNotPass: prompt 2 asks what the read path sees
// at each step. An answer that gets the order and the failures right but
// never says anything about reading is not passed: it is sent to an
// instructor (needs_review, passed false) with the note saying what to
// add. The same answer with the read path said passes, so the verdict is
// about the omission, not the rest.
func TestUnaddressedReadPathDoesNotPass(t *testing.T) {
	b := embedded(t)
	readPath := " While the ZADD has not run, GetFeed reads Redis only and does not show the new post."
	for _, answer := range []string{
		"CreatePost opens with the INSERT into PostgreSQL and the row commits. Only after that is the ZADD sent to the author's sorted set in Redis. If the INSERT fails the error is returned to the caller and Redis is never touched. If the ZADD fails, the code logs a warning and still returns success, since the post is already committed. The two writes are not one transaction.",
		"Step 1: the post is inserted into Postgres and committed. Step 2: ZADD feed:<authorId> with the publish time as score. A failed insert propagates its error and nothing goes to Redis; a failed ZADD is only logged and the call still succeeds because the row is durable. A reconciler rebuilds the Redis data from PostgreSQL later.",
		"first postgres commits the row, then redis gets the zadd. if postgres errors out the caller hears about it straight away and redis stays untouched. if redis breaks after the commit it just logs it and returns ok, the post is saved anyway, and a repair job fixes redis from postgres afterwards.",
	} {
		res := grade(t, b, "createpost-walkthrough", answer)
		if res.Passed {
			t.Errorf("passed at %.2f without a word on the read path: %q", res.Score, answer)
		}
		if res.NeedsReview && res.Passed {
			t.Errorf("needs_review and passed together")
		}
		if !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, "read path") }) {
			t.Errorf("no note asks for the read path: %v", res.Notes)
		}
		full := grade(t, b, "createpost-walkthrough", answer+readPath)
		if !full.Passed || full.NeedsReview {
			t.Errorf("with the read path said: score %.2f, passed %v, needs_review %v, notes %v", full.Score, full.Passed, full.NeedsReview, full.Notes)
		}
	}
}

// TestNeedsReviewNeverPasses: on every labelled set, and on answers built
// to land in review, an answer the grader sends to a person is never also
// reported as passed.
func TestNeedsReviewNeverPasses(t *testing.T) {
	b := embedded(t)
	type probe struct{ id, answer string }
	var probes []probe
	for _, f := range []string{"tuning.json", "tuning-voices.json", "heldout.json", "heldout-fresh.json", "heldout-final.json", "external.json", "heldout-voices.json"} {
		for _, s := range loadSamples(t, "testdata/"+f) {
			probes = append(probes, probe{s.Question, s.Answer})
		}
	}
	probes = append(probes,
		// Strong, but says nothing about where reads come from.
		probe{"explain-sync-cqrs", "With a single database one set of tables takes every insert. Here new posts are saved in PostgreSQL, which is the source of truth, and the same request then writes a copy into a Redis sorted set per author, right after the commit and before it replies. The copy is ready made, so no joins. If Redis fails, the copy drifts until it is rebuilt from PostgreSQL."},
		// Correct, in Portuguese.
		probe{"createpost-walkthrough", "Primeiro o CreatePost faz o INSERT no PostgreSQL e o commit. Se o INSERT falhar, o erro volta para quem chamou e o Redis não é tocado. Depois faz o ZADD no feed do autor; se falhar, só registra um aviso e devolve sucesso. Enquanto isso o GetFeed, que lê só do Redis, não mostra o post."},
	)
	reviewed := 0
	for _, p := range probes {
		res := grade(t, b, p.id, p.answer)
		if res.NeedsReview {
			reviewed++
			if res.Passed {
				t.Errorf("%s: needs_review and passed (score %.2f): %q", p.id, res.Score, p.answer)
			}
		}
	}
	if reviewed < 2 {
		t.Errorf("only %d answers went to review; the probes should", reviewed)
	}
}
