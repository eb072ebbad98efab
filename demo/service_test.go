package demo_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/internal/labtest"

	"github.com/redis/go-redis/v9"
)

// clock is a test clock that moves one millisecond per call, so every post
// has its own published time and feed order is predictable.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

func counts(t *testing.T, env *labtest.Env, svc *demo.PostService, author string) (rows int, members int64) {
	t.Helper()
	ctx := context.Background()
	if err := env.Stores.PG.QueryRowContext(ctx,
		"SELECT count(*) FROM "+env.Info.Postgres.Schema+".posts").Scan(&rows); err != nil {
		t.Fatalf("count rows: %v", err)
	}
	n, err := svc.FeedLen(ctx, author)
	if err != nil {
		t.Fatalf("zcard: %v", err)
	}
	return rows, n
}

func TestCreatePostWritesBothStores(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{})
	ctx := context.Background()
	res, err := svc.CreatePost(ctx, demo.NewPost{AuthorID: "alice", Title: "Hello, two databases"})
	if err != nil {
		t.Fatalf("CreatePost: %v", err)
	}
	if res.ProjectionErr != nil || res.Existing {
		t.Fatalf("unexpected result %+v", res)
	}
	var title string
	err = env.Stores.PG.QueryRowContext(ctx, "SELECT title FROM "+env.Info.Postgres.Schema+".posts WHERE id=$1",
		res.Post.ID).Scan(&title)
	if err != nil || title != "Hello, two databases" {
		t.Fatalf("row in PostgreSQL: %q, %v", title, err)
	}
	zs, err := env.Stores.Redis.ZRangeWithScores(ctx, svc.FeedKey("alice"), 0, -1).Result()
	if err != nil || len(zs) != 1 {
		t.Fatalf("feed members: %v, %v", zs, err)
	}
	if got, want := zs[0].Score, float64(res.Post.PublishedAt.UnixMilli()); got != want {
		t.Errorf("score %v, want published time in ms %v", got, want)
	}
	if !strings.Contains(zs[0].Member.(string), `"postId":"`+res.Post.ID+`"`) {
		t.Errorf("member %s does not name the post", zs[0].Member)
	}
	if key := svc.FeedKey("alice"); key != env.Info.Redis.KeyPrefix+"feed:alice" {
		t.Errorf("feed key %q", key)
	}
}

func TestFeedOrderLimitAndSQLAgree(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{Now: newClock().Now})
	ctx := context.Background()
	var ids []string
	for i := range 25 {
		res, err := svc.CreatePost(ctx, demo.NewPost{AuthorID: "bob", Title: fmt.Sprintf("post %02d", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Post.ID)
	}
	// A post by someone else must not show up in bob's feed.
	if _, err := svc.CreatePost(ctx, demo.NewPost{AuthorID: "carol", Title: "not bob's"}); err != nil {
		t.Fatal(err)
	}
	feed, err := svc.GetFeed(ctx, "bob", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(feed) != demo.DefaultFeedSize {
		t.Fatalf("default feed has %d items, want %d", len(feed), demo.DefaultFeedSize)
	}
	for i, it := range feed {
		if want := ids[24-i]; it.PostID != want {
			t.Fatalf("feed[%d] = %s, want %s (newest first)", i, it.PostID, want)
		}
	}
	five, _ := svc.GetFeed(ctx, "bob", 5)
	if len(five) != 5 || five[0].PostID != ids[24] {
		t.Fatalf("GetFeed(n=5) = %d items starting %v", len(five), five)
	}
	sqlFeed, err := svc.GetFeedSQL(ctx, "bob", 0)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sqlFeed) != fmt.Sprint(feed) {
		t.Fatalf("GetFeedSQL and GetFeed disagree:\nsql:   %v\nredis: %v", sqlFeed, feed)
	}
}

func TestSameMillisecondPostsOrderAlikeInBothStores(t *testing.T) {
	env := labtest.New(t)
	fixed := time.Date(2026, 5, 5, 5, 5, 5, 0, time.UTC)
	svc := env.Service(demo.Options{Now: func() time.Time { return fixed }})
	ctx := context.Background()
	for _, id := range []string{"b", "a", "c-1", "C", "c"} {
		if _, err := svc.CreatePost(ctx, demo.NewPost{ID: id, AuthorID: "alice", Title: "tie " + id}); err != nil {
			t.Fatal(err)
		}
	}
	feed, _ := svc.GetFeed(ctx, "alice", 0)
	sqlFeed, _ := svc.GetFeedSQL(ctx, "alice", 0)
	if len(feed) != 5 || fmt.Sprint(feed) != fmt.Sprint(sqlFeed) {
		t.Fatalf("ties ordered differently:\nsql:   %v\nredis: %v", sqlFeed, feed)
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{})
	ctx := context.Background()
	if _, err := svc.CreatePost(ctx, demo.NewPost{ID: "taken", AuthorID: "alice", Title: "original"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		in    demo.NewPost
		field string
		check func(error) bool
	}{
		{"empty title", demo.NewPost{AuthorID: "alice", Title: ""}, "title", nil},
		{"blank title", demo.NewPost{AuthorID: "alice", Title: " \u00a0 "}, "title", nil},
		{"oversized title", demo.NewPost{AuthorID: "alice", Title: strings.Repeat("é", demo.MaxTitleRunes+1)}, "title", nil},
		{"invalid utf-8", demo.NewPost{AuthorID: "alice", Title: "bad \xff\xfe"}, "title", nil},
		{"nul byte", demo.NewPost{AuthorID: "alice", Title: "a\x00b"}, "title", nil},
		{"escape sequence", demo.NewPost{AuthorID: "alice", Title: "\x1b[2Jgotcha"}, "title", nil},
		{"newline", demo.NewPost{AuthorID: "alice", Title: "two\nlines"}, "title", nil},
		{"C1 control", demo.NewPost{AuthorID: "alice", Title: "csi\u009b2J"}, "title", nil},
		{"author with space", demo.NewPost{AuthorID: "al ice", Title: "x"}, "author", nil},
		{"author with colon", demo.NewPost{AuthorID: "alice:evil", Title: "x"}, "author", nil},
		{"author with braces", demo.NewPost{AuthorID: "{alice}", Title: "x"}, "author", nil},
		{"author too long", demo.NewPost{AuthorID: strings.Repeat("a", demo.MaxIDLength+1), Title: "x"}, "author", nil},
		{"empty author", demo.NewPost{AuthorID: "", Title: "x"}, "author", nil},
		{"bad post id", demo.NewPost{ID: "id with space", AuthorID: "alice", Title: "x"}, "id", nil},
		{"unknown author", demo.NewPost{AuthorID: "mallory", Title: "x"}, "author", func(err error) bool {
			var u *demo.UnknownAuthorError
			return errors.As(err, &u) && u.AuthorID == "mallory"
		}},
		{"duplicate id, other content", demo.NewPost{ID: "taken", AuthorID: "alice", Title: "changed"}, "id", func(err error) bool {
			var c *demo.ConflictError
			return errors.As(err, &c) && c.Existing.Title == "original"
		}},
	}
	rows0, members0 := counts(t, env, svc, "alice")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.CreatePost(ctx, tc.in)
			if err == nil {
				t.Fatal("accepted bad input")
			}
			if !demo.IsInvalidInput(err) {
				t.Fatalf("error %v is not an invalid-input error", err)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %q does not name the field %q", err, tc.field)
			}
			var v *demo.ValidationError
			if tc.check != nil && !tc.check(err) || tc.check == nil && (!errors.As(err, &v) || v.Field != tc.field) {
				t.Errorf("wrong error type or field: %#v", err)
			}
			if rows, members := counts(t, env, svc, "alice"); rows != rows0 || members != members0 {
				t.Errorf("something was written: rows %d→%d, members %d→%d", rows0, rows, members0, members)
			}
		})
	}
}

func TestDuplicateIDSameContentReturnsExisting(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{Now: newClock().Now})
	ctx := context.Background()
	first, err := svc.CreatePost(ctx, demo.NewPost{ID: "retry-1", AuthorID: "alice", Title: "once"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.CreatePost(ctx, demo.NewPost{ID: "retry-1", AuthorID: "alice", Title: "once"})
	if err != nil {
		t.Fatalf("retry with the same ID and content: %v", err)
	}
	if !again.Existing || !again.Post.PublishedAt.Equal(first.Post.PublishedAt) {
		t.Fatalf("retry did not return the stored post: %+v vs %+v", again.Post, first.Post)
	}
	if rows, members := counts(t, env, svc, "alice"); rows != 1 || members != 1 {
		t.Fatalf("retry wrote twice: %d rows, %d members", rows, members)
	}
}

// deadAddr is a loopback address where nothing listens: a real refused
// connection, as a stopped server gives.
func deadAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestRedisDownStillSucceedsWithWarning(t *testing.T) {
	env := labtest.New(t)
	down := redis.NewClient(&redis.Options{Addr: deadAddr(t), MaxRetries: 1})
	defer down.Close()
	logs := &labtest.LogBuffer{}
	svc := demo.NewPostService(env.Stores.PG, down, demo.Options{Schema: env.Info.Postgres.Schema,
		KeyPrefix: env.Info.Redis.KeyPrefix, Logger: slogTo(logs)})
	ctx := context.Background()
	res, err := svc.CreatePost(ctx, demo.NewPost{AuthorID: "alice", Title: "written while Redis is down"})
	if err != nil {
		t.Fatalf("CreatePost failed although PostgreSQL committed: %v", err)
	}
	if res.ProjectionErr == nil {
		t.Fatal("no projection error reported")
	}
	if !strings.Contains(logs.String(), res.Post.ID) || !strings.Contains(logs.String(), "WARN") {
		t.Fatalf("warning does not name the post: %q", logs.String())
	}
	// The row is there; the real feed (healthy Redis) is stale.
	healthy := env.Service(demo.Options{})
	sqlFeed, _ := healthy.GetFeedSQL(ctx, "alice", 0)
	feed, _ := healthy.GetFeed(ctx, "alice", 0)
	if len(sqlFeed) != 1 || len(feed) != 0 {
		t.Fatalf("want 1 row and a stale (empty) feed, got %d rows, %d items", len(sqlFeed), len(feed))
	}
}

func TestPostgresDownFailsAndWritesNothingToRedis(t *testing.T) {
	env := labtest.New(t)
	down, err := sql.Open("postgres", "postgres://x:y@"+deadAddr(t)+"/x?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	svc := demo.NewPostService(down, env.Stores.Redis, demo.Options{Schema: env.Info.Postgres.Schema,
		KeyPrefix: env.Info.Redis.KeyPrefix, Logger: slogTo(&labtest.LogBuffer{})})
	_, err = svc.CreatePost(context.Background(), demo.NewPost{AuthorID: "alice", Title: "never stored"})
	if err == nil || demo.IsInvalidInput(err) {
		t.Fatalf("want a store error, got %v", err)
	}
	if n, _ := env.Stores.Redis.ZCard(context.Background(), env.Info.Redis.KeyPrefix+"feed:alice").Result(); n != 0 {
		t.Fatalf("Redis got %d members although PostgreSQL failed", n)
	}
}
