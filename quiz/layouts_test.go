package quiz

import (
	"strings"
	"testing"
)

// TestLayouts holds the answer layouts read since the last blind round, in
// phrasings of our own: a line that asks its own question and answers it,
// a state table read with its column headings, and an analogy that casts
// each store as a thing of its story ("PostgreSQL is the ledger").
func TestLayouts(t *testing.T) {
	b := embedded(t)
	for _, c := range []struct {
		name, id, answer string
		found, notFound  []string
		mis, notMis      []string
		pass             int // 1 must pass, -1 must not, 0 either
	}{
		{name: "a question answered on its line", id: "createpost-walkthrough",
			answer: "Which write lands first? The INSERT into PostgreSQL.\n" +
				"And if that INSERT errors? The caller gets the error back and Redis is never touched.\n" +
				"Can a reader see the post yet? Not yet: GetFeed only reads Redis.\n" +
				"What comes next? The ZADD; once it succeeds the post shows up in the feed.\n" +
				"What if the ZADD errors? A warning is logged, CreatePost still returns success, and the reconciler adds the member later from PostgreSQL.",
			found: []string{"postgres-commits-first", "postgres-failure-returns-error", "redis-failure-still-success"}, pass: 1},
		{name: "Q: then A: on the next line", id: "createpost-walkthrough",
			answer: "Q: Which store commits first?\nA: PostgreSQL, with the INSERT.\nQ: What follows?\nA: The ZADD into the author's feed in Redis.",
			found:  []string{"postgres-commits-first"}},
		{name: "a question states no misconception", id: "createpost-walkthrough",
			answer: "Does GetFeed read from Postgres right after the commit? No. It only reads Redis, which has nothing new until the ZADD.",
			notMis: []string{"feed-reads-postgres"}},
		{name: "a wrong answer to its own question is flagged", id: "createpost-walkthrough",
			answer: "Which write lands first? Redis takes the ZADD first, then Postgres gets the INSERT.\nWhat does the reader see? The post, straight away.",
			mis:    []string{"redis-first"}, pass: -1},
		{name: "a state table with headings", id: "createpost-walkthrough",
			answer: "moment | row in Postgres | member in Redis | GetFeed shows it | CreatePost returns\n" +
				"|---|---|---|---|---|\n" +
				"INSERT errors | no | no | no | the error\n" +
				"INSERT committed | yes | no | no | -\n" +
				"ZADD succeeds | yes | yes | yes | nil\n" +
				"ZADD errors | yes | no | no, stale until the reconciler re-adds it | nil; only a WARN in the log\n",
			found: []string{"postgres-failure-returns-error", "read-path-before-zadd", "reconciler-repairs"}, pass: 1},
		{name: "a table's heading gives a wrong cell its meaning", id: "createpost-walkthrough",
			answer: "step | what is written | GetFeed reads from\n" +
				"INSERT | the row | Postgres\n" +
				"ZADD | the member | Postgres\n",
			mis: []string{"feed-reads-postgres"}, pass: -1},
		{name: "an analogy that casts each store", id: "explain-sync-cqrs",
			answer: "Imagine a theatre. PostgreSQL is the box office ledger and Redis is the marquee out front. " +
				"Every ticket sale is written in the ledger first, and the same clerk then changes the marquee before the buyer walks off: nothing is left for later. " +
				"Passers-by only ever look at the marquee, which is quick to read. If the marquee is wrong, the ledger is still right and the marquee can be redone from it.",
			found: []string{"reads-from-redis"}},
		// Blind sets X to AA: what engineers' notes reject, and four wrong
		// ideas that passed.
		{name: "a line labelled as what not to do", id: "redis-spike-500wps",
			answer: "Give the ZADD a 15 ms budget and trip a breaker when Redis keeps missing it; the reconciler re-adds skipped posts from PostgreSQL.\n" +
				"Never: undo the Postgres commit because Redis was slow.\n2. Don't: delete the row afterwards.",
			notMis: []string{"rollback-postgres"}},
		{name: "a self-asked question answered no", id: "redis-spike-500wps",
			answer: "Q: Should we roll back the Postgres write so both stores agree? A: No, the post is already committed.",
			notMis: []string{"rollback-postgres"}},
		{name: "calling a rollback backwards", id: "redis-spike-500wps",
			answer: "Undoing a committed post to keep a slow feed store in step is backwards.",
			notMis: []string{"rollback-postgres"}},
		{name: "a wrong idea stated plainly still counts", id: "redis-spike-500wps",
			answer: "When the ZADD times out, roll back the Postgres insert so both stores stay equal.",
			mis:    []string{"rollback-postgres"}, pass: -1},
		{name: "the ZADD's error handed to the client", id: "createpost-walkthrough",
			answer: "Postgres commits first, then the ZADD. If the ZADD fails, CreatePost returns that error to the client, which retries the post.",
			mis:    []string{"redis-failure-errors"}, pass: -1},
		{name: "the stores as mirrored copies", id: "explain-sync-cqrs",
			answer: "Every post is written to both PostgreSQL and Redis in one request, like RAID 1, and if PostgreSQL is down Redis can take writes instead.",
			mis:    []string{"store-replication"}, pass: -1},
		{name: "saving the old primary's AOF to replay it", id: "acknowledged-then-lost",
			answer: "Copy the old primary's AOF before it resyncs and replay its ZADDs into the new primary.",
			mis:    []string{"old-primary-recovery"}, pass: -1},
		{name: "relying on the outbox for an acknowledged loss", id: "acknowledged-then-lost",
			answer: "To repair it, rely on the outbox: its worker will notice the member is gone and replay the ZADD.",
			mis:    []string{"outbox-repairs-loss"}, pass: -1},
		// Blind sets BB and CC.
		{name: "a denial reaches the rest of its list", id: "explain-sync-cqrs",
			answer: "The handler writes Redis itself, right after the commit, rather than through a queue, a broker or CDC, so nothing lags behind the request.",
			notMis: []string{"async-update"}},
		{name: "a queue stated as the mechanism is still async", id: "explain-sync-cqrs",
			answer: "After the commit a message goes onto a queue, and a worker adds the post to Redis.",
			mis:    []string{"async-update"}, pass: -1},
		{name: "not waiting forever is a deadline", id: "redis-spike-500wps",
			answer: "Don't wait forever on Redis: give the ZADD 20 ms, then log it, mark the author for the reconciler and return success.",
			notMis: []string{"retry-inline"}},
		{name: "a rollback called wrong", id: "redis-spike-500wps",
			answer: "Deleting the committed row to match the feed is wrong: the post is real.",
			notMis: []string{"rollback-postgres"}},
		{name: "Redis as where the posts live", id: "explain-sync-cqrs",
			answer: "Redis is the main one, where the posts live, and Postgres is the backup that gets a copy in the same request.",
			mis:    []string{"redis-is-truth"}, pass: -1},
		// Terse notes that pair labels with values relate; a list names.
		{name: "terse notes with labels and values", id: "createpost-walkthrough",
			answer: "- first: PG INSERT, autocommit. PG fails -> error to the caller, Redis untouched.\n" +
				"- then: ZADD feed:{author}. Redis fails -> WARN log, return nil, caller told OK.\n" +
				"- read path: Redis only. Before the ZADD: post invisible. After a failed ZADD: missing until the reconciler re-adds it from PG. ZADD ok: visible.",
			pass: 1},
		{name: "a labelled list is still a list", id: "redis-spike-500wps",
			answer: "Fixes: deadline, breaker, outbox, reconciler, idempotency, pool size, bulkhead.",
			pass:   -1},
		// Blind sets DD to GG.
		{name: "a label that says what was not done", id: "redis-spike-500wps",
			answer: "Put a 20 ms deadline on the ZADD and a breaker in front of Redis; the reconciler re-adds what was skipped from PostgreSQL.\n" +
				"What we did not do: roll back the inserts in Postgres.\nNot doing: deleting any row.",
			notMis: []string{"rollback-postgres"}},
		{name: "a label that states is no rejection", id: "createpost-walkthrough",
			answer: "Readers never wait: whatever Redis lacks is fetched from PostgreSQL on the fly.",
			mis:    []string{"feed-reads-postgres"}, pass: -1},
		{name: "a numbered list of fixes is no write order", id: "redis-spike-500wps",
			answer: "At 500 writes/s a 50 ms spike keeps about 25 more writes in flight, the pool runs dry and callers time out and retry; skipped ZADDs leave the feed stale.\n" +
				"What I'd do:\n1. A 20 ms deadline on the ZADD, then log and return success.\n2. An outbox row in PG, in the same transaction as the insert.\n3. A breaker that skips Redis while it is slow.\n4. The reconciler re-adds missing posts from PostgreSQL.",
			notMis: []string{"redis-first"}},
		{name: "GetFeed merging both stores", id: "createpost-walkthrough",
			answer: "The new post is visible at once, because GetFeed checks PostgreSQL and Redis and merges them.",
			mis:    []string{"feed-reads-postgres"}, pass: -1},
		{name: "a read fallback to SQL", id: "createpost-walkthrough",
			answer: "When Redis has no member yet, GetFeed falls through to a SQL query on the posts table, so the post shows at once.",
			mis:    []string{"feed-reads-postgres"}, pass: -1},
		{name: "the outbox said to handle an acknowledged loss", id: "acknowledged-then-lost",
			answer: "The outbox handles this case: its worker replays the row to the new primary after the failover.",
			mis:    []string{"outbox-repairs-loss"}, pass: -1},
		{name: "Postgres as the backup copy", id: "explain-sync-cqrs",
			answer: "Reads come from Redis, and PostgreSQL keeps a durable backup copy of each post; when they disagree Redis wins.",
			mis:    []string{"redis-is-truth"}, pass: -1},
		// Blind sets HH and II.
		{name: "a ghost post from a ZADD after a failed INSERT", id: "createpost-walkthrough",
			answer: "Postgres commits first and then the ZADD runs. If the INSERT fails, the ZADD still goes out, so the feed shows a phantom post that doesn't exist in the database.",
			mis:    []string{"zadd-despite-failed-insert"}, pass: -1},
		{name: "a failed INSERT skips the ZADD", id: "createpost-walkthrough",
			answer: "If the INSERT fails, CreatePost returns the error and the ZADD never runs, so there is no ghost post.",
			notMis: []string{"zadd-despite-failed-insert"}},
		{name: "an outbox row written after the commit", id: "redis-spike-500wps",
			answer: "Once the insert has committed, write an outbox row in a second, separate statement, and let a worker replay the ZADDs.",
			mis:    []string{"outbox-after-commit"}, pass: -1},
		{name: "an outbox row in the post's transaction", id: "redis-spike-500wps",
			answer: "Write the outbox row in the same transaction as the post, and after the commit a worker replays the ZADD.",
			notMis: []string{"outbox-after-commit"}},
		// After HH and II: policies that key off errors are no invented
		// cause, and a denial reaches a list whose last item runs on.
		{name: "policies that react to a failed ZADD", id: "acknowledged-then-lost",
			answer: "Retries and the rollback policy are no help here: they react to a failed ZADD, and this one was acknowledged.",
			notMis: []string{"invented-cause"}},
		{name: "a failed ZADD given as the cause", id: "acknowledged-then-lost",
			answer: "The ZADD failed during the failover and the error was swallowed, so the post never reached the feed.",
			mis:    []string{"invented-cause"}, pass: -1},
		{name: "a denied list with a long last item", id: "explain-sync-cqrs",
			answer: "It is synchronous because there is no queue, broker or background worker sitting between the two writes.",
			notMis: []string{"async-update"}},
		{name: "an adverb in a label that rejects", id: "redis-spike-500wps",
			answer: "Explicitly not doing: rolling back the PG insert when Redis is slow. Inline retries of the ZADD are disabled too.",
			notMis: []string{"rollback-postgres", "retry-inline"}},
		// Blind sets JJ and KK.
		{name: "stores cast the wrong way round", id: "explain-sync-cqrs",
			answer: "Redis is the counter where writes go, since ZADD is quick, and PostgreSQL is the shelf that everyone reads from. Both are updated in the same request.",
			mis:    []string{"redis-first", "reads-from-postgres"}, pass: -1},
		{name: "a 503 for a committed post, with the row kept", id: "redis-spike-500wps",
			answer: "Put a 20 ms timeout on the ZADD and when it fires return a 503 so the client resends the post, while the Postgres row stays.",
			mis:    []string{"redis-failure-errors"}, pass: -1},
		{name: "a 500 for a failed INSERT is right", id: "redis-spike-500wps",
			answer: "Only when the Postgres insert itself fails do we return a 500 to the client.",
			notMis: []string{"redis-failure-errors"}},
		{name: "the logs said to replace the reconciler", id: "createpost-walkthrough",
			answer: "On a failed ZADD the WARN line names the post, so repair is to grep the WARN lines and replay them; there is no need for a reconciler.",
			mis:    []string{"logs-replace-reconciler"}, pass: -1},
		// Blind set LL.
		{name: "ZADD called not idempotent", id: "redis-spike-500wps",
			answer: "Skipped ZADDs must never be replayed, because ZADD is not idempotent: a second run puts the post in the feed twice.",
			mis:    []string{"zadd-not-idempotent"}, pass: -1},
		{name: "retries of a non-idempotent CreatePost", id: "redis-spike-500wps",
			answer: "Client retries make duplicate posts if CreatePost is not idempotent; a replayed ZADD is harmless, it just sets the same score.",
			notMis: []string{"zadd-not-idempotent"}},
		{name: "timed-out posts lost for good", id: "redis-spike-500wps",
			answer: "Posts whose ZADD timed out are lost for good, since nothing says which posts should have been in the feed, so we accept some data loss during spikes.",
			mis:    []string{"post-lost"}, pass: -1},
		// Blind set MM.
		{name: "the INSERT said to wait for the function's return", id: "createpost-walkthrough",
			answer: "The INSERT isn't really committed until CreatePost returns, so a crash before the ZADD makes Postgres roll the insert back.",
			mis:    []string{"one-transaction"}, pass: -1},
		{name: "recovery from the old primary's dump", id: "acknowledged-then-lost",
			answer: "Load the RDB from the old primary into a scratch Redis, diff its feeds with the new primary and re-add what is missing, then update PostgreSQL from the repaired feed.",
			mis:    []string{"old-primary-recovery", "redis-is-record"}, pass: -1},
		{name: "a figure in a heading is no part of each cell", id: "redis-spike-500wps",
			answer: "mode | why at 500 w/s | handling\n" +
				"retry amplification | client retries hammer a slow Redis | cap inline retries, replay from a worker\n" +
				"feed missing posts | timed-out ZADDs are only logged | reconciler re-adds them from PostgreSQL\n",
			notMis: []string{"redis-failure-errors"}},
	} {
		res := grade(t, b, c.id, c.answer)
		checkClass(t, c.name, res, c.found, c.notFound, c.mis, c.notMis)
		if c.pass == 1 && !res.Passed || c.pass == -1 && res.Passed {
			t.Errorf("%s: passed %v at %.2f, want the other (found %v, misconceptions %v, notes %v)", c.name, res.Passed, res.Score, res.FoundIDs(), res.MisconceptionIDs(), res.Notes)
		}
		// A heading is read into its cells as words of no width: no quote
		// may show a heading's words the learner did not write there.
		for _, f := range append(res.Found, res.Misconceptions...) {
			if f.Quote != "" && !strings.Contains(strings.Join(strings.Fields(c.answer), " "), strings.Trim(f.Quote, "…")) {
				t.Errorf("%s: quote %q is not the learner's text", c.name, f.Quote)
			}
		}
	}
}
