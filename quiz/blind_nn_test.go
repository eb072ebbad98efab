package quiz

import (
	"slices"
	"testing"
)

// TestBlindSetNNClasses holds, in phrasings of our own, the three false
// passes blind set NN found unseen (see TestBlindSets): a read path that
// falls back to PostgreSQL and refills Redis (cache-aside: "refills" is
// not a repair of a stale feed), a feed that shows a post as soon as
// PostgreSQL commits even when Redis is named in a later clause, and reads
// routed to a PostgreSQL replica. Each misconception case has a correct
// sentence beside it that must not fire.
func TestBlindSetNNClasses(t *testing.T) {
	b := embedded(t)
	for _, c := range []struct {
		name, id, answer string
		mis, notMis      []string
	}{
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
	} {
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
