package quiz

import (
	"slices"
	"strings"
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
		{"bare-time-labels", "t0 INSERT commits in Postgres\nt1 ZADD into feed:<author>\nt2 reply 201" + tail, true, ""},
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

// TestFirstOfAll: an opening "first of all," or "first thing," orders
// the clause after its comma, as a bare "First," does: PostgreSQL named
// there commits first, Redis named there is Redis-first.
func TestFirstOfAll(t *testing.T) {
	b := embedded(t)
	rest := " If the insert errors the caller gets that error and Redis is never touched. Then the ZADD adds it to the feed; if it errors we only log a warning and still return success. GetFeed reads Redis only, so before the ZADD the post is not in the feed, and after it the post shows. A reconciler rebuilds stale feeds from Postgres."
	res := wantVerdict(t, b, "first-thing-pg", "createpost-walkthrough", "First thing, the post row is stored in postgres, and it is committed at once."+rest, "")
	if !slices.Contains(res.FoundIDs(), "postgres-commits-first") {
		t.Errorf("'First thing, … postgres' not credited as the commit order; found %v", res.FoundIDs())
	}
	wantVerdict(t, b, "first-of-all-redis", "createpost-walkthrough", "First of all, the new post is put in Redis, and Postgres gets it later."+rest, "redis-first")
	wantVerdict(t, b, "first-off-redis-explain", "explain-sync-cqrs", "First off, every new post lands in the Redis sorted set, and PostgreSQL, the source of truth, is written after. Reads come only from Redis, so they are fast with no joins; with one database you would read the tables. If Redis fails the feed is stale until rebuilt from Postgres.", "redis-first")
}

// TestFirstOfAllAboutReads: an opening "first of all," before a sentence
// about what Redis is or serves orders nothing.
func TestFirstOfAllAboutReads(t *testing.T) {
	b := embedded(t)
	wantNotFlagged(t, b, "first-of-all-cache", "explain-sync-cqrs", "First of all, Redis is just the read model that GetFeed reads.", "redis-first")
	wantNotFlagged(t, b, "first-off-serves", "createpost-walkthrough", "First off, Redis serves every feed read.", "redis-first")
}

// TestStepNotesKeepTheirSubject: a step's notes that name no store are
// about the store its lead writes: "- ZADD into Redis. If it errors:
// answer 500." fails the request on a Redis error, and "… log a warning,
// return success." is the right handling; the quote stays the learner's.
func TestStepNotesKeepTheirSubject(t *testing.T) {
	b := embedded(t)
	head := "- Row inserted in Postgres, committed. If that errors, the caller gets the error.\n- ZADD into Redis. "
	tail := "\nGetFeed reads Redis only: before the ZADD the post is missing, after it the post shows. A reconciler rebuilds stale feeds from Postgres."
	res := wantVerdict(t, b, "note-500", "createpost-walkthrough", head+"If it errors: return a 500 so the client retries."+tail, "redis-failure-errors")
	for _, f := range res.Misconceptions {
		if f.ID == "redis-failure-errors" && f.Quote != "If it errors: return a 500 so the client retries" {
			t.Errorf("quote %q is not the learner's note", f.Quote)
		}
	}
	res = wantVerdict(t, b, "note-warn", "createpost-walkthrough", head+"If it errors: log a warning, still return success."+tail, "")
	if !slices.Contains(res.FoundIDs(), "redis-failure-still-success") || !slices.Contains(res.FoundIDs(), "postgres-failure-returns-error") {
		t.Errorf("the notes' failure handling not credited; found %v", res.FoundIDs())
	}
}

// TestStepOrderOnEveryPrompt: a numbered or bulleted Redis-first order is
// the misconception on the prompts that name it, not only on the
// walkthrough (own probe on prompt 2 passed at 0.69), and a lead's "then"
// agrees with its place.
func TestStepOrderOnEveryPrompt(t *testing.T) {
	b := embedded(t)
	wantVerdict(t, b, "explain-numbered", "explain-sync-cqrs", "1. The new post goes into a Redis sorted set, so it shows at once.\n2. The post is then written to PostgreSQL, the source of truth.\n3. GetFeed reads only Redis: one quick lookup, no joins.\nWith a single database you would read the tables. If Redis fails the feed is stale until rebuilt from Postgres.", "redis-first")
	wantVerdict(t, b, "spike-bullets", "redis-spike-500wps", "- ZADD the post into Redis\n- then insert it into Postgres\nAbout 25 requests are in flight, the pool runs dry, latency climbs and ZADDs time out. Add a short deadline, a circuit breaker and a reconciler from Postgres.", "redis-first")
	wantVerdict(t, b, "explain-numbered-right", "explain-sync-cqrs", "1. The post is written to PostgreSQL, the source of truth.\n2. Then, in the same request, it is added to a Redis sorted set.\n3. GetFeed reads only Redis: one quick lookup, no joins.\nWith a single database you would read the tables. If Redis fails the feed is stale until rebuilt from Postgres.", "")
}

// TestBulletsThatListParts: bullets under a line that names parts, not a
// process ("Two stores:"), or with no line before them, list the stores;
// their order is not the order of the writes.
func TestBulletsThatListParts(t *testing.T) {
	b := embedded(t)
	tail := "\nReads come only from Redis, so they are fast with no joins, unlike one database. If the Redis write fails, the feed is stale until rebuilt from Postgres."
	wantNotFlagged(t, b, "two-stores", "explain-sync-cqrs", "Two stores:\n- Redis: stores each author's feed as a sorted set, written in the same request as the post\n- Postgres: stores the posts and is the source of truth"+tail, "redis-first")
	wantNotFlagged(t, b, "no-header", "explain-sync-cqrs", "- Redis stores each author's feed as a sorted set\n- Postgres stores the posts, the source of truth"+tail, "redis-first")
}

// TestStepRemarksEarnNothing: a step's remark ("Latency #1.") is not what
// the step does: no point is quoted from it.
func TestStepRemarksEarnNothing(t *testing.T) {
	b := embedded(t)
	res := grade(t, b, "createpost-walkthrough", "Per request:\n- INSERT to PG, autocommit. Latency #1.\n- ZADD to Redis. Latency #2.\nGetFeed reads Redis only, so before the ZADD the post is missing.")
	for _, f := range res.Found {
		if strings.HasPrefix(f.Quote, "Latency") {
			t.Errorf("%s quoted from a remark: %q", f.ID, f.Quote)
		}
	}
	if !slices.Contains(res.FoundIDs(), "postgres-commits-first") {
		t.Errorf("the steps' order not credited; found %v", res.FoundIDs())
	}
}
