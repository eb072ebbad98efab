package quiz

import (
	"slices"
	"strings"
	"testing"
)

// The third blind evaluation: two writers who never saw the rubric wrote
// 120 labelled answers; the grader was tuned on half of them (kept here as
// testdata/tuning-blind3.json and held in blind_test.go's TestBlindSets),
// the other half stayed outside the
// repository. The tests below hold the tuned half and, in phrasings of
// their own, each class of mistake that half exposed.

// TestBlind3Languages: correct answers in languages whose small words are
// partly English ("a", "do", "no", "in", "is") are still read as not
// English and sent to an instructor.
func TestBlind3Languages(t *testing.T) {
	b := embedded(t)
	for _, tc := range []struct{ lang, id, answer string }{
		{"pt", "redis-spike-500wps", "Com 500 escritas por segundo e 50 ms a mais em cada ZADD, há umas 25 operações em andamento ao mesmo tempo. Se o pool de conexões for menor, as escritas ficam na fila e a latência cresce; alguns ZADD dão timeout e o feed fica desatualizado. Eu colocaria um deadline curto no ZADD, um circuit breaker, marcaria o autor como dirty e um reconciler reconstruiria o feed a partir do PostgreSQL. O commit no PostgreSQL nunca é desfeito."},
		{"nl", "explain-sync-cqrs", "Met één database schrijf en lees je uit dezelfde tabellen. Hier gaan alle writes naar PostgreSQL, dat is de bron van waarheid. In hetzelfde request wordt de post daarna ook in een Redis sorted set van de auteur gezet. Lezen gebeurt alleen uit Redis, dus dat is snel en zonder joins. Als Redis faalt, is de feed verouderd tot hij opnieuw uit PostgreSQL wordt opgebouwd."},
		{"pl", "createpost-walkthrough", "Najpierw CreatePost robi INSERT do PostgreSQL i to jest od razu zatwierdzone. Jeśli INSERT się nie uda, zwracany jest błąd i Redis nie jest dotykany. Potem jest ZADD do feedu autora w Redis. Do tego momentu GetFeed czyta tylko z Redis i nie widzi posta. Jeśli ZADD się nie uda, zapisujemy ostrzeżenie w logu i zwracamy sukces."},
	} {
		res := grade(t, b, tc.id, tc.answer)
		if !res.NeedsReview || res.Passed || res.KeywordList || !slices.Contains(res.Notes, noteNotEnglish) {
			t.Errorf("%s: needs_review %v, passed %v, keyword list %v, notes %v", tc.lang, res.NeedsReview, res.Passed, res.KeywordList, res.Notes)
		}
	}
	// English with a foreign aside, and English jargon with "de facto",
	// stays English.
	res := grade(t, b, "explain-sync-cqrs", "Writes go to PostgreSQL, de facto the source of truth, and in the same request the post is added to a Redis sorted set; reads come only from Redis, so they are fast, e voilà.")
	if slices.Contains(res.Notes, noteNotEnglish) {
		t.Errorf("an English answer was read as another language")
	}
}

// TestBlind3Analogies: an answer that maps its analogy to the stores once
// is graded on what it says about the analogy; a wrong analogy is caught
// the same way, and quotes keep the learner's words.
func TestBlind3Analogies(t *testing.T) {
	b := embedded(t)
	for _, tc := range []struct {
		name, id, answer string
		pass             bool
		misconception    string
	}{
		{"bracket", "explain-sync-cqrs", "Picture a hotel with a guest register at the front desk (PostgreSQL) and a room board in the lobby (Redis). Each new guest is written in the register first, and the register is the official record. In the same check-in, before the clerk hands over the key, the room board is updated too. Visitors only ever look at the room board, which is quick. If the clerk forgets, the board is out of date until someone redoes it from the register.", true, ""},
		{"bracket-wrong-order", "explain-sync-cqrs", "Picture a hotel with a guest register at the front desk (PostgreSQL) and a room board in the lobby (Redis). Each new guest goes on the room board first, and hours later a porter copies the board into the register. Visitors only ever look at the room board, which is quick.", false, "redis-first"},
		{"is-mapping", "createpost-walkthrough", "Imagine a bakery: the order ledger in the back is PostgreSQL and the chalkboard by the till is Redis. First the order is written in the ledger, and that is final; if the ledger refuses it, the customer hears at once and the chalkboard is never touched. Then the order goes on the chalkboard with a ZADD. Anyone watching the chalkboard before that sees the old list without it. If the chalkboard update fails, the baker notes a warning in the log and still says the order is placed, and later someone copies it from the ledger back onto the chalkboard.", true, ""},
		{"is-mapping-rollback", "createpost-walkthrough", "Imagine a bakery: the order ledger in the back is PostgreSQL and the chalkboard by the till is Redis. First the order is written in the ledger. Then it goes on the chalkboard with a ZADD, and anyone watching the chalkboard before that sees the old list. If the chalkboard update fails, the baker deletes the order from the ledger and tells the customer it failed.", false, "rollback-postgres"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := grade(t, b, tc.id, tc.answer)
			if res.Passed != tc.pass {
				t.Errorf("passed %v (score %.2f), want %v; found %v, misconceptions %v, notes %v", res.Passed, res.Score, tc.pass, res.FoundIDs(), res.MisconceptionIDs(), res.Notes)
			}
			if tc.misconception != "" && !slices.Contains(res.MisconceptionIDs(), tc.misconception) {
				t.Errorf("misconception %s not named; got %v", tc.misconception, res.MisconceptionIDs())
			}
			sents := split(tc.answer)
			for _, f := range append(res.Found, res.Misconceptions...) {
				s := sents[*f.Sentence]
				if q := f.Quote; q != "" && !containsWords(tc.answer[s.start:s.end], q) {
					t.Errorf("%s: quote %q is not the learner's words", f.ID, q)
				}
			}
		})
	}
	// A word mapped to both stores stands for neither, and a sentence that
	// merely uses "is" without an analogy maps nothing.
	res := grade(t, b, "explain-sync-cqrs", "The bottleneck is Redis. Writes go to PostgreSQL, the source of truth, and reads come from Redis.")
	if slices.Contains(res.MisconceptionIDs(), "redis-first") {
		t.Errorf("a plain 'X is Redis' was read as an analogy: %v", res.MisconceptionIDs())
	}
}

// containsWords reports whether quote (maybe with "…" at either end) is in
// text once both have their spacing normalised.
func containsWords(text, quote string) bool {
	q := strings.Trim(strings.Join(strings.Fields(quote), " "), "…")
	return q != "" && strings.Contains(strings.Join(strings.Fields(text), " "), q)
}

// TestBlind3Misconceptions: the crucial errors the tuned half and our own
// probes slipped past the grader now block a pass, each in an otherwise
// complete answer; a sentence criticising the same idea is not flagged.
func TestBlind3Misconceptions(t *testing.T) {
	b := embedded(t)
	for _, tc := range []struct{ name, id, answer, misconception string }{
		{"p1-undo-insert", "explain-sync-cqrs", "With one database you read and write the same tables. New posts are saved in PostgreSQL, the system of record, and the same request then adds each post to a Redis sorted set that GetFeed reads, quickly and with no joins. Because it is synchronous the stores stay identical: whenever the Redis write errors, the request fails and the saved row is removed again.", "rollback-postgres"},
		{"p1-retry-until", "explain-sync-cqrs", "With one database you read and write the same tables. Writes are stored in PostgreSQL, the source of truth, and the same request then adds the post to a Redis sorted set; reads come only from Redis, so they are fast. When the Redis write fails the handler keeps trying again until it goes through, so the feed is never behind.", "retry-inline"},
		{"p1-miss-goes-to-pg", "explain-sync-cqrs", "With one database you read and write the same tables. Writes go to PostgreSQL, the source of truth, and the same request updates a Redis sorted set before it returns. GetFeed reads Redis, and whenever a post is not there it turns to PostgreSQL for it, so the feed is always complete.", "reads-from-postgres"},
		{"p2-503", "createpost-walkthrough", "The INSERT into Postgres commits first, and if it fails the caller gets the error and Redis is untouched. Then the ZADD runs; GetFeed reads Redis only, so the post is missing from the feed until then. If the ZADD times out, we reply with a 503 and the app has to post again.", "redis-failure-errors"},
		{"p3-bigger-timeout", "redis-spike-500wps", "Each write waits 50 ms longer, so about 25 are in flight and the connection pool can run dry; some ZADDs time out and feeds go stale. I'd lengthen the read timeout to a few seconds and bump the retry count so every ZADD eventually lands, with a circuit breaker for full outages. Postgres is never rolled back.", "retry-inline"},
		{"p3-client-retries", "redis-spike-500wps", "Each write waits 50 ms longer, so about 25 are in flight and the pool can be exhausted; some ZADDs time out. When one times out, send an error back to the user so their app resubmits the post, and add a circuit breaker in front of Redis. The Postgres row is kept.", "redis-failure-errors"},
		{"p3-ditch-redis", "redis-spike-500wps", "At 500 writes a second the spike leaves about 25 ZADDs in flight, the pool is exhausted and writes time out; a deadline, a breaker and a reconciler would cope. Simpler: ditch Redis and read the feed straight from Postgres with an index.", "replace-design"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantVerdict(t, b, tc.name, tc.id, tc.answer, tc.misconception) })
	}
	for _, tc := range []struct{ name, id, answer, not string }{
		{"critique-timeout", "redis-spike-500wps", "Lengthening the timeout or bumping the retries would only make the pile-up worse; give the ZADD a short deadline instead.", "retry-inline"},
		{"non-atomic", "createpost-walkthrough", "CreatePost does a non-atomic dual write: the INSERT commits, then the ZADD runs.", "one-transaction"},
		{"reconciler-goes-back", "explain-sync-cqrs", "When the feed is stale, the reconciler goes back to PostgreSQL and rebuilds it.", "reads-from-postgres"},
		{"miss-not-queried", "createpost-walkthrough", "If the feed misses a post, GetFeed does not query PostgreSQL for it; the feed is just stale.", "feed-reads-postgres"},
		{"miss-repaired", "explain-sync-cqrs", "When a post is missing from Redis, the reconciler reads PostgreSQL and adds it back.", "reads-from-postgres"},
		{"down-writes-still-go", "explain-sync-cqrs", "When Redis is down, writes still go to PostgreSQL and only the feed lags.", "reads-from-postgres"},
		{"undo-not-an-option", "explain-sync-cqrs", "Undoing the Postgres insert is not an option once it has committed, so a failed Redis update only leaves the feed stale.", "rollback-postgres"},
		{"skip-redis-while-slow", "redis-spike-500wps", "While Redis is slow, the breaker opens and we drop Redis updates for a while, marking the authors dirty.", "replace-design"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantNotFlagged(t, b, tc.name, tc.id, tc.answer, tc.not) })
	}
	// "non-atomic" is the not-atomic point, said.
	res := grade(t, b, "createpost-walkthrough", "CreatePost does a non-atomic dual write.")
	if !slices.Contains(res.FoundIDs(), "not-atomic") {
		t.Errorf("'non-atomic' not credited as not-atomic; found %v", res.FoundIDs())
	}
}
