package quiz

import (
	"slices"
	"testing"
)

// TestBlindSetNNClasses holds, in phrasings of our own, what blind set NN
// found unseen (see TestBlindSets): three false passes, a read path that
// falls back to PostgreSQL and refills Redis (cache-aside: "refills" is
// not a repair of a stale feed), a feed that shows a post as soon as
// PostgreSQL commits even when Redis is named in a later clause, and reads
// routed to a PostgreSQL replica; and three right answers failed. Each
// case has one beside it that must (or must not) fire.
func TestBlindSetNNClasses(t *testing.T) {
	misconceptionCases(t, []misconceptionCase{
		{name: "read-through refill", id: "explain-sync-cqrs",
			answer: "If a post is not in Redis yet, the feed query falls back to PostgreSQL and refills Redis.",
			mis:    []string{"reads-from-postgres"}},
		{name: "a repair that refills", id: "explain-sync-cqrs",
			answer: "When Redis loses a feed, the repair job falls back to PostgreSQL and refills the sorted set.",
			notMis: []string{"reads-from-postgres"}},
		{name: "visible at the commit, Redis in a later clause", id: "createpost-walkthrough",
			answer: "As soon as the insert commits, readers can see the post, because the feed code compares the newest Redis entry with the table.",
			mis:    []string{"feed-reads-postgres"}},
		{name: "visible only after the ZADD", id: "createpost-walkthrough",
			answer: "Readers see the post only after the ZADD to Redis succeeds, not when the insert commits.",
			notMis: []string{"feed-reads-postgres"}},
		{name: "reads routed to a PostgreSQL replica", id: "acknowledged-then-lost",
			answer: "After the failover, reads are routed to a PostgreSQL replica that is behind, so the post is not there yet.",
			mis:    []string{"reads-from-postgres"}},
		{name: "reads routed to Redis", id: "acknowledged-then-lost",
			answer: "Reads are routed to the Redis primary only, never to PostgreSQL.",
			notMis: []string{"reads-from-postgres"}},
		// The right answers it failed, once tuned on: a mistake named to
		// be rejected, a shorthand for "without", the seed's own defaults
		// described, and PostgreSQL's readers that are not the feed's.
		{name: "w/o is without", id: "redis-spike-500wps",
			answer: "Handle the spike w/o rolling back the postgres insert: put a short deadline on the ZADD.",
			notMis: []string{"rollback-postgres"}},
		{name: "rolling back, said plainly", id: "redis-spike-500wps",
			answer: "When the ZADD is slow, roll back the postgres insert.",
			mis:    []string{"rollback-postgres"}},
		{name: "the instinct, rejected", id: "redis-spike-500wps",
			answer: "The first instinct of someone used to transactions is to undo the INSERT when the ZADD is slow. Don't: it is committed.",
			notMis: []string{"rollback-postgres"}},
		{name: "the seed's missing timeout, described", id: "redis-spike-500wps",
			answer: "The seed code has no timeout of its own, so a hung Redis holds each write for the 5 s default read timeout.",
			notMis: []string{"retry-inline"}},
		{name: "no timeout, advised", id: "redis-spike-500wps",
			answer: "Run the ZADD with no timeout so it always lands eventually.",
			mis:    []string{"retry-inline"}},
		{name: "PostgreSQL's own readers", id: "createpost-walkthrough",
			answer: "Once the INSERT commits the row is visible to every PostgreSQL reader, but GetFeed reads Redis, so it shows the old feed.",
			notMis: []string{"feed-reads-postgres"}},
		{name: "GetFeed as a PostgreSQL reader", id: "createpost-walkthrough",
			answer: "GetFeed reads the author's posts from PostgreSQL.",
			mis:    []string{"feed-reads-postgres"}},
	})
}

// misconceptionCase is an answer and the misconceptions the grader must
// (mis) and must not (notMis) find in it.
type misconceptionCase struct {
	name, id, answer string
	mis, notMis      []string
}

// misconceptionCases grades each case as a subtest.
func misconceptionCases(t *testing.T, cases []misconceptionCase) {
	b := embedded(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := grade(t, b, c.id, c.answer)
			var got []string
			for _, m := range res.Misconceptions {
				got = append(got, m.ID)
			}
			for _, id := range c.mis {
				if !slices.Contains(got, id) {
					t.Errorf("%q: misconception %s not found (found %v)", c.answer, id, got)
				}
			}
			for _, id := range c.notMis {
				if slices.Contains(got, id) {
					t.Errorf("%q: misconception %s found in a correct sentence", c.answer, id)
				}
			}
		})
	}
}
