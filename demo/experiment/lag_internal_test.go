package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/internal/labtest"

	"github.com/redis/go-redis/v9"
)

// TestLagIsWhatTheWriteWaited: two writes with lags the test decides. One
// whose ZADD succeeded on the request path counts from its commit to
// CreatePost's return (42 ms, exactly); one whose ZADD was missed counts
// until its member shows up in Redis, which the test does 300 ms after the
// commit: the watcher must time it at 300 ms, give or take its resolution.
// A third, missed and never written, is never visible.
func TestLagIsWhatTheWriteWaited(t *testing.T) {
	env := labtest.New(t)
	key := func(a string) string { return env.Info.Redis.KeyPrefix + "feed:" + a }
	w := newLagWatcher(redisAddrOf(env.Info, LabFaults(env.Lab)), env.Info.Redis.Password)
	go w.run()
	t0 := time.Now()
	fast := demo.Post{ID: "fast", AuthorID: "alice", AuthorName: "Alice", Title: "t", PublishedAt: t0.UTC()}
	w.add(demo.Write{Outcome: demo.Acknowledged, Post: fast, Committed: t0, Ended: t0.Add(42 * time.Millisecond)}, key("alice"))
	missed := errors.New("ZADD skipped")
	late := demo.Post{ID: "late", AuthorID: "bob", AuthorName: "Bob", Title: "t", PublishedAt: t0.UTC()}
	w.add(demo.Write{Outcome: demo.Acknowledged, ProjectionErr: missed, Post: late, Committed: t0, Ended: t0}, key("bob"))
	never := demo.Post{ID: "never", AuthorID: "bob", AuthorName: "Bob", Title: "t", PublishedAt: t0.UTC()}
	w.add(demo.Write{Outcome: demo.Acknowledged, ProjectionErr: missed, Post: never, Committed: t0, Ended: t0}, key("bob"))
	// A rolled-back write (failed) owes nothing.
	w.add(demo.Write{Outcome: demo.Failed, Post: never, Committed: t0, Ended: t0}, key("bob"))

	time.Sleep(time.Until(t0.Add(300 * time.Millisecond)))
	m, _ := json.Marshal(late.Item())
	sent := time.Since(t0) // the member can be in Redis from here on, before the reply is back
	if err := env.Stores.Redis.ZAdd(context.Background(), key("bob"),
		redis.Z{Score: float64(late.PublishedAt.UnixMilli()), Member: m}).Err(); err != nil {
		t.Fatal(err)
	}
	forced := time.Since(t0)
	time.Sleep(100 * time.Millisecond)
	lag := w.stop()
	t.Logf("lag %+v (member written %v after the commit)", lag, forced)
	if lag.Count != 2 || lag.NeverVisible != 1 {
		t.Fatalf("timed %d writes, %d never visible; want 2 and 1", lag.Count, lag.NeverVisible)
	}
	if lag.P50 < 41.9 || lag.P50 > 42.1 {
		t.Errorf("p50 %.2f ms; the acknowledged write took 42 ms from commit to return", lag.P50)
	}
	// Seen at the first poll after the ZADD landed: no sooner than it was
	// sent (the server applies it before its reply travels back, so the
	// reply's time is not a lower bound), at most a poll (and the poll's own
	// round trip, on a busy machine) after the reply.
	lo, hi := float64(sent.Milliseconds())-1, float64((forced + lagPoll + 100*time.Millisecond).Milliseconds())
	if lag.Max < lo || lag.Max > hi {
		t.Errorf("max %.2f ms; the member was sent %v and acknowledged %v after its commit (want %.0f to %.0f ms)", lag.Max, sent, forced, lo, hi)
	}
}
