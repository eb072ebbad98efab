package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"cqrslab/demo"
	"cqrslab/internal/tui/ui"
)

// TestLabTraceShowsExternalWrites writes to the Lab's stores from other
// clients (a second engine with its own connections, as `cqrslab post` in
// another terminal; a plain INSERT, as psql; a plain ZADD, as redis-cli)
// and checks that the trace shows each marked external, while the
// engine's own writes (the form, and a CreatePost on the Lab's service)
// are not.
func TestLabTraceShowsExternalWrites(t *testing.T) {
	a, d, _ := openRealLab(t, ui.Config{Lesson: testLesson(t)}, "No drift", "2")
	d.press("2") // the Trace pane
	d.waitFor("Trace · last writes", 5*time.Second)
	d.idle(1500 * time.Millisecond) // the first look: what is there is history

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// The engine's own writes: one from the form, one on the Lab's service.
	d.press("n", "enter")
	d.waitFor("written to PostgreSQL and Redis", 20*time.Second)
	if _, err := a.labs.Svc.CreatePost(ctx, demo.NewPost{ID: "own-svc-1", AuthorID: "bob", Title: "mine"}); err != nil {
		t.Fatalf("own write: %v", err)
	}

	// Another cqrslab: its own connections and engine.
	other, err := demo.Connect(ctx, a.sh.Session.Info)
	if err != nil {
		t.Fatalf("second client: %v", err)
	}
	defer other.Close()
	if _, err := other.Service(demo.Options{}).CreatePost(ctx, demo.NewPost{ID: "ext-cli-1", AuthorID: "carol", Title: "from another terminal"}); err != nil {
		t.Fatalf("second client's post: %v", err)
	}
	// psql: a row only.
	if _, err := other.PG.ExecContext(ctx, "INSERT INTO posts(id, author_id, title, published_at) VALUES ('ext-psql-1', 'dave', 'by hand', now())"); err != nil {
		t.Fatalf("psql-style insert: %v", err)
	}
	// redis-cli: a member only, not a feed item.
	rc := redis.NewClient(&redis.Options{Addr: a.sh.Session.Info.Redis.Direct().Addr, Password: a.sh.Session.Info.Redis.Password})
	defer rc.Close()
	if err := rc.ZAdd(ctx, "feed:alice", redis.Z{Score: float64(time.Now().UnixMilli()), Member: "zadd-by-hand"}).Err(); err != nil {
		t.Fatalf("redis-cli-style ZADD: %v", err)
	}

	out := d.waitFor("member zadd-b", 10*time.Second)
	out = d.waitFor("ext-psql-1", 5*time.Second)
	lines := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		for _, id := range []string{"ext-cli-1", "ext-psql-1", "member zadd-b", "own-svc-1"} {
			if strings.HasPrefix(strings.TrimSpace(l), id) {
				lines[id] = l
			}
		}
	}
	t.Logf("trace:\n%s", out)
	for id, want := range map[string]string{"ext-cli-1": "⇄ external: PostgreSQL + Redis",
		"ext-psql-1": "⇄ external: PostgreSQL only", "member zadd-b": "⇄ external: Redis only"} {
		if !strings.Contains(lines[id], want) {
			t.Errorf("%s: want a line with %q, got %q", id, want, lines[id])
		}
	}
	if l, ok := lines["own-svc-1"]; !ok || strings.Contains(l, "external") {
		t.Errorf("the engine's own write should be in the trace and not external: %q", l)
	}
	if n := strings.Count(out, "⇄ external:"); n != 3 {
		t.Errorf("want exactly 3 external lines (the form's post is the engine's), got %d", n)
	}
}
