package quiz

import "testing"

// TestWouldBeWrongDismissal: a rollback the learner says "would be wrong"
// or "would be a mistake" is dismissed, not proposed (blind set I: a
// correct walkthrough, "rolling it back would be wrong", failed on
// rollback-postgres at 0.35). A rollback proposed, with something else
// called wrong, is still the misconception.
func TestWouldBeWrongDismissal(t *testing.T) {
	b := embedded(t)
	const q = "createpost-walkthrough"
	steps := "First the INSERT commits in PostgreSQL, the source of truth; if it fails CreatePost returns the error and Redis is never touched. Then the request ZADDs the post into the author's feed in Redis, and GetFeed only shows it after that. "
	for _, tc := range []struct{ name, answer, mis string }{
		{"dismissed", steps + "If the ZADD fails we just log a warning and return success: the post is committed, so undoing the insert would be a mistake. A reconciler later re-adds it from Postgres.", ""},
		{"proposed", steps + "If the ZADD fails we roll back the INSERT and return an error, because keeping a post the feed lacks would be wrong.", "rollback-postgres"},
	} {
		wantVerdict(t, b, tc.name, q, tc.answer, tc.mis)
	}
}
