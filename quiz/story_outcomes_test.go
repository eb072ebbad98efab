package quiz

import (
	"slices"
	"testing"
)

// TestStoryOutcomes: a story that maps its own nouns ("the register –
// that's the PostgreSQL INSERT", "the display shelf (Redis ZADD)") tells
// the commit order with "once the entry is written", a failed INSERT as
// "the shelf never changes", and a failed ZADD as "still hands over the
// receipt". Blind set F's post-office story scored 0.20 on such wording;
// this is our own story in another setting.
func TestStoryOutcomes(t *testing.T) {
	b := embedded(t)
	answer := "Picture a bakery taking a cake order (CreatePost). The baker checks the order makes sense and copies it into the order register – that's the PostgreSQL INSERT, and once it is written there it counts. If writing the register entry fails, the customer is told so and the window shelf never changes. Once the register entry is written, the baker sets a tag on the window shelf (Redis ZADD). Until then, passers-by looking at the shelf will not see the order, even though it is registered. If the shelf can't be updated, the baker does not strike out the register line: she jots a warning in the log and still hands the customer a receipt. The shelf stays wrong until the closing shift redoes it from the register (the reconciler). Passers-by only ever look at the shelf."
	res := wantVerdict(t, b, "bakery-story", "createpost-walkthrough", answer, "")
	for _, id := range []string{"postgres-commits-first", "postgres-failure-returns-error", "redis-failure-still-success"} {
		if !slices.Contains(res.FoundIDs(), id) {
			t.Errorf("%s not credited; found %v", id, res.FoundIDs())
		}
	}
}

// TestUnchangedIsAboutTheFailedStep: "left alone" and "never changes" say
// Redis was spared by a failed INSERT, not that a failed ZADD spared
// PostgreSQL: the latter is the other failure, and crediting it as the
// INSERT's would quote the student saying what they did not.
func TestUnchangedIsAboutTheFailedStep(t *testing.T) {
	b := embedded(t)
	res := grade(t, b, "createpost-walkthrough", "The INSERT commits first, then the ZADD runs. If the ZADD fails, the Postgres row is left alone and CreatePost logs a warning and returns success.")
	if slices.Contains(res.FoundIDs(), "postgres-failure-returns-error") {
		t.Errorf("a failed ZADD credited as the failed INSERT; found %v", res.FoundIDs())
	}
}
