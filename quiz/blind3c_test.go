package quiz

import (
	"slices"
	"testing"
)

// The third blind evaluation's third part (its answers are held in
// blind_test.go's TestBlindSets): 60 answers by a third writer,
// scored unseen at 56/60 (0 false passes, 32 of 36 labelled pass passing)
// by the grader tuned on the first two, then tuned on. They are kept in
// testdata/tuning-blind3c.json. All four misses were correct answers
// failed: a "first" that ranked a post or counted an attempt read as
// Redis-first, a repair "from PG" read as GetFeed reading PostgreSQL, and
// write-model vocabulary ("the durable store") not read as PostgreSQL.

// TestBlind3cClasses: the classes the third part exposed, in our own
// phrasings. A correct order, however it is worded, is credited and never
// flagged; a Redis-first order or a read from PostgreSQL, however it is
// worded, still fails.
func TestBlind3cClasses(t *testing.T) {
	b := embedded(t)
	walk := "The INSERT commits in Postgres first; if it fails the error is returned and Redis is untouched. Then the post is ZADDed into the author's feed. GetFeed reads Redis only, so it shows the old feed until the ZADD lands. If the ZADD fails, the code logs a warning and returns success, and a reconciler re-adds the post from Postgres later."
	rest := " If the INSERT fails the error is returned and nothing else happens. If the ZADD fails, the seed logs a warning and still returns success, so GetFeed, which only reads Redis, shows a stale feed until the reconciler rebuilds it from PostgreSQL. Between the two writes readers see the old feed."
	spike := "About 25 ZADDs are in flight at once, the pool runs out of connections and requests queue, so write latency climbs and some ZADDs time out. Put a short deadline on the ZADD, add a circuit breaker, and mark the author dirty so a reconciler backfills the feed from Postgres. "
	for _, tc := range []struct {
		name, id, answer, mis string // mis "" means the answer passes with no misconception
		found                 string // a point that must be credited, when set
	}{
		// A "first" that ranks a post or counts an attempt is not the order of the writes.
		{"ranked-first", "createpost-walkthrough", walk + " Once the ZADD is in, the feed lists the new post first.", "", ""},
		{"newest-first", "createpost-walkthrough", walk + " GetFeed returns the posts sorted newest first, so after the ZADD it displays the new one first.", "", ""},
		{"first-try", "redis-spike-500wps", spike + "A retried ZADD whose first try already reached Redis lands twice, which is harmless with the same member and score.", "", ""},
		{"order-redis-first", "createpost-walkthrough", "The order is Redis first, then the post is inserted in Postgres. GetFeed reads Redis only.", "redis-first", ""},
		{"appears-redis-first", "createpost-walkthrough", "The post appears in Redis first and PostgreSQL gets it afterwards." + rest, "redis-first", ""},
		{"zadd-comes-first", "createpost-walkthrough", "The ZADD comes first, then the INSERT into PostgreSQL." + rest, "redis-first", ""},
		{"spike-buffer-first", "redis-spike-500wps", "On the first attempt writes go to Redis first and are flushed to Postgres later, so the spike only delays the flush.", "redis-first", ""},
		// A "first" in a clause saying the store lacks the post is a state before the write.
		{"at-first-nothing", "createpost-walkthrough", "At first Redis has nothing new; the INSERT commits, then the ZADD." + rest, "", ""},
		{"at-first-slow", "redis-spike-500wps", spike + "At first Redis only looks slow, then the pool drains.", "", ""},
		{"first-and-pg-old", "createpost-walkthrough", "Redis gets the post first and Postgres still has the old rows." + rest, "redis-first", ""},
		{"at-first-goes", "createpost-walkthrough", "At first the post goes into Redis, and later into Postgres." + rest, "redis-first", ""},
		// A repair from PostgreSQL is not GetFeed reading it.
		{"until-reconciled", "createpost-walkthrough", walk + " Meanwhile Postgres has it and Redis does not: GetFeed stays stale until reconciled from Postgres.", "", ""},
		{"until-redis-back", "createpost-walkthrough", walk + " While Redis is down GetFeed queries Postgres until Redis is back.", "feed-reads-postgres", ""},
		// What commits first, in other words.
		{"durable-store", "createpost-walkthrough", "The durable store goes first: the row lands in PostgreSQL and autocommits. Only after that is the entry pushed into the in-memory index." + rest, "", "postgres-commits-first"},
		{"index-first", "createpost-walkthrough", "The in-memory index is written first, then the durable store gets the row." + rest, "redis-first", ""},
		{"once-has", "createpost-walkthrough", "Once the INSERT has committed, CreatePost does the ZADD into Redis." + rest, "", "postgres-commits-first"},
		{"only-after-does", "createpost-walkthrough", "Only after PostgreSQL has committed the row does the ZADD run." + rest, "", "postgres-commits-first"},
		{"passive-before-touching", "createpost-walkthrough", "The post is committed by PostgreSQL before Redis is touched at all." + rest, "", "postgres-commits-first"},
		{"arrows", "createpost-walkthrough", "INSERT into Postgres (autocommit) → ZADD into Redis → return." + rest, "", "postgres-commits-first"},
	} {
		res := wantVerdict(t, b, tc.name, tc.id, tc.answer, tc.mis)
		if tc.found != "" && !slices.Contains(res.FoundIDs(), tc.found) {
			t.Errorf("%s: want %s credited, found %v", tc.name, tc.found, res.FoundIDs())
		}
	}
}
