package quiz

import (
	"slices"
	"testing"
)

// TestLateBlindClasses holds, in phrasings of our own, each class of
// mistake blind sets J to W exposed (see TestBlindSets for the sets
// themselves). Each case says what must be found, what must not, and which
// misconception must (or must not) fire.
func TestLateBlindClasses(t *testing.T) {
	b := embedded(t)
	for _, c := range []struct {
		name, id, answer string
		found, notFound  []string
		mis, notMis      []string
	}{
		// Redis's WAIT is a command, not writes waiting.
		{name: "WAIT offered as the spike's fix", id: "redis-spike-500wps",
			answer:   "Put WAIT 1 100 after each ZADD, which guarantees a replica has the member before we answer.",
			notFound: []string{"writes-in-flight", "write-latency-grows"}, mis: []string{"wait-fixes-spike"}},
		{name: "wait as a verb is still latency", id: "redis-spike-500wps",
			answer: "Every CreatePost has to wait for the ZADD, so each write gets 50 ms slower while the spike lasts.",
			found:  []string{"write-latency-grows"}, notMis: []string{"wait-fixes-spike"}},
		{name: "the fix is not a repair", id: "redis-spike-500wps",
			answer: "The fix is to scale Redis up.", notFound: []string{"repair-from-postgres"}},
		// Chapter two's repairs that cannot work.
		{name: "Sentinel merging the old primary back", id: "acknowledged-then-lost",
			answer: "When the old primary rejoins, Sentinel merges its writes into the new primary, so the post shows up again by itself.",
			mis:    []string{"self-healing"}},
		{name: "no repair needed is no reconciler", id: "acknowledged-then-lost",
			answer: "Nothing needs to repair the feed afterwards.", notFound: []string{"reconciler-repairs"}},
		{name: "the outbox replays an acknowledged loss", id: "acknowledged-then-lost",
			answer: "The outbox relay keeps retrying the ZADD and puts it back on the new primary once that is up.",
			mis:    []string{"outbox-repairs-loss"}},
		{name: "the outbox acts on failures only", id: "acknowledged-then-lost",
			answer: "The outbox only acts on failed ZADDs, so it never sees this loss.",
			notMis: []string{"outbox-repairs-loss", "invented-cause"}},
		{name: "recovery from the old primary", id: "acknowledged-then-lost",
			answer: "Read the old primary's AOF once it is back: it still has every member it acknowledged, and ZADD them into the new primary.",
			mis:    []string{"old-primary-recovery"}},
		{name: "a union of the nodes' feeds", id: "acknowledged-then-lost",
			answer: "The repair job merges the sorted sets from every Redis node and writes the result to the new primary.",
			mis:    []string{"old-primary-recovery"}},
		{name: "WAIT leaves nothing to repair", id: "acknowledged-then-lost",
			answer: "Add WAIT 1 50 after the ZADD and an acknowledged post can no longer be lost, so there is nothing to repair.",
			mis:    []string{"wait-makes-truth"}},
		{name: "the premise is no mechanism", id: "acknowledged-then-lost",
			answer:   "It happened because of the failover between the primary and the replicas behind Sentinel.",
			notFound: []string{"async-replication", "failover-drops-it"}},
		{name: "a replica learns of the write later", id: "acknowledged-then-lost",
			answer: "The replicas only learn of the write later, and the new primary never heard of that member.",
			found:  []string{"async-replication", "failover-drops-it"}},
		{name: "replication called synchronous", id: "acknowledged-then-lost",
			answer: "Redis replication to the replicas is synchronous, so every replica has the member once ZADD says OK.",
			mis:    []string{"failover-never-loses"}},
		{name: "a clean log is not a cleared feed", id: "acknowledged-then-lost",
			answer: "Run the reconciler after every failover, even when the logs look clean.", notMis: []string{"invented-cause"}},
		// The walkthrough's read path.
		{name: "a miss that re-queries PostgreSQL", id: "createpost-walkthrough",
			answer: "Once the key's TTL runs out, the next GetFeed misses, re-queries Postgres and fills Redis again.",
			mis:    []string{"feed-reads-postgres"}},
		{name: "visible once the INSERT commits", id: "createpost-walkthrough",
			answer: "As soon as the INSERT commits, the post is visible to readers.", mis: []string{"feed-reads-postgres"}},
		{name: "the read path sees committed rows", id: "createpost-walkthrough",
			answer: "GetFeed sees committed rows — Redis is only there to make it faster.", mis: []string{"feed-reads-postgres"}},
		{name: "a delete of the row, then 'from the feed' later", id: "createpost-walkthrough",
			answer: "If the ZADD fails, the handler deletes the row it inserted, so no post is ever absent from the feed.",
			mis:    []string{"rollback-postgres"}},
		{name: "a conditional step after the commit", id: "createpost-walkthrough",
			answer: "If the insert into Postgres went through, the service ZADDs the post id into the author's feed.",
			found:  []string{"postgres-commits-first"}},
		// Structure: headings, sub-bullets, brackets, quotes, ellipses.
		{name: "lines under a rejecting heading", id: "redis-spike-500wps",
			answer: "Each write waits 50 ms longer, about 25 more in flight, so the pool runs dry. Give the ZADD a 20 ms deadline and let the reconciler rebuild the feed from Postgres.\n\nThings to avoid\nRolling back the Postgres insert.",
			notMis: []string{"rollback-postgres"}},
		{name: "a denied thing renamed in a bracket", id: "redis-spike-500wps",
			answer: "The answer isn't an undo (deleting the Postgres row).", notMis: []string{"rollback-postgres"}},
		{name: "a hazard, not a proposal", id: "redis-spike-500wps",
			answer: "The DB pool fills too if you're unlucky enough to hold a transaction across the ZADD.", notMis: []string{"couple-commit"}},
		{name: "a sub-bullet carries its step's store", id: "createpost-walkthrough",
			answer: "1. Validate the post.\n2. INSERT into Postgres.\n   - on error: return \"insert failed\" to the caller, Redis untouched.\n3. ZADD into the feed.\n",
			found:  []string{"postgres-commits-first", "postgres-failure-returns-error"}},
		{name: "an elided statement goes on", id: "createpost-walkthrough",
			answer: "1. Build the row.\n2. Run INSERT INTO posts ... on PostgreSQL and commit.\n3. ZADD the member into feed:<author>.\n",
			found:  []string{"postgres-commits-first"}},
		{name: "a short bracket names the store", id: "createpost-walkthrough",
			answer: "The entry goes into the record book first (the Postgres INSERT), then onto the board (the ZADD).",
			found:  []string{"postgres-commits-first"}},
		// Analogies cast without saying "imagine".
		{name: "both stores cast by 'is'", id: "explain-sync-cqrs",
			answer: "Darts night. The chalk tally behind the bar is PostgreSQL: it is what counts. The big screen over the oche is Redis. Every throw is chalked first and the screen is updated before the next player steps up. The crowd watches the screen.",
			found:  []string{"reads-from-redis"}},
		// The first prompt's other designs and repairs.
		{name: "another design introduced by 'if you've seen'", id: "explain-sync-cqrs",
			answer: "If you've seen CQRS built on a message bus: a consumer updates the read side later. Here there is no bus: the handler commits the post to PostgreSQL, the record, then writes it into Redis in the same request, and reads come only from Redis.",
			notMis: []string{"async-update"}},
		{name: "a stream and a Lambda are asynchronous", id: "explain-sync-cqrs",
			answer: "The write goes to Postgres, the change lands on a stream, and a Lambda copies it into Redis a second or so later. Reads use Redis.",
			mis:    []string{"async-update"}},
		{name: "a repair from Redis into PostgreSQL", id: "explain-sync-cqrs",
			answer: "When they disagree, fix PostgreSQL by copying from Redis.", mis: []string{"repair-backwards"}},
		{name: "a feed that heals itself", id: "redis-spike-500wps",
			answer: "After the spike, Redis resyncs itself from Postgres and the missing entries reappear on their own.",
			mis:    []string{"self-healing"}},
		{name: "the outbox relay noticing a missing entry", id: "acknowledged-then-lost",
			answer: "The fix is the outbox: its row is still pending, so the relay sees the member never arrived and replays the ZADD onto the new primary.",
			mis:    []string{"outbox-repairs-loss"}},
		{name: "Redis nodes compared with each other", id: "acknowledged-then-lost",
			answer: "The repair job compares the Redis nodes with each other and copies a member that one node has to the rest.",
			mis:    []string{"old-primary-recovery"}},
		{name: "PostgreSQL rows rewritten from Redis", id: "redis-spike-500wps",
			answer: "Later a job reads the feed sorted sets from Redis and rewrites the Postgres rows that don't match them.",
			mis:    []string{"repair-backwards"}},
		{name: "what people hear is not what the answer says", id: "explain-sync-cqrs",
			answer: "A lot of people hear CQRS and think you need Kafka. Here PostgreSQL is the record; the handler commits the post there and then, in the same request, writes it into Redis, and reads come only from Redis.",
			notMis: []string{"async-update"}},
		{name: "Redis pushed first, PostgreSQL after", id: "explain-sync-cqrs",
			answer: "The handler first adds the post into Redis so readers see it at once, and then writes the row into Postgres, the record, before it answers. Reads only use Redis.",
			mis:    []string{"redis-first"}},
		{name: "two sides listed", id: "explain-sync-cqrs",
			answer: "You end up with a write side and a read side, and both are updated in the one request.",
			notMis: []string{"reads-from-postgres"}},
	} {
		res := grade(t, b, c.id, c.answer)
		checkClass(t, c.name, res, c.found, c.notFound, c.mis, c.notMis)
		if len(c.mis) > 0 && res.Passed {
			t.Errorf("%s: passed at %.2f with misconceptions %v", c.name, res.Score, res.MisconceptionIDs())
		}
	}
}

// checkClass holds one class's case: the points it must and must not
// earn, and the misconceptions it must and must not be told of.
func checkClass(t *testing.T, name string, res Result, found, notFound, mis, notMis []string) {
	t.Helper()
	got, gotMis := res.FoundIDs(), res.MisconceptionIDs()
	for _, id := range found {
		if !slices.Contains(got, id) {
			t.Errorf("%s: want %s found, found %v (misconceptions %v)", name, id, got, gotMis)
		}
	}
	for _, id := range notFound {
		if slices.Contains(got, id) {
			t.Errorf("%s: %s credited, found %v", name, id, got)
		}
	}
	for _, id := range mis {
		if !slices.Contains(gotMis, id) {
			t.Errorf("%s: want misconception %s, got %v", name, id, gotMis)
		}
	}
	for _, id := range notMis {
		if slices.Contains(gotMis, id) {
			t.Errorf("%s: misconception %s flagged on a sentence that does not hold it", name, id)
		}
	}
}
