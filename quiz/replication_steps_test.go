package quiz

import (
	"slices"
	"testing"
)

// Classes of mistake blind set G exposed, in phrasings of our own: the two
// stores described as replicating to each other (database replication, not
// the request writing each store) passed at 0.64; a correct answer that
// opens with a fronted "instead of …" lost its PostgreSQL points to that
// negation; a repair job restocking the read side from the record was
// flagged as the asynchronous update; and a numbered walkthrough whose
// failure cases say "if step 1 fails" went to review.

func TestStoreReplication(t *testing.T) {
	b := embedded(t)
	const rest = " Reads are quick because the feed is already sorted in memory, with no joins. With one database the same tables do reads and writes. The cost is two writes per post, and the feed can go stale when Redis misbehaves."
	for _, c := range []struct{ name, answer string }{
		{"mirror-each-other", "Postgres is the source of truth and the two databases mirror each other, so a new post written to Postgres shows up in Redis in the same request." + rest},
		{"redis-read-replica", "Each post is saved in PostgreSQL, the system you trust, and Redis is basically a read replica of it that is kept current synchronously, in the same request." + rest},
		{"pg-streams-to-redis", "A post is stored in PostgreSQL, which is authoritative, and PostgreSQL streams its changes over to Redis synchronously before the call returns." + rest},
		{"either-store", "Posts are written to PostgreSQL, the source of truth, and Redis is updated in the same request. GetFeed then picks either store, depending on load." + rest},
	} {
		wantVerdict(t, b, c.name, "explain-sync-cqrs", c.answer, "store-replication")
	}
	for _, c := range []struct{ name, answer string }{
		{"denies-replication", "Nothing replicates between the two stores: CreatePost writes PostgreSQL, the source of truth, and then, in the same request, its own code does the ZADD into Redis. GetFeed reads only Redis." + rest},
		{"not-a-replica", "PostgreSQL keeps every post and is the source of truth; Redis is not a replica of it but a feed the request itself writes right after the commit. Readers only ask Redis." + rest},
	} {
		wantNotFlagged(t, b, c.name, "explain-sync-cqrs", c.answer, "store-replication")
		wantVerdict(t, b, c.name, "explain-sync-cqrs", c.answer, "")
	}
	// A feed that "mirrors" the posts, or a copy called "replica-like", is
	// the request's own copy, not replication between the stores.
	wantNotFlagged(t, b, "redis-mirrors-feed", "explain-sync-cqrs", "Redis mirrors each author's feed as a sorted set that the request writes right after the Postgres commit.", "store-replication")
	wantNotFlagged(t, b, "replica-like-copy", "explain-sync-cqrs", "Redis holds a replica-like copy of the feed, which the handler writes itself once PostgreSQL has committed.", "store-replication")
}

// A fronted "instead of …" sets aside a phrase, not the clause after it:
// "Rather than one database we use Postgres where …" keeps its Postgres.
func TestFrontedInsteadOf(t *testing.T) {
	b := embedded(t)
	const answer = "Rather than one database we use Postgres where every post is saved, the copy that counts, and right after it commits the same request adds the post to the author's sorted set in Redis, so loading a feed is one quick range read from Redis with no joins, and the catch is two writes per post and a stale feed whenever the Redis step breaks."
	res := wantVerdict(t, b, "fronted-rather-than", "explain-sync-cqrs", answer, "")
	if !slices.Contains(res.FoundIDs(), "writes-to-postgres") {
		t.Errorf("fronted-rather-than: writes-to-postgres not found; found %v", res.FoundIDs())
	}
	// The phrase itself stays set aside.
	wantNotFlagged(t, b, "instead-of-redis-first", "explain-sync-cqrs", "Instead of writing Redis first, the post is committed to PostgreSQL and then added to the feed.", "redis-first")
}

// A repair job that refills the read side from the record is the
// reconciler, not the asynchronous update; a job that does the normal
// update is still the asynchronous update.
func TestRestockingJob(t *testing.T) {
	b := embedded(t)
	const answer = "In plain terms: one 'official ledger' (PostgreSQL) keeps every post, and a 'display rack' (Redis) holds each author's feed ready to show. Publishing writes the ledger first and, in the same request, fills the rack. Visitors read only the rack, which is quick since nothing is joined. If filling the rack fails the post is safe in the ledger; a background job refills the rack from the ledger later. With one database, the same tables would serve both. The cost: two writes on every publish."
	wantVerdict(t, b, "refilling-job", "explain-sync-cqrs", answer, "")
	wantVerdict(t, b, "job-does-the-update", "explain-sync-cqrs", "Every post is written to PostgreSQL, the source of truth, and the request returns. A background job puts each new post into the author's Redis feed. GetFeed reads only Redis, fast with no joins. Unlike one database, reads and writes are split; the feed may be stale.", "async-update")
}

// "If step 2 fails" in a numbered walkthrough is the store step 2 writes.
func TestStepReferences(t *testing.T) {
	b := embedded(t)
	const answer = "Sequence: 1) commit the post row in Postgres; 2) ZADD it into the author's feed in Redis. When step 1 errors, the handler returns the error and Redis is never touched. When step 2 errors, we log it and still answer success, since the post is committed; the reconciler fills the gap later from Postgres. Until step 2 runs, readers don't see the post."
	res := wantVerdict(t, b, "numbered-step-refs", "createpost-walkthrough", answer, "")
	for _, id := range []string{"postgres-failure-returns-error", "redis-failure-still-success"} {
		if !slices.Contains(res.FoundIDs(), id) {
			t.Errorf("numbered-step-refs: %s not found; found %v", id, res.FoundIDs())
		}
	}
	if res.NeedsReview {
		t.Errorf("numbered-step-refs: sent to review; notes %v", res.Notes)
	}
	// A step number nobody numbered names no store.
	res = grade(t, b, "createpost-walkthrough", "Write the post to Postgres, then ZADD into Redis. If step 2 fails, return an error to the caller.")
	if slices.Contains(res.FoundIDs(), "redis-failure-still-success") {
		t.Errorf("unnumbered: credited redis-failure-still-success; found %v", res.FoundIDs())
	}
}
