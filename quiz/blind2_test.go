package quiz

import (
	"slices"
	"testing"
)

// Cases from the second blind evaluation (answers written and labelled by
// an evaluator before reading the grader). They informed the rubric fixes
// beside them, so that set is no longer fully held out; these tests keep
// the holes it found closed.

// TestBlind2CentralErrorsBlock: the lesson's central errors block a pass
// even when the rest of the answer is complete: a failed ZADD returning an
// error to the caller, undoing the PostgreSQL row in any words, and (on the
// spike prompt) coupling the commit to Redis with 2PC or a wait.
func TestBlind2CentralErrorsBlock(t *testing.T) {
	b := embedded(t)
	rest := " GetFeed reads only Redis, so before the ZADD it doesn't show the post, and after the ZADD succeeds the next GetFeed shows it. The two writes are not atomic, and a reconciler can rebuild the feed from Postgres."
	for _, tc := range []struct{ name, id, answer, misconception string }{
		{"zadd-failure-500", "createpost-walkthrough", "Postgres commits first, then Redis ZADD. If Postgres fails you get an error. If Redis fails the call returns a 500 to the client so they can retry the whole post." + rest, "redis-failure-errors"},
		{"zadd-failure-error-response", "createpost-walkthrough", "The INSERT commits in PostgreSQL first and the ZADD follows. When the ZADD errors, the handler sends an internal server error back." + rest, "redis-failure-errors"},
		{"zadd-failure-deletes-row", "createpost-walkthrough", "Postgres commits first, then Redis ZADD. If Postgres fails you get an error. If the ZADD fails, CreatePost deletes the Postgres row (rolls it back) and returns an error so the two stores stay consistent." + rest, "rollback-postgres"},
		{"compensating-delete", "createpost-walkthrough", "The INSERT commits first, then the ZADD. If the INSERT fails the caller gets the error. A failed ZADD triggers a compensating delete of the post." + rest, "rollback-postgres"},
		{"row-is-removed", "createpost-walkthrough", "The INSERT commits first, then the ZADD. If the INSERT fails the caller gets the error. When Redis is down the row is removed from Postgres again." + rest, "rollback-postgres"},
		{"spike-2pc", "redis-spike-500wps", "Failure mode: Postgres and Redis get out of sync. Fix: use two-phase commit across Postgres and Redis so the post only commits when Redis acknowledges the ZADD; during the spike writes just wait.", "couple-commit"},
		{"spike-distributed-tx", "redis-spike-500wps", "Each write takes 50 ms longer, so about 25 are in flight and the pool can run dry. I would wrap the INSERT and the ZADD in a distributed transaction so they never disagree, with a short deadline on the ZADD.", "couple-commit"},
		{"spike-wait-before-commit", "redis-spike-500wps", "Each write takes 50 ms longer and the pool can run dry. Keep the Postgres transaction open and wait for Redis to confirm the ZADD before committing, with a circuit breaker in front.", "couple-commit"},
		{"redis-main-database", "explain-sync-cqrs", "Redis is the main database where all the posts are stored, because it's in memory and fast. PostgreSQL is a backup copy that we write to afterwards for reporting. Reads come from Redis. With one database you'd only have the backup.", "redis-is-truth"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantVerdict(t, b, tc.name, tc.id, tc.answer, tc.misconception) })
	}
}

// TestBlind2NoFalseCredit: a sentence proposing the wrong thing does not
// earn the point its words resemble, and a point is not credited from a
// sentence that talks about something else.
func TestBlind2NoFalseCredit(t *testing.T) {
	b := embedded(t)
	for _, tc := range []struct{ name, id, answer, point string }{
		{"2pc-is-not-repair", "redis-spike-500wps", "Fix: use two-phase commit across Postgres and Redis so the post only commits when Redis acknowledges the ZADD.", "repair-from-postgres"},
		{"waiting-is-not-in-flight", "redis-spike-500wps", "During the spike writes just wait.", "writes-in-flight"},
		{"rollback-is-not-repair", "redis-spike-500wps", "Fix it by rolling back the Postgres insert whenever the ZADD times out.", "repair-from-postgres"},
		{"redis-main-db-is-not-pg-write", "explain-sync-cqrs", "Redis is the main database where all the posts are stored.", "writes-to-postgres"},
		{"zadd-failure-is-not-insert-failure", "createpost-walkthrough", "If the ZADD fails, CreatePost deletes the Postgres row and returns an error.", "postgres-failure-returns-error"},
		{"question-copied", "explain-sync-cqrs", "In one paragraph, explain synchronous CQRS with two databases to someone who has only ever used a single database.", "same-request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := grade(t, b, tc.id, tc.answer)
			if slices.Contains(res.FoundIDs(), tc.point) {
				t.Errorf("%s credited; found %v", tc.point, res.FoundIDs())
			}
		})
	}
}

// TestBlind2HeadingAndHave: a heading before a colon states the point it
// heads ("Commit first: the INSERT in Postgres"), and a feed that "doesn't
// have the post" is the read path missing it.
func TestBlind2HeadingAndHave(t *testing.T) {
	b := embedded(t)
	for _, tc := range []struct{ answer, point string }{
		{"Commit first: the INSERT in Postgres.", "postgres-commits-first"},
		{"Reads come from Redis only: before the ZADD, the feed doesn't have the post.", "read-path-before-zadd"},
	} {
		res := grade(t, b, "createpost-walkthrough", tc.answer)
		if !slices.Contains(res.FoundIDs(), tc.point) {
			t.Errorf("%q: %s not credited; found %v", tc.answer, tc.point, res.FoundIDs())
		}
	}
	// Labelled before the failure: still the INSERT's failure.
	res := grade(t, b, "createpost-walkthrough", "Failure case one: PostgreSQL — CreatePost returns the error and Redis is never touched.")
	if !slices.Contains(res.FoundIDs(), "postgres-failure-returns-error") {
		t.Errorf("labelled PostgreSQL failure not credited; found %v", res.FoundIDs())
	}
	for _, answer := range []string{"Redis commits first, then the Postgres INSERT.", "The feed has the post before Postgres commits."} {
		res := grade(t, b, "createpost-walkthrough", answer)
		if slices.Contains(res.FoundIDs(), "postgres-commits-first") || slices.Contains(res.FoundIDs(), "read-path-before-zadd") {
			t.Errorf("%q credited: %v", answer, res.FoundIDs())
		}
	}
}

// TestBlind2NoWrongAttribution: correct sentences, and denials, are not
// reported as a misconception the student did not state.
func TestBlind2NoWrongAttribution(t *testing.T) {
	b := embedded(t)
	for _, tc := range []struct{ name, id, answer, not string }{
		{"command-pg-query-redis", "explain-sync-cqrs", "Here the command side is PostgreSQL and the query side is Redis.", "reads-from-postgres"},
		{"write-pg-read-redis", "explain-sync-cqrs", "The write side is Postgres and the read side is a Redis sorted set.", "reads-from-postgres"},
		{"pg-not-truth-is-not-redis-truth", "explain-sync-cqrs", "It is not true that writes go to PostgreSQL and reads come from Redis, and Postgres is not the source of truth.", "redis-is-truth"},
		{"never-roll-back", "createpost-walkthrough", "If the ZADD fails we don't delete the row and never roll back; the post stays in Postgres.", "rollback-postgres"},
		{"no-compensating-delete", "redis-spike-500wps", "There is no compensating delete: the post stays committed and the feed is repaired from Postgres.", "rollback-postgres"},
		{"hypothetical-compensating-delete", "createpost-walkthrough", "Nothing is rolled back if the ZADD fails, because you can't un-commit and a compensating DELETE could fail too; instead the service logs a WARN and returns success.", "rollback-postgres"},
		{"delete-outbox-row", "redis-spike-500wps", "After commit try the ZADD with a short timeout; if it works delete the outbox row, if not just return success.", "rollback-postgres"},
		{"outbox-same-transaction", "redis-spike-500wps", "Write an outbox row in the same transaction as the post, and a relay replays it into Redis once Redis is fast again.", "couple-commit"},
		{"no-2pc", "redis-spike-500wps", "There is no two-phase commit between Postgres and Redis, so the ZADD can fail after the commit.", "couple-commit"},
		{"only-after-commit", "redis-spike-500wps", "The post commits first, and only after that does the ZADD run.", "couple-commit"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantNotFlagged(t, b, tc.name, tc.id, tc.answer, tc.not) })
	}
	// The denial is still named, as what it is.
	res := grade(t, b, "explain-sync-cqrs", "Postgres is not the source of truth.")
	if !slices.Contains(res.MisconceptionIDs(), "postgres-not-truth") {
		t.Errorf("denying PostgreSQL is the truth not named; got %v", res.MisconceptionIDs())
	}
}
