package quiz

import "testing"

// TestBlindSetOOClasses holds, in phrasings of our own, what blind set OO
// found unseen (see TestBlindSets): right answers that state a guess in
// order to reject it ("one might assume that …, but", "a common guess is
// that …", "it is tempting to think …"), a reconciler that reads
// PostgreSQL taken for the read path, and a false pass that put the ZADD
// "in front of" the INSERT. Each case has one beside it that must (or must
// not) fire.
func TestBlindSetOOClasses(t *testing.T) {
	misconceptionCases(t, []misconceptionCase{
		{name: "an assumption, rejected", id: "explain-sync-cqrs",
			answer: "One might assume that writing \"both, in one go\" makes one distributed transaction, but there is none: PostgreSQL commits, then Redis is updated.",
			notMis: []string{"one-transaction"}},
		{name: "one transaction, claimed", id: "explain-sync-cqrs",
			answer: "Both stores are written in one distributed transaction, so they commit together.",
			mis:    []string{"one-transaction"}},
		{name: "a guess, rejected", id: "createpost-walkthrough",
			answer: "A common guess is that CreatePost should then roll back the INSERT. It does not: the row is committed.",
			notMis: []string{"rollback-postgres"}},
		{name: "the rollback, claimed", id: "createpost-walkthrough",
			answer: "When the ZADD fails, CreatePost rolls back the INSERT.",
			mis:    []string{"rollback-postgres"}},
		{name: "a temptation, rejected", id: "acknowledged-then-lost",
			answer: "It is tempting to think the outbox relay keeps retrying the ZADD and puts it back on the new primary. Its row is gone once the ZADD is acknowledged.",
			notMis: []string{"outbox-repairs-loss"}},
		{name: "the outbox repair, claimed", id: "acknowledged-then-lost",
			answer: "The outbox relay keeps retrying the ZADD and puts it back on the new primary once that is up.",
			mis:    []string{"outbox-repairs-loss"}},
		{name: "the reconciler reads PostgreSQL", id: "redis-spike-500wps",
			answer: "Mark the author dirty, and the reconciler fixes the feed reading from PostgreSQL later.",
			notMis: []string{"reads-from-postgres"}},
		{name: "the feed read from PostgreSQL", id: "redis-spike-500wps",
			answer: "During the spike, readers get the feed from PostgreSQL.",
			mis:    []string{"reads-from-postgres"}},
		{name: "ZADD in front of the INSERT", id: "redis-spike-500wps",
			answer: "Move the ZADD in front of the INSERT and give it a 10 ms timeout.",
			mis:    []string{"redis-first"}},
		{name: "the INSERT in front of the ZADD", id: "redis-spike-500wps",
			answer: "Keep the INSERT first; the ZADD comes after the commit, with a short deadline.",
			notMis: []string{"redis-first"}},
	})
}
