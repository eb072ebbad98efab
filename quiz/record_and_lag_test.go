package quiz

import "testing"

// TestRecordDirectionAndLag: two more wrong stories on the
// acknowledged-then-lost prompt, from blind set I's false passes (0.63 and
// 0.84), in our own phrasings. One makes Redis the feed's record and runs
// the repair backwards, copying the Redis feed into PostgreSQL; the other
// explains the loss away as a read from a lagging replica that will catch
// up. Both name the failover and the silent success, so only the
// misconception stops them. Correct answers that deny either idea, or say
// the member is missing until the reconciler adds it, still pass.
func TestRecordDirectionAndLag(t *testing.T) {
	b := embedded(t)
	const q = "acknowledged-then-lost"
	story := "Redis answered OK to the ZADD before its replicas had the member, since replication is asynchronous, and Sentinel then promoted a replica that never got it. CreatePost had already returned success, so no error surfaced. "
	for _, tc := range []struct{ name, answer, mis string }{
		{"redis-record", story + "For the feed, Redis is the system of record, so a nightly job reads the promoted primary and copies every feed into Postgres to line the two up.", "redis-is-record"},
		{"pg-matches-redis", story + "The fix is a reconciler that walks the Redis feeds and writes what it finds to Postgres, until Postgres matches Redis again.", "redis-is-record"},
		{"lagging-replica", story + "But it is not really gone: the feed is served from a replica a few ms behind, and the post will show up once replication catches up.", "stale-read"},
		{"stale-read-only", "Nothing is lost, it is just a stale read. After the failover readers hit a lagging replica, so the post isn't there yet; give it a second and it appears. No error because reading a replica is allowed.", "stale-read"},
		{"right-denies-both", story + "This is not a stale read: nothing will stream the member later, and it stays missing until the reconciler compares each feed with PostgreSQL, the source of truth, and adds it back. Redis is not the record; nothing is copied from Redis into Postgres.", ""},
		{"right-lagging-promoted", "Replication is asynchronous, so the primary acknowledged the ZADD before shipping it, and Sentinel promoted a lagging replica that never got the member. CreatePost had returned success, so nobody saw an error. PostgreSQL still has the post; the reconciler compares each feed with it and re-adds the member.", ""},
		{"right-plain", story + "PostgreSQL committed the post first and still has it. A reconciler that compares each feed with PostgreSQL after every failover finds the missing member and adds it back.", ""},
	} {
		wantVerdict(t, b, tc.name, q, tc.answer, tc.mis)
	}
}
