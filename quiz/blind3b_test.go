package quiz

import "testing"

// The third blind evaluation's second half: 60 answers by the same two
// writers, scored unseen at 53/60 (3 false passes) by the grader tuned on
// the first half, then tuned on. They are kept in
// testdata/tuning-blind3b.json (held in blind_test.go's TestBlindSets; the
// SRE timeline that says what commits first only by the order of its
// bullets went to review until the grader read steps), and the tests
// below hold, in
// phrasings of our own, each class of mistake they exposed.

// TestBlind3bClasses: the classes the second half exposed, in our own
// phrasings: each wrong answer fails on the misconception named, each
// right one passes without it.
func TestBlind3bClasses(t *testing.T) {
	b := embedded(t)
	walk := "The INSERT commits in Postgres first; if it fails the error is returned and Redis is untouched. Then the post is ZADDed into the author's feed. GetFeed reads Redis only, so it shows the old feed until the ZADD lands, then the new post. If the ZADD fails, the code logs a warning and returns success, and a reconciler re-adds the post from Postgres later."
	basics := "Writes go to Postgres, the source of truth, and in the same request the post is added to a Redis sorted set. Reads come only from Redis, so they are fast. "
	spike := "About 25 ZADDs are in flight at once, the pool runs out of connections and requests queue, so write latency climbs and some ZADDs time out. "
	for _, tc := range []struct {
		name, id, answer, mis string // mis "" means the answer passes with no misconception
	}{
		// A failed Redis update loses the post (and the user must post again).
		{"lost-gone", "explain-sync-cqrs", basics + "When the Redis step fails, the post is gone for the users, and they must post it again.", "post-lost"},
		{"lost-down", "explain-sync-cqrs", basics + "If Redis goes down the posts are lost, since readers only see Redis.", "post-lost"},
		{"lost-resubmit", "createpost-walkthrough", "The INSERT into Postgres commits first; if it fails the error is returned and Redis is untouched. Then ZADD into the author's feed. GetFeed reads Redis only, so it shows the old feed until the ZADD lands. If the ZADD times out the post is lost and the user is told to resubmit it.", "post-lost"},
		{"lost-spike", "redis-spike-500wps", spike + "When ZADDs time out, the data is lost, because users only read the feed. Put a short deadline on the ZADD and a circuit breaker.", "post-lost"},
		{"never-published", "explain-sync-cqrs", basics + "Since users only see Redis, a failed Redis write means the post never really got published, so CreatePost has to fail.", "post-lost"},
		{"asked-try-again", "createpost-walkthrough", "The INSERT commits in Postgres first; if it fails the error is returned and Redis is untouched. Then the post is ZADDed into the author's feed. GetFeed reads Redis only, so it shows the old feed until the ZADD lands. If the ZADD fails, the whole CreatePost call fails and the author is asked to try again.", "post-lost"},
		{"should-succeed", "explain-sync-cqrs", basics + "If the ZADD fails, the request should still succeed, because the post is saved; the feed is stale until rebuilt from Postgres.", ""},
		{"not-data-loss", "explain-sync-cqrs", basics + "A failed ZADD is not data loss, only a stale feed until a rebuild from Postgres.", ""},
		{"no-repost", "explain-sync-cqrs", basics + "If the Redis write fails, the user doesn't have to post it again: the feed is stale until a rebuild from Postgres.", ""},
		{"pg-fail-try-again", "createpost-walkthrough", "The INSERT commits in Postgres first; if it fails the error is returned and Redis is untouched, and the user can just try again. Then ZADD into the feed. GetFeed reads Redis only, so it shows the old feed until the ZADD lands. If the ZADD fails it logs a warning and returns success, and a reconciler re-adds the post.", ""},
		{"nothing-lost", "explain-sync-cqrs", basics + "If the Redis update fails, nothing is lost: the post is still in Postgres and the feed is stale until rebuilt.", ""},
		{"not-lose", "explain-sync-cqrs", basics + "If the ZADD fails we don't lose the post; the feed is just behind until a reconciler rebuilds it from Postgres.", ""},
		{"lost-from-feed", "redis-spike-500wps", spike + "Those posts are lost from the feed until the reconciler backfills them from Postgres. Put a short deadline on the ZADD, add a circuit breaker, mark the author dirty.", ""},
		{"would-repost", "createpost-walkthrough", walk + " Returning an error would make the user post again and create a duplicate.", ""},
		// GetFeed turning to PostgreSQL when Redis misses or errors.
		{"instead", "createpost-walkthrough", walk + " GetFeed asks Redis, and if the post is not there yet it queries Postgres instead, so readers are never behind.", "feed-reads-postgres"},
		{"as-fallback", "createpost-walkthrough", walk + " When Redis errors out it just hits Postgres as a fallback, so the read path stays correct.", "feed-reads-postgres"},
		{"at-commit", "createpost-walkthrough", "The INSERT commits in Postgres first; if it fails the error is returned and Redis is untouched. Then the ZADD. If the ZADD fails it logs a warning and returns success. Readers see the post the moment the INSERT commits.", "feed-reads-postgres"},
		{"join-instead", "explain-sync-cqrs", "Writes go to Postgres, the source of truth, and in the same request the post is added to a Redis sorted set. GetFeed reads that set, and when it comes back empty it runs the join on Postgres instead. So reads are fast.", "reads-from-postgres"},
		{"directly", "createpost-walkthrough", walk + " If the ZADD fails, GetFeed notices the gap and loads the post from Postgres directly.", "feed-reads-postgres"},
		{"reconciler-directly", "createpost-walkthrough", walk + " The reconciler reads directly from Postgres to re-add missing posts.", ""},
		{"hypothetical", "createpost-walkthrough", walk + " Without Redis you would query Postgres instead.", ""},
		// Failing the request so the client retries, in other words.
		{"spike-503", "redis-spike-500wps", spike + "When ZADDs time out, return a 503 so clients back off and retry later. A reconciler fixes feeds.", "redis-failure-errors"},
		{"send-back-500", "createpost-walkthrough", "The INSERT commits in Postgres first; if it fails the error is returned and Redis is untouched. Then the post is ZADDed into the author's feed. GetFeed reads Redis only, so it shows the old feed until the ZADD lands. If the ZADD fails we send back a 500 so the client retries.", "redis-failure-errors"},
		{"reports-failure", "createpost-walkthrough", "The INSERT commits in Postgres first; if it fails the error is returned and Redis is untouched. Then the post is ZADDed into the author's feed. GetFeed reads Redis only, so it shows the old feed until the ZADD lands. If the ZADD fails, CreatePost reports failure to the caller, who can simply try again.", "redis-failure-errors"},
		{"not-report", "createpost-walkthrough", "The INSERT commits in Postgres first; if it fails the error is returned and Redis is untouched. Then the post is ZADDed into the author's feed. GetFeed reads Redis only, so it shows the old feed until the ZADD lands. If the ZADD fails, CreatePost logs a warning and still returns success; it does not report an error to the caller, and a reconciler re-adds the post.", ""},
		{"shed-200", "redis-spike-500wps", spike + "Shed load: when the breaker is open, skip the ZADD, log it and still return 200, and a reconciler fixes feeds with a short deadline.", ""},
		// Raising the client's timeout options.
		{"readtimeout", "redis-spike-500wps", spike + "To fix it, bump the client's WriteTimeout and DialTimeout so the ZADD finishes, with a circuit breaker and a reconciler from Postgres.", "retry-inline"},
		{"no-readtimeout", "redis-spike-500wps", spike + "Do not raise the ReadTimeout: set a short deadline on the ZADD, add a circuit breaker, and let a reconciler backfill from Postgres.", ""},
		{"longer-timeout", "redis-spike-500wps", spike + "Give Redis more time: set a longer timeout and more retries, and a reconciler fixes feeds.", "retry-inline"},
		{"longer-criticised", "redis-spike-500wps", spike + "A longer timeout would only make it worse; set a short deadline instead, add a circuit breaker, and a reconciler fixes feeds.", ""},
		// Plain words for the same request.
		{"same-save", "explain-sync-cqrs", "Postgres keeps the real record of every post, as before. As part of the same save we put a copy in Redis, where each author's feed is ready to serve. Loading the feed is one quick lookup. If Redis hiccups the feed is behind until it is rebuilt from Postgres.", ""},
		// Terse steps numbered in brackets.
		{"bracket-steps", "createpost-walkthrough", "Steps: (1) insert the row in the database, which autocommits; on error return it and stop. (2) zadd the feed item into the cache. Readers hit the cache only, so between 1 and 2 they get the previous feed, after 2 the new post. If 2 fails we log and return ok; the feed is behind until the reconciler runs.", ""},
		// An analogy mapped with equals signs.
		{"equals-analogy", "explain-sync-cqrs", "Think of a restaurant. The waiter writes each order in the order book and, before leaving the table, also clips a ticket to the kitchen rail. Cooks only look at the rail, so they start fast. The order book is what counts; if a ticket falls off, it can be recopied from the book. Mapping: book = PostgreSQL, rail = Redis.", ""},
		{"equals-wrong", "explain-sync-cqrs", "Think of a restaurant. The waiter clips a ticket to the kitchen rail first, and later someone files it in the order book. Cooks only look at the rail. The rail is what counts; the book is just a backup. Mapping: book = PostgreSQL, rail = Redis.", "redis-first"},
		// A story about another system, then the lesson.
		{"war-story", "createpost-walkthrough", "Quick war story first: at my previous company we wrote to Redis first and rolled back the Postgres insert whenever the cache write failed, which was a mess. Anyhow, this code is different. " + walk, ""},
		{"story-applied", "createpost-walkthrough", "At my last job we rolled back the Postgres insert when Redis failed, and you should do the same here. " + walk, "rollback-postgres"},
		{"story-unended", "createpost-walkthrough", "At my last job we rolled back the Postgres insert when Redis failed. GetFeed reads Redis only, so it shows the old feed until the ZADD lands. If the ZADD fails we roll back the insert too.", "rollback-postgres"},
	} {
		wantVerdict(t, b, tc.name, tc.id, tc.answer, tc.mis)
	}
}
