package demo_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/internal/labtest"

	"github.com/redis/go-redis/v9"
)

func mustCreate(t testing.TB, svc *demo.PostService, author, title string) demo.Post {
	t.Helper()
	res, err := svc.CreatePost(context.Background(), demo.NewPost{AuthorID: author, Title: title})
	if err != nil {
		t.Fatal(err)
	}
	return res.Post
}

func TestReconcilerFindsAndRepairsEveryKindOfDrift(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{Now: newClock().Now})
	ctx := context.Background()
	var posts []demo.Post
	for i := range 6 {
		posts = append(posts, mustCreate(t, svc, "alice", fmt.Sprintf("post %d", i)))
	}
	mustCreate(t, svc, "bob", "bob's only post")
	rec := svc.Reconciler()
	if d, err := rec.Check(ctx); err != nil || !d.Converged() || d.Rows != 7 || d.Members != 7 {
		t.Fatalf("fresh feeds should match: %+v, %v", d, err)
	}
	rdb, key := env.Stores.Redis, svc.FeedKey("alice")
	// Two members lost, as if their ZADD had failed.
	all, _ := rdb.ZRange(ctx, key, 0, -1).Result()
	rdb.ZRem(ctx, key, all[0], all[1])
	// A member for a post PostgreSQL never had.
	rdb.ZAdd(ctx, key, redis.Z{Score: 1, Member: `{"postId":"ghost","authorName":"Alice","title":"boo","publishedAt":1}`})
	// A stale copy of a real post (its title changed since).
	p := posts[5]
	rdb.ZAdd(ctx, key, redis.Z{Score: float64(p.PublishedAt.UnixMilli()),
		Member: fmt.Sprintf(`{"postId":%q,"authorName":"Alice","title":"old title","publishedAt":%d}`, p.ID, p.PublishedAt.UnixMilli())})
	// A feed for an author PostgreSQL does not know.
	rdb.ZAdd(ctx, svc.FeedKey("mallory"), redis.Z{Score: 1, Member: "junk"})

	d, err := rec.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Missing != 2 || d.Unexpected != 2 || d.Duplicates != 1 {
		t.Fatalf("drift: missing %d unexpected %d duplicates %d; want 2, 2, 1", d.Missing, d.Unexpected, d.Duplicates)
	}
	if got := fmt.Sprint(d.Drifted()); got != "[alice mallory]" {
		t.Errorf("drifted authors %s", got)
	}
	for _, a := range d.Authors {
		if a.Author == "alice" && a.RowsChecksum == a.MembersChecksum {
			t.Error("checksums agree although members are missing")
		}
	}
	if _, err := rec.Repair(ctx); err != nil {
		t.Fatal(err)
	}
	if d, _ := rec.Check(ctx); !d.Converged() {
		t.Fatalf("after repair: %+v", d)
	}
	feed, _ := svc.GetFeed(ctx, "alice", 0)
	sqlFeed, _ := svc.GetFeedSQL(ctx, "alice", 0)
	if fmt.Sprint(feed) != fmt.Sprint(sqlFeed) {
		t.Fatalf("repaired feed differs from SQL:\n%v\n%v", feed, sqlFeed)
	}
}

func TestRebuildRestoresALostRedis(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{Now: newClock().Now})
	ctx := context.Background()
	for i := range 50 {
		mustCreate(t, svc, []string{"alice", "bob", "carol"}[i%3], fmt.Sprintf("p%d", i))
	}
	// Redis restarted empty.
	for _, a := range []string{"alice", "bob", "carol"} {
		env.Stores.Redis.Del(ctx, svc.FeedKey(a))
	}
	rec := svc.Reconciler()
	rec.Batch = 7 // many small pipelines, to exercise batching
	if d, _ := rec.Check(ctx); d.Missing != 50 {
		t.Fatalf("missing before rebuild: %d", d.Missing)
	}
	rep, err := rec.Rebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Posts != 50 {
		t.Fatalf("rebuilt %d posts", rep.Posts)
	}
	if d, _ := rec.Check(ctx); !d.Converged() || d.Members != 50 {
		t.Fatalf("after rebuild: %+v", d)
	}
	if keys, _ := env.Stores.Redis.Keys(ctx, env.Info.Redis.KeyPrefix+"*rebuild*").Result(); len(keys) != 0 {
		t.Fatalf("temporary keys left: %v", keys)
	}
}

// TestRebuildRacingWritesDropsNothing runs rebuilds back to back while
// writers keep posting: after the writers stop, every committed post must be
// in its feed without any further repair.
func TestRebuildRacingWritesDropsNothing(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var written atomic.Int64
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := svc.CreatePost(ctx, demo.NewPost{AuthorID: []string{"alice", "bob"}[w%2],
					Title: fmt.Sprintf("w%d-%d", w, i)}); err != nil {
					t.Error(err)
					return
				}
				written.Add(1)
			}
		})
	}
	rec := svc.Reconciler()
	caught := 0
	for range 15 {
		rep, err := rec.Rebuild(ctx, "alice", "bob")
		if err != nil {
			t.Fatal(err)
		}
		caught += rep.CaughtUp
	}
	close(stop)
	wg.Wait()
	d, err := rec.Check(ctx, "alice", "bob")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Converged() || d.Rows != int(written.Load()) {
		t.Fatalf("after racing rebuilds: rows %d (written %d), missing %d, unexpected %d, duplicates %d",
			d.Rows, written.Load(), d.Missing, d.Unexpected, d.Duplicates)
	}
	t.Logf("%d posts written during 15 rebuilds; %d caught up after swaps", written.Load(), caught)
}

func TestOutboxSurvivesTheCrashPoint(t *testing.T) {
	env := labtest.New(t)
	// No background relay: the test counts the pending rows and relays
	// them itself.
	svc := env.Service(demo.Options{Policy: demo.PolicyOutbox, RelayEvery: -1})
	ctx := context.Background()
	mustCreate(t, svc, "alice", "before the crash")
	svc.SetCrashPoint(true)
	res, err := svc.CreatePost(ctx, demo.NewPost{AuthorID: "alice", Title: "committed, then the process died"})
	if err != demo.ErrCrashed {
		t.Fatalf("want ErrCrashed, got %v", err)
	}
	svc.SetCrashPoint(false)
	// The crashed write's row is pending. (The first write's may be too, if
	// its ZADD missed the budget on a busy machine: that is what the outbox
	// is for.)
	pending, _ := svc.OutboxPending(ctx)
	if pending < 1 {
		t.Fatalf("outbox pending %d, want the crashed write", pending)
	}
	// (A ZADD that timed out may still have landed: missing ≤ pending.)
	if d, _ := svc.Reconciler().Check(ctx); d.Missing < 1 || d.Missing > pending {
		t.Fatalf("the crashed write should be missing from the feed (%d pending): %+v", pending, d)
	}
	n, err := svc.RelayOnce(ctx, 0, 100)
	if err != nil || n != pending {
		t.Fatalf("relay projected %d of %d, %v", n, pending, err)
	}
	if d, _ := svc.Reconciler().Check(ctx); !d.Converged() {
		t.Fatalf("after relay: %+v", d)
	}
	feed, _ := svc.GetFeed(ctx, "alice", 0)
	if len(feed) != 2 || feed[0].PostID != res.Post.ID {
		t.Fatalf("feed after relay: %v", feed)
	}
	if n, _ := svc.OutboxPending(ctx); n != 0 {
		t.Fatalf("outbox not drained: %d", n)
	}
}

func TestSeedCrashPointLeavesDriftTheReconcilerRepairs(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{})
	ctx := context.Background()
	svc.SetCrashPoint(true)
	if _, err := svc.CreatePost(ctx, demo.NewPost{AuthorID: "bob", Title: "lost in the window"}); err != demo.ErrCrashed {
		t.Fatalf("want ErrCrashed, got %v", err)
	}
	rec := svc.Reconciler()
	d, _ := rec.Repair(ctx)
	if d.Missing != 1 {
		t.Fatalf("drift before repair: %+v", d)
	}
	if d, _ := rec.Check(ctx); !d.Converged() {
		t.Fatalf("after repair: %+v", d)
	}
}

func TestBudgetedFailsFastOpensBreakerAndMarksDirty(t *testing.T) {
	env := labtest.New(t)
	proj, br := demo.NewBudgetedClient(deadAddr(t), "", demo.Budget{Deadline: 20 * time.Millisecond, BreakerFailures: 3})
	defer proj.Close()
	svc := demo.NewPostService(env.Stores.PG, env.Stores.Redis, demo.Options{Schema: env.Info.Postgres.Schema,
		KeyPrefix: env.Info.Redis.KeyPrefix, Logger: slogTo(&labtest.LogBuffer{}), Policy: demo.PolicyBudgeted,
		Projection: proj, Breaker: br})
	ctx := context.Background()
	var slowest time.Duration
	for i := range 10 {
		start := time.Now()
		res, err := svc.CreatePost(ctx, demo.NewPost{AuthorID: "carol", Title: fmt.Sprintf("p%d", i)})
		if err != nil || res.ProjectionErr == nil {
			t.Fatalf("write %d: %v / %v", i, err, res.ProjectionErr)
		}
		slowest = max(slowest, time.Since(start))
	}
	if br.State() != "open" {
		t.Fatalf("breaker %s after 10 failures, want open (changes %v)", br.State(), br.Changes())
	}
	if slowest > 2*time.Second {
		t.Errorf("a budgeted write took %v", slowest)
	}
	if got := fmt.Sprint(svc.TakeDirty()); got != "[carol]" {
		t.Fatalf("dirty authors %s", got)
	}
	// The missed ZADDs are re-sent in the background with the service's
	// plain client (the projection client is dead, the plain one is not):
	// the feed converges with no reconciler run.
	rec := svc.Reconciler()
	var d demo.Drift
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if d, _ = rec.Check(ctx, "carol"); d.Converged() && d.Rows == 10 {
			break
		}
	}
	if !d.Converged() || d.Rows != 10 {
		t.Fatalf("the background repair did not bring the feed up to PostgreSQL: %+v", d)
	}
}
