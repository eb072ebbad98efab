package quiz

import (
	"slices"
	"testing"
)

// TestUnmappedAnalogies: an analogy told only in everyday words, never
// naming PostgreSQL or Redis, is graded on what it says: a book of record
// (ledger, register, logbook) stands for PostgreSQL and a thing people
// glance at (board, display, rail) for Redis. The same stories with the
// order or the repair wrong still fail.
func TestUnmappedAnalogies(t *testing.T) {
	b := embedded(t)
	for _, tc := range []struct {
		name, id, answer string
		pass             bool
		mis              string
	}{
		{"library", "explain-sync-cqrs", "Imagine a library. Each new book is entered into the accession register first, and the register is the official record. During the same visit, before the librarian moves on, the new-arrivals board by the door is updated as well. Visitors only glance at the board, which is quick, and never search the register. If the librarian forgets the board, it is out of date until someone redoes it from the register. A small library with one card box has no such split.", true, ""},
		{"garage", "createpost-walkthrough", "Think of a garage. First the mechanic writes the job into the logbook, and that entry is final; if writing in the logbook fails, the customer gets an error straight away and the whiteboard is never touched. Then the job is added to the whiteboard. Customers only look at the whiteboard, so until it is added they don't see the job, and once it is added they see it. If updating the whiteboard fails, the mechanic just logs a warning and still tells the customer it is booked, and later someone copies it across from the logbook.", true, ""},
		{"garage-rollback", "createpost-walkthrough", "Think of a garage. First the mechanic writes the job into the logbook. Then the job is added to the whiteboard; customers only look at the whiteboard, so until then they don't see the job. If updating the whiteboard fails, the mechanic deletes the entry from the logbook and tells the customer it failed.", false, "rollback-postgres"},
		{"diner", "explain-sync-cqrs", "Picture a diner. The waiter writes every order in the order book first; the book is what counts if anyone argues. In the same moment he also clips a copy to the kitchen rail, and the cooks only read the rail, so they never leaf through the book and start at once. If a copy falls off the rail, that dish is late until someone copies it again from the book. A one-person cafe keeps a single notepad instead.", true, ""},
		{"library-wrong", "explain-sync-cqrs", "Imagine a library. Each new book goes up on the new-arrivals board first, and at the end of the week someone copies the board into the accession register. Visitors only glance at the board, which is quick. The board is the official record.", false, "redis-first"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := grade(t, b, tc.id, tc.answer)
			if res.Passed != tc.pass {
				t.Errorf("passed %v (score %.2f), want %v; found %v, misconceptions %v, notes %v", res.Passed, res.Score, tc.pass, res.FoundIDs(), res.MisconceptionIDs(), res.Notes)
			}
			if tc.mis != "" && !slices.Contains(res.MisconceptionIDs(), tc.mis) {
				t.Errorf("misconception %s not named; got %v", tc.mis, res.MisconceptionIDs())
			}
		})
	}
}
