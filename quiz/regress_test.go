package quiz

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// Regression tests for issue 12, one per class of mistake, in phrasings
// of their own (not the examples, nor the labelled sets').

// grade grades answer to id with the bank's example run.
func grade(t *testing.T, b *Bank, id, answer string) Result {
	t.Helper()
	res, err := b.Grade(id, answer, b.Example)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestCorrectOrderIsNotFlagged: a sentence that gets the order or the read
// path right is never reported as the misconception its words resemble.
func TestCorrectOrderIsNotFlagged(t *testing.T) {
	b := embedded(t)
	for _, tc := range []struct{ id, answer, not string }{
		{"createpost-walkthrough", "PostgreSQL runs the INSERT and commits it first, then the ZADD updates the author's feed.", "redis-first"},
		{"createpost-walkthrough", "The row is committed in Postgres first and only after that does ZADD touch Redis.", "redis-first"},
		{"createpost-walkthrough", "Right after the commit the row is in PostgreSQL but GetFeed (it reads only the Redis sorted set) cannot show it yet.", "feed-reads-postgres"},
		{"createpost-walkthrough", "The post is already in Postgres, while GetFeed reads Redis alone and misses it.", "feed-reads-postgres"},
		{"explain-sync-cqrs", "Unlike async CQRS, where a worker copies rows into Redis a few seconds later, here the same request does the ZADD.", "async-update"},
		{"explain-sync-cqrs", "Some say Redis is the source of truth since that is what users see; it is not, PostgreSQL is.", "redis-is-truth"},
		{"redis-spike-500wps", "GetFeed reads the Redis sorted set that was built from PostgreSQL rows.", "reads-from-postgres"},
		{"explain-sync-cqrs", "Most apps just use a single database for reads and writes.", "replace-design"},
		{"explain-sync-cqrs", "The web worker that handles CreatePost writes PostgreSQL and then the Redis feed; Redis, a separate process, serves thousands of reads every second.", "async-update"},
		{"redis-spike-500wps", "go-redis retries in the request by default, so each slow ZADD can be sent twice.", "retry-inline"},
		{"redis-spike-500wps", "Give the ZADD a deadline and drop it when the deadline passes, as opposed to retrying it inline.", "retry-inline"},
	} {
		res := grade(t, b, tc.id, tc.answer)
		if slices.Contains(res.MisconceptionIDs(), tc.not) {
			t.Errorf("%s: %q flagged as %s", tc.id, tc.answer, tc.not)
		}
	}
}

// TestWrongAnswersDoNotPass: each hole the issue found stays closed, and
// where a misconception is the reason, it is named.
func TestWrongAnswersDoNotPass(t *testing.T) {
	b := embedded(t)
	for _, tc := range []struct{ name, id, answer, misconception string }{
		{"dismissed-terms", "redis-spike-500wps", "Sure, one could mention short deadlines, circuit breakers, connection pool exhaustion, pending outbox rows and a reconciler that rebuilds from Postgres, but frankly all of this is overengineering. I would just switch everything to Cassandra.", "replace-design"},
		{"dismissed-terms-no-anaphor", "explain-sync-cqrs", "Writes land in PostgreSQL, the source of truth, and the same request then puts the post into a Redis sorted set that GetFeed reads, fast and without joins. Overkill, frankly: get rid of Redis and use one database.", "replace-design"},
		{"async-as-sync", "explain-sync-cqrs", "With one database you read and write the same tables. In synchronous CQRS every post is written to PostgreSQL, the source of truth, and the request returns. A background job then copies new posts into each author's Redis feed every few seconds. GetFeed reads only Redis, so reads are fast with no joins, and if the job lags the feed is stale.", "async-update"},
		{"remove-timeout-retry", "redis-spike-500wps", "Writes take 50 ms longer and around 25 are in flight, so the pool can run out. To be safe I would turn off the timeout on the ZADD and retry it inline until Redis accepts it, and mark the author dirty for the reconciler just in case.", "retry-inline"},
		{"rollback-prompt-2", "createpost-walkthrough", "CreatePost inserts the post into PostgreSQL and then runs ZADD, all in one transaction. When the ZADD fails everything is rolled back and the caller gets an error, so GetFeed never shows a half-written post.", "rollback-postgres"},
		{"reads-from-postgres-prompt-3", "redis-spike-500wps", "The feed itself is unaffected because GetFeed reads posts from PostgreSQL. Each write waits 50 ms more for the ZADD, so I would give it a 20 ms deadline and a circuit breaker and repair missed ZADDs from PostgreSQL.", "reads-from-postgres"},
		{"redis-failure-errors", "createpost-walkthrough", "The INSERT commits first and then the ZADD runs. When Redis is down the ZADD fails and CreatePost returns an error to the caller. GetFeed reads Redis, so until the ZADD the post is missing.", "redis-failure-errors"},
		{"fragments-after-prose", "createpost-walkthrough", "CreatePost first writes the row to PostgreSQL. After that it talks to Redis. Commit, ZADD, rollback never, warning, success, stale feed, GetFeed Redis only, reconciler, window.", ""},
		{"unpunctuated-jumble", "redis-spike-500wps", strings.Repeat("latency grows every write waits zadd 25 in flight pool exhausted timeouts retries load stale feed deadline on the zadd circuit breaker dirty authors reconciler rebuilds from postgres idempotent zadd no duplicates ", 2), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := grade(t, b, tc.id, tc.answer)
			if res.Passed {
				t.Errorf("passed with %.2f; found %v, misconceptions %v, notes %v", res.Score, res.FoundIDs(), res.MisconceptionIDs(), res.Notes)
			}
			if tc.misconception != "" && !slices.Contains(res.MisconceptionIDs(), tc.misconception) {
				t.Errorf("misconception %s not named; got %v", tc.misconception, res.MisconceptionIDs())
			}
		})
	}
}

// TestNonEnglishGoesToAnInstructor: a correct answer in another language is
// sent for review with a plain note, never called a list of terms.
func TestNonEnglishGoesToAnInstructor(t *testing.T) {
	b := embedded(t)
	for _, tc := range []struct{ lang, id, answer string }{
		{"es", "explain-sync-cqrs", "Con una sola base de datos lees y escribes en las mismas tablas. Aquí cada post se guarda primero en PostgreSQL, que es la fuente de verdad, y en la misma petición, justo después del commit, se añade a un sorted set de Redis por autor. Las lecturas (GetFeed) van solo a Redis, por eso son rápidas y sin joins. Si falla Redis, el feed queda desactualizado hasta que se reconstruye desde PostgreSQL."},
		{"fr", "createpost-walkthrough", "D'abord CreatePost fait l'INSERT dans PostgreSQL et le commit. Si l'INSERT échoue, l'erreur est renvoyée et Redis n'est pas touché. Ensuite il fait le ZADD dans le feed de l'auteur. Si le ZADD échoue, on écrit un warning dans le log et on renvoie quand même un succès; le feed est alors en retard jusqu'à la réparation depuis PostgreSQL."},
		{"de", "redis-spike-500wps", "Jeder Schreibvorgang wartet 50 ms länger auf den ZADD, also sind bei 500 pro Sekunde etwa 25 Anfragen gleichzeitig offen. Der Verbindungspool kann leerlaufen und dann gibt es Timeouts. Ich würde dem ZADD eine kurze Deadline geben, einen Circuit Breaker einbauen und die Autoren als dirty markieren, damit ein Reconciler den Feed aus PostgreSQL neu aufbaut. PostgreSQL wird nicht zurückgerollt."},
		{"ru", "explain-sync-cqrs", "Запись идёт в PostgreSQL, это источник истины. В том же запросе сразу после коммита пост добавляется в Redis, в отсортированное множество автора. Чтение ленты идёт только из Redis, поэтому оно быстрое."},
	} {
		res := grade(t, b, tc.id, tc.answer)
		if !res.NeedsReview || res.KeywordList || res.Passed {
			t.Errorf("%s: needs_review %v, keyword list %v, passed %v; notes %v", tc.lang, res.NeedsReview, res.KeywordList, res.Passed, res.Notes)
		}
		if !slices.Contains(res.Notes, noteNotEnglish) {
			t.Errorf("%s: notes %v do not say the grader reads English", tc.lang, res.Notes)
		}
	}
	// An English answer that borrows a foreign phrase is still English.
	res := grade(t, b, "explain-sync-cqrs", "Writes go to PostgreSQL, the source of truth; que sera. In the same request Redis gets the post, and reads come from Redis only, so they are fast.")
	if res.NeedsReview && slices.Contains(res.Notes, noteNotEnglish) {
		t.Errorf("an English answer was read as another language")
	}
}

// TestMissedRequirementLowersNotCaps: a strong answer worded so that one
// required point is missed is not capped below the pass mark: it loses the
// requirement's cost and is marked for review.
func TestMissedRequirementLowersNotCaps(t *testing.T) {
	b := embedded(t)
	// Every point but "where reads come from", which is only implied.
	answer := "With one database the same tables take writes and serve pages. Here each new post is written to PostgreSQL, the source of truth, and in the same request, right after the commit, a copy goes into a Redis sorted set per author. That copy is precomputed, so no joins are needed. If the Redis step fails the feed is stale until it is rebuilt from PostgreSQL."
	res := grade(t, b, "explain-sync-cqrs", answer)
	if slices.Contains(res.FoundIDs(), "reads-from-redis") {
		t.Fatalf("the test answer should miss reads-from-redis; found %v", res.FoundIDs())
	}
	if !res.NeedsReview || res.Score < res.PassMark-0.05 {
		t.Errorf("score %.2f, needs_review %v, notes %v: want a needs_review result not capped below the pass mark", res.Score, res.NeedsReview, res.Notes)
	}
	full := grade(t, b, "explain-sync-cqrs", answer+" GetFeed reads that Redis feed and nothing else.")
	if full.NeedsReview || !full.Passed || full.Score <= res.Score {
		t.Errorf("with the read path named: score %.2f, passed %v, needs_review %v", full.Score, full.Passed, full.NeedsReview)
	}
}

// TestQuotesComeFromTheSentenceThatEarnedThePoint: every quote sits inside
// the sentence its index names, and a misconception quotes the clause that
// triggered it, not a neighbour.
func TestQuotesComeFromTheSentenceThatEarnedThePoint(t *testing.T) {
	b := embedded(t)
	answer := "If the INSERT into PostgreSQL fails, the caller gets that error and Redis is never touched. If the ZADD fails afterwards, CreatePost only logs a warning and still returns success. The post row commits first. GetFeed reads Redis, so it misses the post until then. Usually nobody notices. Everything is rolled back when Redis fails."
	res := grade(t, b, "createpost-walkthrough", answer)
	sents := split(answer)
	for _, f := range append(res.Found, res.Misconceptions...) {
		if f.Sentence == nil || *f.Sentence >= len(sents) {
			t.Fatalf("%s: no sentence index", f.ID)
		}
		s := sents[*f.Sentence]
		text := strings.Join(strings.Fields(answer[s.start:s.end]), " ")
		if !strings.Contains(text, strings.Trim(f.Quote, "…")) {
			t.Errorf("%s: quote %q is not from sentence %d %q", f.ID, f.Quote, *f.Sentence, text)
		}
	}
	want := map[string]int{"postgres-failure-returns-error": 0, "redis-failure-still-success": 1, "postgres-commits-first": 2, "rollback-postgres": 5}
	for _, f := range append(res.Found, res.Misconceptions...) {
		if i, ok := want[f.ID]; ok && *f.Sentence != i {
			t.Errorf("%s credited from sentence %d (%q), want %d", f.ID, *f.Sentence, f.Quote, i)
		}
	}
	for id := range want {
		if !slices.Contains(append(res.FoundIDs(), res.MisconceptionIDs()...), id) {
			t.Errorf("%s not found; found %v, misconceptions %v", id, res.FoundIDs(), res.MisconceptionIDs())
		}
	}
	// A missed point carries its hint and no quote: it never says what the
	// learner "said".
	for _, f := range res.Missed {
		if f.Hint == "" || f.Quote != "" || f.Evidence != "" || f.Sentence != nil {
			t.Errorf("missed %s: hint %q, quote %q", f.ID, f.Hint, f.Quote)
		}
	}
	// "usually" is not the one-database contrast.
	res = grade(t, b, "explain-sync-cqrs", "Usually the feed is up to date.")
	if slices.Contains(res.FoundIDs(), "one-db-contrast") {
		t.Errorf("'usually' credited as the one-database contrast")
	}
}

// TestGradingIsDeterministic: the same answer gives byte-identical JSON.
func TestGradingIsDeterministic(t *testing.T) {
	b := embedded(t)
	for _, s := range loadSamples(t, "testdata/tuning-voices.json") {
		a, _ := json.Marshal(grade(t, b, s.Question, s.Answer))
		c, _ := json.Marshal(grade(t, b, s.Question, s.Answer))
		if string(a) != string(c) {
			t.Fatalf("%s/%s: two gradings differ", s.Question, s.Kind)
		}
	}
}
