package demo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/internal/labtest"

	"github.com/redis/go-redis/v9"
)

// The Go benchmarks of the dual write and the read path, beside their
// floors. `cqrslab bench` measures the same paths interleaved in one run and
// prints the ratios; these are for benchstat and profiling.

func seedFeed(b *testing.B, env *labtest.Env, svc *demo.PostService, author string, n int) {
	b.Helper()
	for i := range n {
		if _, err := svc.CreatePost(context.Background(), demo.NewPost{AuthorID: author, Title: fmt.Sprintf("seed %d", i)}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCreatePost(b *testing.B) {
	env := labtest.New(b)
	svc := env.Service(demo.Options{})
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		if _, err := svc.CreatePost(ctx, demo.NewPost{ID: fmt.Sprintf("b%d", i), AuthorID: "alice", Title: "benchmark post"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFloorInsertThenZAdd(b *testing.B) {
	env := labtest.New(b)
	ctx := context.Background()
	insert := "INSERT INTO " + env.Info.Postgres.Schema + ".posts(id, author_id, title, published_at) VALUES ($1, $2, $3, $4)"
	key := env.Info.Redis.KeyPrefix + "feed:alice"
	i := 0
	for b.Loop() {
		i++
		id, at := fmt.Sprintf("f%d", i), time.Now()
		m, _ := json.Marshal(demo.FeedItem{PostID: id, AuthorName: "Alice", Title: "benchmark post", PublishedAt: at.UnixMilli()})
		if _, err := env.Stores.PG.ExecContext(ctx, insert, id, "alice", "benchmark post", at); err != nil {
			b.Fatal(err)
		}
		if err := env.Stores.Redis.ZAdd(ctx, key, redis.Z{Score: float64(at.UnixMilli()), Member: m}).Err(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetFeed(b *testing.B) {
	env := labtest.New(b)
	svc := env.Service(demo.Options{})
	seedFeed(b, env, svc, "bob", 100)
	ctx := context.Background()
	for b.Loop() {
		if items, err := svc.GetFeed(ctx, "bob", 0); err != nil || len(items) != demo.DefaultFeedSize {
			b.Fatal(len(items), err)
		}
	}
}

func BenchmarkFloorZRevRange(b *testing.B) {
	env := labtest.New(b)
	svc := env.Service(demo.Options{})
	seedFeed(b, env, svc, "bob", 100)
	ctx := context.Background()
	for b.Loop() {
		if err := env.Stores.Redis.ZRevRange(ctx, svc.FeedKey("bob"), 0, demo.DefaultFeedSize-1).Err(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetFeedSQL(b *testing.B) {
	env := labtest.New(b)
	svc := env.Service(demo.Options{})
	seedFeed(b, env, svc, "bob", 100)
	ctx := context.Background()
	for b.Loop() {
		if items, err := svc.GetFeedSQL(ctx, "bob", 0); err != nil || len(items) != demo.DefaultFeedSize {
			b.Fatal(len(items), err)
		}
	}
}
