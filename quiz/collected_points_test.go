package quiz

import "testing"

// TestWrongDesignDespitePoints: an answer can collect every key point and
// still describe another design in one sentence: the projection updated by
// a worker or a change-data-capture stream after the request (not
// synchronous), or both writes in one database transaction. Each such
// answer passed at 0.8-1.0 on our own probes; it must fail on the
// misconception, and the correct sentences nearby must not be flagged.
func TestWrongDesignDespitePoints(t *testing.T) {
	b := embedded(t)
	explain := "Writes go to Postgres, the source of truth, and reads come from a Redis sorted set, so they are fast and need no join. With one database you would just read the table. If the Redis step fails the feed is stale until it is rebuilt from Postgres. "
	walk := "The INSERT commits in Postgres first; if it fails the error is returned and Redis is untouched. Then the post is ZADDed into the author's feed. GetFeed reads Redis only, so it shows the old feed until the ZADD lands. If the ZADD fails, the code logs a warning and returns success. "
	for _, tc := range []struct{ name, id, answer, mis string }{
		{"worker-moment-later", "explain-sync-cqrs", explain + "The request returns after the commit, and a worker then pushes the post into Redis a moment later.", "async-update"},
		{"copied-shortly-after", "explain-sync-cqrs", explain + "The handler answers the client, and the post is copied into Redis shortly afterwards.", "async-update"},
		{"cdc", "explain-sync-cqrs", explain + "A change data capture pipeline reads the Postgres log and fills Redis, so the request never touches Redis.", "async-update"},
		{"one-db-transaction", "createpost-walkthrough", walk + "Both writes sit inside one database transaction, so a failed ZADD means the INSERT never becomes visible.", "one-transaction"},
		{"same-request-right", "explain-sync-cqrs", explain + "In the same request, right after the commit, the handler adds the post to Redis and only then answers.", ""},
		{"reconciler-worker", "explain-sync-cqrs", explain + "In the same request the handler adds the post to Redis; a reconciler worker re-adds missed posts to the feed from Postgres.", ""},
	} {
		wantVerdict(t, b, tc.name, tc.id, tc.answer, tc.mis)
	}
}

// TestWaitThenLossless: WAIT offered as the cure whose consequence comes
// after a "then" or "so" ("turn on WAIT and then Redis never loses a
// write") is still the claim that WAIT makes Redis loss-free; WAIT that
// narrows the window and still needs the reconciler is right.
func TestWaitThenLossless(t *testing.T) {
	b := embedded(t)
	story := "Replication is asynchronous, so the primary acked the ZADD before any replica had it, and Sentinel promoted a replica without it. No error was seen since the ZADD returned OK and CreatePost returned success. Postgres still has the post. "
	wantVerdict(t, b, "wait-then", "acknowledged-then-lost", story+"Enable WAIT 1 on every ZADD and then Redis can never lose a post again, so we can drop the reconciler.", "wait-makes-truth")
	wantVerdict(t, b, "wait-so", "acknowledged-then-lost", story+"Require min-replicas-to-write, so a failover is lossless from then on.", "wait-makes-truth")
	wantVerdict(t, b, "wait-narrows", "acknowledged-then-lost", story+"WAIT 1 narrows the window at a latency cost, so it helps, but it is still not a guarantee; a reconciler that diffs Redis against Postgres after each failover re-adds the post.", "")
}

// TestSelfNegatingTerms: a claim's term that carries its own negator ("has
// no effect", "never loses") states what the term says; the negator does
// not deny the rest of the claim. A slow Redis that "has no effect on
// writes" is the no-impact misconception (own probe passed at 0.80).
func TestSelfNegatingTerms(t *testing.T) {
	b := embedded(t)
	wantVerdict(t, b, "no-effect", "redis-spike-500wps", "Since the ZADD runs after the commit, a slow Redis has no effect on writes at all; only the feed lags. About 25 requests are in flight. Add a circuit breaker, a short deadline, and a reconciler from Postgres.", "no-impact")
	wantVerdict(t, b, "effect-denied", "redis-spike-500wps", "It is wrong to think a slow Redis has no effect on writes: each write waits 50 ms longer, about 25 are in flight, the pool runs dry and ZADDs time out. Add a short deadline, a circuit breaker, and a reconciler from Postgres.", "")
}

// TestReadsBoth: GetFeed that reads both stores and merges them reads
// PostgreSQL, however complete the rest (own probe passed at 0.74); the
// reconciler comparing both stores does not.
func TestReadsBoth(t *testing.T) {
	b := embedded(t)
	explain := "Writes go to PostgreSQL, the source of truth, and in the same request to a Redis sorted set. With one database you read the tables directly. "
	wantVerdict(t, b, "merges", "explain-sync-cqrs", explain+"GetFeed queries both and merges the results, so the feed is fast and never stale.", "reads-from-postgres")
	wantNotFlagged(t, b, "reconciler-both", "explain-sync-cqrs", explain+"Reads come only from Redis, so they are fast; a reconciler compares both stores and re-adds what is missing.", "reads-from-postgres")
}

// TestLaterAndBothInOtherWords: the later update told as a time of day
// ("overnight, an assistant copies the sales onto the board"), both stores
// called the source of truth, and acknowledged writes said to survive any
// failover (so the reconciler can go) are the misconceptions they state,
// each in an answer that otherwise collects the points (own probes passed
// at 0.74, 0.84 and 1.00).
func TestLaterAndBothInOtherWords(t *testing.T) {
	b := embedded(t)
	wantVerdict(t, b, "overnight", "explain-sync-cqrs", "Think of a shop's ledger and its price board. The clerk writes each sale in the ledger, the official record, and tells the customer it is done. Every night an assistant copies the day's sales onto the price board that customers read, since reading the board is quicker than the ledger. If one is missed, the board is behind until it is recopied from the ledger.", "async-update")
	wantVerdict(t, b, "both-truth", "explain-sync-cqrs", "Writes go to Postgres and, in the same request, to a Redis sorted set; reads come from Redis only, with no joins, unlike one database. Both of them are the source of truth, so when they disagree the newer one wins.", "redis-is-truth")
	wantVerdict(t, b, "survives-failover", "acknowledged-then-lost", "Replication is asynchronous: the primary acked the ZADD before the replicas had it, and Sentinel promoted a replica without the member. No error was seen, since CreatePost got OK and returned success. Postgres has the post. Turn on WAIT 1 for each ZADD; after that, acknowledged writes survive any failover and we can drop the reconciler.", "failover-never-loses")
	wantVerdict(t, b, "reconciler-kept", "acknowledged-then-lost", "Replication is asynchronous: the primary acked the ZADD before the replicas had it, and Sentinel promoted a replica without the member. No error was seen, since CreatePost got OK and returned success. Postgres has the post. WAIT 1 narrows the window, but writes can still be lost, so a reconciler that diffs the feeds against Postgres after each failover re-adds the post.", "")
}
