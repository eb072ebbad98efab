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
		"The post is inserted into PostgreSQL and committed before Redis is touched; then ZADD adds it to the author's feed. When the insert is rejected the user sees an error and nothing else happens. When Redis is down the ZADD fails, but the user still sees success with a warning in the log, because the row is saved.",
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

// TestCrucialErrorsBlockPromptOne: on prompt 1, saying that writes land in
// Redis first (Redis as a buffer copied on to PostgreSQL), or that reads
// query PostgreSQL, blocks a pass as on prompts 2 and 3, even when the
// rest of the answer is strong. Each case is one error in an otherwise
// good answer, so the test sees which error blocks.
func TestCrucialErrorsBlockPromptOne(t *testing.T) {
	b := embedded(t)
	const (
		contrast = "With one database the same tables take every write and answer every page. "
		goodTail = " Reads are fast because the feed is precomputed, with no joins. If the Redis step fails, the feed goes stale until it is rebuilt from PostgreSQL."
	)
	for _, tc := range []struct{ name, answer, misconception string }{
		{"buffer", contrast + "Here every new post lands in Redis first, which works as a write buffer, and the same request then copies it over to PostgreSQL, the source of truth. GetFeed reads the author's sorted set in Redis only." + goodTail, "redis-first"},
		{"flushed", contrast + "CreatePost puts the post in the Redis sorted set and then flushes it to Postgres before it returns, so Postgres stays the system of record. Feed reads are served from Redis." + goodTail, "redis-first"},
		{"before", contrast + "In the same call the write goes to Redis before PostgreSQL, which holds the truth. Loading a feed asks Redis and nothing else." + goodTail, "redis-first"},
		{"reads-query-pg", contrast + "Writes go to PostgreSQL, the source of truth, and right after the commit, in the same request, the post is added to a Redis sorted set. GetFeed then queries PostgreSQL for the author's posts." + goodTail, "reads-from-postgres"},
		{"readers-hit-pg", contrast + "CreatePost saves the post in Postgres, which stays the truth, and before returning it also updates the Redis feed. Readers still load their feed from Postgres, ordered by time." + goodTail, "reads-from-postgres"},
		{"fallback", contrast + "Writes are stored in PostgreSQL, the source of truth, and in the same request the post is ZADDed into a Redis sorted set. GetFeed reads Redis and falls back to PostgreSQL when a post is missing, so nobody sees a gap." + goodTail, "reads-from-postgres"},
		{"both", contrast + "Each post is first written to Redis and then copied into PostgreSQL within the request, and every read queries PostgreSQL, the source of truth." + goodTail, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := grade(t, b, "explain-sync-cqrs", tc.answer)
			if res.Passed {
				t.Errorf("passed with %.2f; found %v, misconceptions %v", res.Score, res.FoundIDs(), res.MisconceptionIDs())
			}
			if tc.misconception != "" && !slices.Contains(res.MisconceptionIDs(), tc.misconception) {
				t.Errorf("misconception %s not named; got %v", tc.misconception, res.MisconceptionIDs())
			}
			if tc.misconception == "" && len(res.Misconceptions) == 0 {
				t.Errorf("no misconception named")
			}
		})
	}
}

// TestGetFeedFallbackIsAMisconception: on prompt 2, a read path that falls
// back to PostgreSQL when Redis lacks the post is cache-aside, not this
// design (GetFeed reads Redis only); it blocks a pass however good the
// rest is. Saying GetFeed never falls back is right and is not flagged.
func TestGetFeedFallbackIsAMisconception(t *testing.T) {
	b := embedded(t)
	const good = "The INSERT into PostgreSQL commits first, and only then does CreatePost send the ZADD to Redis. If the INSERT fails the caller gets the error and Redis is never touched. If the ZADD fails, CreatePost logs a warning and still returns success because the post is committed. "
	for _, tail := range []string{
		"If the post is not in Redis yet, GetFeed falls back to PostgreSQL, so readers still see it and there is no real staleness.",
		"On a miss the read path simply queries Postgres for the post, so a failed ZADD never shows to users.",
		"Readers are never affected: whatever the Redis feed lacks is fetched from PostgreSQL on the fly.",
		"GetFeed tries Redis and, when the post is not there, it falls back to PostgreSQL, so readers still see it; no real staleness.",
		"When the post isn't in Redis GetFeed falls back to querying PostgreSQL, so the reader still gets it.",
		"If Redis doesn't have the post, GetFeed just reads it from Postgres instead.",
	} {
		res := grade(t, b, "createpost-walkthrough", good+tail)
		if res.Passed || !slices.Contains(res.MisconceptionIDs(), "feed-reads-postgres") {
			t.Errorf("%q: passed %v at %.2f, misconceptions %v", tail, res.Passed, res.Score, res.MisconceptionIDs())
		}
	}
	for _, tail := range []string{
		"GetFeed reads Redis only and never falls back to PostgreSQL, so until the ZADD runs the post is missing from the feed.",
		"Between the commit and the ZADD a reader's GetFeed does not show the post; a reconciler later reads PostgreSQL and adds it back.",
		"When the ZADD isn't done GetFeed does not fall back to PostgreSQL either, so the post is missing from the feed.",
	} {
		res := grade(t, b, "createpost-walkthrough", good+tail)
		if slices.Contains(res.MisconceptionIDs(), "feed-reads-postgres") || !res.Passed {
			t.Errorf("%q: passed %v at %.2f, misconceptions %v", tail, res.Passed, res.Score, res.MisconceptionIDs())
		}
	}
}

// TestRightOrderAndReadsAreNotFlaggedOnPromptOne: the sentences prompt 1's
// new misconceptions resemble, said rightly, are not flagged.
func TestRightOrderAndReadsAreNotFlaggedOnPromptOne(t *testing.T) {
	b := embedded(t)
	for _, tc := range []struct{ answer, not string }{
		{"With a single database, reads query the same PostgreSQL tables the writes go to.", "reads-from-postgres"},
		{"If Redis misses a post, a reconciler reads PostgreSQL and rebuilds that feed.", "reads-from-postgres"},
		{"GetFeed reads Redis and never PostgreSQL.", "reads-from-postgres"},
		{"GetFeed never falls back to PostgreSQL when a post is missing.", "reads-from-postgres"},
		{"The write goes to PostgreSQL first and then to Redis.", "redis-first"},
		{"PostgreSQL commits, and right after that Redis gets the post.", "redis-first"},
		{"Redis is updated before the response goes back, after PostgreSQL has committed.", "redis-first"},
		{"Each post is copied from PostgreSQL to Redis in the same request.", "redis-first"},
		{"Redis is not a write buffer in front of PostgreSQL; it holds a derived copy.", "redis-first"},
	} {
		res := grade(t, b, "explain-sync-cqrs", tc.answer)
		if slices.Contains(res.MisconceptionIDs(), tc.not) {
			t.Errorf("%q flagged as %s", tc.answer, tc.not)
		}
	}
}

// TestRedisFirstBlocksPromptThree: prompt 3 had no Redis-first
// misconception; an answer built on writes reaching Redis first no longer
// passes, and the right order is not flagged.
func TestRedisFirstBlocksPromptThree(t *testing.T) {
	b := embedded(t)
	const rest = " At 500 writes a second with 50 ms more per ZADD, about 25 writes are in flight, the connection pool runs dry and requests time out. Give the ZADD a short deadline and a circuit breaker, mark the author dirty, and let a reconciler rebuild the feed from PostgreSQL."
	for _, lead := range []string{
		"Every write lands in Redis first and is flushed into PostgreSQL afterwards, so the spike sits in front of everything.",
		"Because CreatePost does the ZADD before the PostgreSQL insert, Redis latency is paid on every write.",
	} {
		res := grade(t, b, "redis-spike-500wps", lead+rest)
		if res.Passed || !slices.Contains(res.MisconceptionIDs(), "redis-first") {
			t.Errorf("%q: passed %v at %.2f, misconceptions %v", lead, res.Passed, res.Score, res.MisconceptionIDs())
		}
	}
	res := grade(t, b, "redis-spike-500wps", "The INSERT commits in PostgreSQL first and the ZADD runs right after it in the same request, so every write now waits on Redis."+rest)
	if slices.Contains(res.MisconceptionIDs(), "redis-first") || !res.Passed {
		t.Errorf("the right order: passed %v at %.2f, misconceptions %v", res.Passed, res.Score, res.MisconceptionIDs())
	}
}

// TestAMisconceptionsClauseEarnsNoPoint: a clause the grader quotes as a
// misconception is never also quoted as earning a key point (the student
// who wrote that Redis takes the write first and copies it to PostgreSQL
// later must not be told they said writes go to PostgreSQL). Checked on
// every labelled answer and on probes of each crucial error.
func TestAMisconceptionsClauseEarnsNoPoint(t *testing.T) {
	b := embedded(t)
	type probe struct{ id, answer string }
	probes := []probe{
		{"explain-sync-cqrs", "The write lands in Redis before anything else, and a little later the app copies it over to postgres. Reads are answered by postgres."},
		{"createpost-walkthrough", "Redis is written first with the ZADD and then the row goes into PostgreSQL. GetFeed reads the posts table."},
		{"redis-spike-500wps", "Each request writes Redis first and PostgreSQL after it, so the spike delays both. Add a timeout and repair the feed later."},
	}
	for _, f := range []string{"tuning.json", "tuning-voices.json", "heldout.json", "heldout-fresh.json", "heldout-final.json", "external.json", "heldout-voices.json"} {
		for _, s := range loadSamples(t, "testdata/"+f) {
			probes = append(probes, probe{s.Question, s.Answer})
		}
	}
	flagged := 0
	for _, p := range probes {
		res := grade(t, b, p.id, p.answer)
		wrong := map[string]bool{}
		for _, m := range res.Misconceptions {
			if m.Quote != "" {
				wrong[m.Quote] = true
			}
		}
		flagged += len(wrong)
		for _, f := range res.Found {
			if f.Quote != "" && wrong[f.Quote] {
				t.Errorf("%s: %q credited from the clause it flags as a misconception: %q", p.id, f.Summary, f.Quote)
			}
		}
	}
	if flagged == 0 {
		t.Fatal("no probe was flagged at all: the check checked nothing")
	}
}
