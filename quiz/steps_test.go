package quiz

import (
	"slices"
	"testing"
)

// TestOrderFromSteps: an answer may give the order of the two writes only
// by the order of its bullets, numbered lines or timeline entries. The
// step that writes PostgreSQL coming before the step that writes Redis is
// the commit order, and the other way round is the Redis-first
// misconception; a bullet about reads, truth or failures orders nothing.
func TestOrderFromSteps(t *testing.T) {
	b := embedded(t)
	tail := "\nIf the insert errors the caller gets that error and Redis is never touched. If the zadd errors we only log a warning and still return success. GetFeed reads Redis only, so before the zadd the post is not in the feed, and after it the post shows. A reconciler rebuilds stale feeds from Postgres."
	for _, tc := range []struct {
		name, answer string
		first        bool   // postgres-commits-first credited
		mis          string // misconception named, "" for none
	}{
		{"dashes", "Per request:\n- write the row into Postgres (autocommit)\n- JSON-encode the feed item\n- ZADD it under feed:<author>\n- return 201" + tail, true, ""},
		{"stars-continued", "What happens:\n* Postgres insert. Durable from here on.\n* Redis zadd of the item. Cheap.\n* Respond." + tail, true, ""},
		{"timeline-labels", "t0: row inserted into the database and committed\nt1: zadd into the sorted set\nt2: handler returns ok" + tail, true, ""},
		{"bracket-times", "[0 ms] INSERT commits in pg\n[3 ms] ZADD lands in redis\n[4 ms] response sent" + tail, true, ""},
		{"inline-parens", "quick version: 1) check input 2) row goes into postgres, autocommitted 3) zadd onto feed:<author> 4) respond." + tail, true, ""},
		{"inline-dots", "1. save the post in pg 2. zadd it into redis 3. return 201." + tail, true, ""},
		{"inline-redis-first", "quick version: 1) check input 2) zadd onto feed:<author> 3) row goes into postgres 4) respond." + tail, false, "redis-first"},
		{"inline-not-numbered", "The insert into postgres returns 201 and between 2 and 3 ms later the zadd runs." + tail, false, ""},
		{"dashes-redis-first", "Per request:\n- ZADD the item under feed:<author>\n- write the row into Postgres\n- return 201" + tail, false, "redis-first"},
		{"timeline-redis-first", "t0: zadd into the sorted set\nt1: row inserted into the database\nt2: handler returns ok" + tail, false, "redis-first"},
		{"bullets-not-writes", "Facts:\n- Postgres is the source of truth\n- Redis holds the feed\n- GetFeed reads Redis only\nIf the insert errors the caller gets that error. If the zadd errors we log a warning and return success.", false, ""},
		{"bullets-failures", "Failure cases:\n- Redis write fails: warning logged, success returned\n- Postgres insert fails: error returned, Redis untouched" + tail, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := grade(t, b, "createpost-walkthrough", tc.answer)
			if got := slices.Contains(res.FoundIDs(), "postgres-commits-first"); got != tc.first {
				t.Errorf("postgres-commits-first credited %v, want %v; found %v", got, tc.first, res.FoundIDs())
			}
			mis := res.MisconceptionIDs()
			if tc.mis == "" && len(mis) > 0 || tc.mis != "" && !slices.Contains(mis, tc.mis) {
				t.Errorf("misconceptions %v, want %q", mis, tc.mis)
			}
			if tc.first && !res.Passed {
				t.Errorf("a complete answer ordered by its steps failed at %.2f; notes %v", res.Score, res.Notes)
			}
			if tc.mis != "" && res.Passed {
				t.Errorf("a Redis-first order passed at %.2f", res.Score)
			}
		})
	}
}

// TestSkipRedisOnInsertFailure: leaving Redis alone when the INSERT fails
// is the right step, not dropping Redis from the design; dropping it
// outright still is.
func TestSkipRedisOnInsertFailure(t *testing.T) {
	b := embedded(t)
	body := "The row is inserted into Postgres first and commits, then the ZADD adds it to the feed. GetFeed reads Redis only, so before the ZADD the post is missing and after it the post shows. If the ZADD fails we log a warning and return success; a reconciler re-adds it from Postgres. "
	res := grade(t, b, "createpost-walkthrough", body+"If the insert fails: hand back the error and skip Redis entirely.")
	if slices.Contains(res.MisconceptionIDs(), "replace-design") || !res.Passed {
		t.Errorf("skipping Redis on a failed INSERT: passed %v (%.2f), misconceptions %v", res.Passed, res.Score, res.MisconceptionIDs())
	}
	res = grade(t, b, "createpost-walkthrough", body+"Honestly, I would skip Redis entirely and serve the feed with a query.")
	if !slices.Contains(res.MisconceptionIDs(), "replace-design") || res.Passed {
		t.Errorf("dropping Redis from the design: passed %v (%.2f), misconceptions %v", res.Passed, res.Score, res.MisconceptionIDs())
	}
}
