package quiz

import (
	"slices"
	"testing"
)

// TestArrowToPredicate: in a note, an arrow from a store's write to a verb
// ("INSERT into pg → commits first") says what that write does, one
// clause; read as "then" it split the write from its "first" and an
// emoji walkthrough of blind set H lost the order point (review at
// 0.50). An arrow to another store still parts the two.
func TestArrowToPredicate(t *testing.T) {
	b := embedded(t)
	const id = "createpost-walkthrough"
	notes := "📨 request in → 400 when the title is empty\n" +
		"🗄️ row INSERT into pg → commits first, durable from here\n" +
		"   ⛔ on error → 500 to the caller, cache untouched\n" +
		"📌 ZADD feed:<author> with the publish time\n" +
		"   ⛔ on error → warn in the log, caller still gets 201, the reconciler refills it from pg\n" +
		"👀 GetFeed reads Redis only → the post shows once the ZADD is done, not before\n"
	res := grade(t, b, id, notes)
	if !slices.Contains(res.FoundIDs(), "postgres-commits-first") || len(res.MisconceptionIDs()) > 0 {
		t.Errorf("arrow notes: want postgres-commits-first and no misconception, found %v, misconceptions %v", res.FoundIDs(), res.MisconceptionIDs())
	}
	res = grade(t, b, id, "INSERT into pg → ZADD goes first")
	if slices.Contains(res.FoundIDs(), "postgres-commits-first") {
		t.Errorf("an arrow to the other store joined it to the INSERT: found %v", res.FoundIDs())
	}
}

// TestStepOpensWithSuccess: a step that opens with the case of the step
// before it succeeding ("Step 3: if the commit went through, …") is the
// next write in order, its lead the clause after the case; read from the
// "if", it ordered nothing and blind set H's stepwise walkthrough went to
// review at 0.50. A step opening with a failure is still no write in
// order.
func TestStepOpensWithSuccess(t *testing.T) {
	b := embedded(t)
	const id = "createpost-walkthrough"
	stepwise := "Here it is in order, with what a reader of the feed gets each time.\n" +
		"Step 1: the handler validates the input. The reader gets the old feed.\n" +
		"Step 2: the row is written to Postgres and the transaction commits. If that write errors, the handler returns the error and Redis is never called.\n" +
		"Step 3: if the commit went through, the post id is put in the author's sorted set in Redis. Until then GetFeed, which reads only Redis, does not show it.\n" +
		"Step 4: if that ZADD errors, a warning is logged and success is still returned, with no rollback of Postgres. The feed lacks the post until the reconciler rebuilds it from Postgres.\n"
	res := wantVerdict(t, b, "stepwise with success cases", id, stepwise, "")
	if !slices.Contains(res.FoundIDs(), "postgres-commits-first") || res.NeedsReview {
		t.Errorf("stepwise: want postgres-commits-first from the steps' order and no review, found %v, needs_review %v", res.FoundIDs(), res.NeedsReview)
	}
	for _, c := range []struct {
		opening string
		want    bool
	}{
		{"if that worked", true},
		{"if that fails", false},
		{"if that did not work", false},
	} {
		answer := "Step 1: the handler checks the input.\n" +
			"Step 2: the row is written to Postgres.\n" +
			"Step 3: " + c.opening + ", the post is put in the sorted set in Redis.\n"
		res = grade(t, b, id, answer)
		if got := slices.Contains(res.FoundIDs(), "postgres-commits-first"); got != c.want {
			t.Errorf("step 3 opening %q: postgres-commits-first found %v, want %v (found %v)", c.opening, got, c.want, res.FoundIDs())
		}
	}
}

// TestCopyingClerkAnalogy: prompt 4 told with people instead of nodes: a
// clerk who says "received" at once and only later photocopies the letter
// for the others is asynchronous replication, and a colleague promoted to
// the desk who never saw the letter is the failover keeping a node
// without it (blind set H's manager analogy went to review at 0.58 with
// both points missed). The same story with a failover that keeps every
// letter still fails.
func TestCopyingClerkAnalogy(t *testing.T) {
	b := embedded(t)
	const id = "acknowledged-then-lost"
	story := "Picture the Redis primary as a receptionist who stamps 'received' the moment you hand over a letter, and only later photocopies it for the two clerks in the back. " +
		"Our post went into Postgres first, then to the receptionist, who stamped it, so CreatePost returned success. " +
		"The receptionist fainted before making the photocopies. Sentinel, the office manager, promoted one of the clerks to the front desk, and that clerk never saw our letter, so the post is not in the feed.\n" +
		"No error reached anyone: Postgres said OK and Redis said OK, and the loss came afterwards, during the handover.\n" +
		"The reconciler fixes it: it reads Postgres, which still has the post, compares it with the feed and adds the missing post back. WAIT would shrink the window but not close it."
	res := wantVerdict(t, b, "clerk analogy", id, story, "")
	for _, want := range []string{"async-replication", "failover-drops-it"} {
		if !slices.Contains(res.FoundIDs(), want) {
			t.Errorf("clerk analogy: %s not found; found %v", want, res.FoundIDs())
		}
	}
	wrong := "Picture the Redis primary as a receptionist who only later photocopies each letter for the clerks. " +
		"When the receptionist faints, Sentinel promoted a clerk, and no acknowledged letter can ever go missing in a failover, so the reconciler is redundant."
	if res := grade(t, b, id, wrong); res.Passed {
		t.Errorf("a failover that never loses passed at %.2f (found %v, misconceptions %v)", res.Score, res.FoundIDs(), res.MisconceptionIDs())
	}
}
