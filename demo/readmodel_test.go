package demo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/labtest"

	"github.com/redis/go-redis/v9"
)

// The read model's counts are counts: count(*) and ZCARD, not the length of
// the listing a screen shows; members that are not FeedItems are listed and
// counted, where GetFeed silently skips them.
func TestReadModelCountsAreTrueAndUndecodableMembersCounted(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{Now: newClock().Now})
	ctx := context.Background()
	const posts, shown = 7, 3
	var newest demo.Post
	for i := range posts {
		newest = mustCreate(t, svc, "alice", fmt.Sprintf("post %d", i))
	}
	mustCreate(t, svc, "bob", "not alice's")
	key := svc.FeedKey("alice")
	// Two members the engine never wrote, scored above every post so the
	// listing of the newest shows them.
	env.Stores.Redis.ZAdd(ctx, key, redis.Z{Score: 9e12, Member: "\x1b[31mnot json"},
		redis.Z{Score: 9e12 + 1, Member: `{"postId":"cut short`})

	rm := demo.NewReadModel(svc)
	defer rm.Close()
	s := rm.Stores(ctx, "alice", shown)
	if s.Rows.Err != nil || s.Feed.Err != nil {
		t.Fatalf("read: rows %v, feed %v", s.Rows.Err, s.Feed.Err)
	}
	if len(s.Rows.Rows) != shown || s.Rows.Count != posts {
		t.Errorf("rows: %d listed of %d counted; want %d of %d", len(s.Rows.Rows), s.Rows.Count, shown, posts)
	}
	if s.Rows.Complete() {
		t.Error("a listing of 3 of 7 rows says it is complete")
	}
	if len(s.Rows.Rows) > 0 && s.Rows.Rows[0].ID != newest.ID {
		t.Errorf("rows are not newest first: %s, want %s", s.Rows.Rows[0].ID, newest.ID)
	}
	if len(s.Feed.Members) != shown || s.Feed.Card != posts+2 {
		t.Errorf("feed: %d listed, ZCARD %d; want %d and %d", len(s.Feed.Members), s.Feed.Card, shown, posts+2)
	}
	if s.Feed.Undecodable != 2 {
		t.Errorf("undecodable members counted %d, want 2", s.Feed.Undecodable)
	}
	if s.Feed.Has(newest.ID) != true || !s.Rows.Has(newest.ID) {
		t.Errorf("the newest post %s is not in both listings", newest.ID)
	}
	feed, err := rm.GetFeed(ctx, "alice", shown)
	if err != nil || len(feed) != 1 || feed[0].PostID != newest.ID {
		t.Errorf("GetFeed skips the two bad members and returns the newest post: %+v, %v", feed, err)
	}
	if all := rm.Rows(ctx, "alice", 100); !all.Complete() || len(all.Rows) != posts {
		t.Errorf("a listing of every row: %d rows, complete %v", len(all.Rows), all.Complete())
	}
}

// A repair is check → repair → check, and its report says both checks.
func TestReadModelRepairReportsBeforeAndAfter(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{Now: newClock().Now})
	ctx := context.Background()
	for i := range 4 {
		mustCreate(t, svc, "carol", fmt.Sprintf("post %d", i))
	}
	key := svc.FeedKey("carol")
	all, _ := env.Stores.Redis.ZRange(ctx, key, 0, -1).Result()
	env.Stores.Redis.ZRem(ctx, key, all[0])
	rm := demo.NewReadModel(svc)
	for _, rebuild := range []bool{false, true} {
		if rebuild {
			env.Stores.Redis.Del(ctx, key)
		}
		rep, err := rm.Repair(ctx, rebuild, "carol")
		if err != nil {
			t.Fatalf("repair (rebuild %v): %v", rebuild, err)
		}
		want := 1
		if rebuild {
			want = 4
		}
		if rep.Before.Missing != want || !rep.After.Converged() || rep.After.Members != 4 {
			t.Errorf("rebuild %v: before %d missing (want %d), after %+v", rebuild, rep.Before.Missing, want, rep.After)
		}
		if (rep.RebuildReport != nil) != rebuild || rep.Took <= 0 {
			t.Errorf("rebuild %v: report %v, took %v", rebuild, rep.RebuildReport, rep.Took)
		}
	}
}

// The direct read model shows what Redis holds while the network to it is
// down, with one client kept across reads.
func TestDirectReadModelSeesPastTheProxy(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{Now: newClock().Now})
	ctx := context.Background()
	p := mustCreate(t, svc, "dave", "before the fault")
	asked := 0
	rm := demo.NewDirectReadModel(svc, func() (string, string) {
		asked++
		r := env.Lab.CurrentInfo().Redis.Direct()
		return r.Addr, r.Password
	})
	defer rm.Close()
	if err := env.Lab.Inject(ctx, lab.Fault{Kind: lab.FaultDown}); err != nil {
		t.Skipf("the lab cannot take the proxy down: %v", err)
	}
	t.Cleanup(func() {
		hctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := env.Lab.HealAll(hctx); err != nil {
			t.Errorf("heal: %v", err)
		}
	})
	qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := rm.GetFeed(qctx, "dave", 5); err == nil {
		t.Error("GetFeed answered through a proxy that is down")
	}
	for range 2 {
		f := rm.Feed(qctx, "dave", 5)
		if f.Err != nil || f.Card != 1 || !f.Has(p.ID) {
			t.Fatalf("direct snapshot while the proxy is down: %+v", f)
		}
	}
	if asked != 2 {
		t.Errorf("the direct address was asked %d times for 2 reads", asked)
	}
	plain := demo.NewReadModel(svc)
	if f := plain.Feed(qctx, "dave", 5); f.Err == nil {
		t.Error("a read model through the service's client read past a proxy that is down")
	}
}
