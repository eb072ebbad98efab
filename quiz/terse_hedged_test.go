package quiz

import "testing"

// TestTerseNotesAndHedgedDismissals: two correct prompt-3 answers from blind
// set F failed at 0.55. A line of handling notes separated by commas, most
// of them with a verb ("reconciler re-adds dropped posts from PG"), is
// terse prose, not a jumble of terms, though its notes carry few small
// words; and a rollback the learner calls wrong in a hedge ("undoing the
// insert sounds wrong to me") is rejected, not proposed. Own phrasings.
func TestTerseNotesAndHedgedDismissals(t *testing.T) {
	b := embedded(t)
	const q = "redis-spike-500wps"
	for _, tc := range []struct{ name, answer string }{
		{"terse-notes", "Each write now waits 50 ms more for the ZADD, so at 500 w/s about 25 extra requests sit in flight and the Redis pool runs dry: queueing, upstream timeouts, client retries, ZADDs timing out and feeds going stale. Plan: 20 ms cap per ZADD, log + return success (PG committed), breaker while Redis slow, idempotent member IDs, reconciler re-adds dropped posts from PG."},
		{"hedged-rollback", "I could be wrong, but each write seems to pay the extra 50 ms, so roughly 25 more requests are in flight and the connection pool may run out, with timeouts and client retries. Some ZADDs would time out and those feeds would go stale. I would put a short timeout on the ZADD, log and return success, add a circuit breaker, and repair the feeds from Postgres later. Undoing the Postgres insert sounds wrong to me, since the post is safely stored."},
	} {
		wantVerdict(t, b, tc.name, q, tc.answer, "")
	}
}
