package demo_test

import (
	"context"
	"errors"
	"testing"

	"cqrslab/demo"
	"cqrslab/internal/labtest"

	"github.com/redis/go-redis/v9"
)

// deadRedis is a client of a Redis that refuses connections, without
// retries so the test is quick.
func deadRedis(t *testing.T) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: deadAddr(t), MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

// TestRollbackDeletesTheCommittedPostWhenTheZADDFails: the anti-pattern
// does what it says, so experiments can measure it. With Redis healthy it
// is the seed; with Redis unreachable the call fails, and the post
// PostgreSQL had committed is gone.
func TestRollbackDeletesTheCommittedPostWhenTheZADDFails(t *testing.T) {
	env := labtest.New(t)
	ctx := context.Background()
	svc := env.Service(demo.Options{Policy: demo.PolicyRollback})
	ok := mustCreate(t, svc, "alice", "Redis is up")
	if rows, members := counts(t, env, svc, "alice"); rows != 1 || members != 1 {
		t.Fatalf("healthy: %d rows, %d members", rows, members)
	}

	// The same policy over a Redis that refuses connections.
	dead := demo.NewPostService(env.Stores.PG, deadRedis(t), demo.Options{Schema: env.Info.Postgres.Schema,
		KeyPrefix: env.Info.Redis.KeyPrefix, Logger: slogTo(&labtest.LogBuffer{}), Policy: demo.PolicyRollback})
	defer dead.Close()
	res, err := dead.CreatePost(ctx, demo.NewPost{AuthorID: "alice", Title: "Redis is down"})
	if !errors.Is(err, demo.ErrRolledBack) {
		t.Fatalf("want ErrRolledBack, got %v", err)
	}
	if res.ProjectionErr == nil {
		t.Error("the projection error is not reported")
	}
	var n int
	if err := env.Stores.PG.QueryRowContext(ctx, "SELECT count(*) FROM "+env.Info.Postgres.Schema+
		".posts WHERE id = $1", res.Post.ID).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rolled-back post still in PostgreSQL: %d rows, %v", n, err)
	}
	// A retry of an acknowledged post whose ZADD now fails keeps the post.
	if _, err := dead.CreatePost(ctx, demo.NewPost{ID: ok.ID, AuthorID: "alice", Title: ok.Title}); err == nil ||
		errors.Is(err, demo.ErrRolledBack) {
		t.Fatalf("retry of a stored post: %v", err)
	}
	if rows, _ := counts(t, env, svc, "alice"); rows != 1 {
		t.Fatalf("the acknowledged post was deleted: %d rows", rows)
	}
}
