package quiz

import (
	"slices"
	"testing"
)

// TestBareFallbackIsARead: the read path that "falls back" with no target
// named, or PostgreSQL named as the reads' fallback, is GetFeed reading
// PostgreSQL (in this lesson there is nothing else to fall back to), on
// the two prompts where that is a misconception. Falling back to the old
// feed, denying any fallback, and PostgreSQL as what the feed is rebuilt
// from are not.
func TestBareFallbackIsARead(t *testing.T) {
	b := embedded(t)
	walk := "The INSERT commits in Postgres first; if it fails the error is returned and Redis is untouched. Then the post is ZADDed into the author's feed. Before that GetFeed shows the old feed. If the ZADD fails, the code logs a warning and returns success. "
	explain := "Writes go to Postgres, the source of truth, and in the same request the post is added to a Redis sorted set. Reads are quick lookups with no join. With one database you would just read the table. "
	for _, tc := range []struct {
		name, id, answer, mis string
	}{
		{"walk-bare", "createpost-walkthrough", walk + "Whenever a post is absent from Redis, the read simply falls back, so nobody misses it.", "feed-reads-postgres"},
		{"walk-db-is-fallback", "createpost-walkthrough", walk + "On a cache miss the database acts as the fallback for GetFeed.", "feed-reads-postgres"},
		{"explain-bare", "explain-sync-cqrs", explain + "If Redis has no entry yet, GetFeed falls back and the reader still sees the post.", "reads-from-postgres"},
		{"explain-pg-fallback", "explain-sync-cqrs", explain + "Reads use Redis, with PostgreSQL as the fallback whenever Redis comes back empty.", "reads-from-postgres"},
		{"walk-old-feed", "createpost-walkthrough", walk + "GetFeed reads Redis only; on a failed ZADD readers fall back to the stale feed until a reconciler re-adds the post from Postgres.", ""},
		{"walk-none", "createpost-walkthrough", walk + "GetFeed reads Redis only and has no fallback, so the post stays missing until a reconciler re-adds it from Postgres.", ""},
		{"explain-rebuild", "explain-sync-cqrs", explain + "Reads come only from Redis. Postgres is the fallback you rebuild Redis from after a failed ZADD, so a stale feed is temporary.", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := grade(t, b, tc.id, tc.answer)
			mis := res.MisconceptionIDs()
			if tc.mis == "" && (len(mis) > 0 || !res.Passed) {
				t.Errorf("want a pass with no misconception: passed %v (%.2f), misconceptions %v, notes %v", res.Passed, res.Score, mis, res.Notes)
			}
			if tc.mis != "" && (res.Passed || !slices.Contains(mis, tc.mis)) {
				t.Errorf("want a fail on %s: passed %v (%.2f), misconceptions %v", tc.mis, res.Passed, res.Score, mis)
			}
		})
	}
}
