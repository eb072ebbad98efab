package tui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"cqrslab/internal/tui/ui"
)

// TestStaleFeedMomentTenOfTen is the lesson's moment, ten times in a row on
// a real lab, as a learner reaches it in Learn: CreatePost paused before the
// ZADD, f breaks Redis, enter runs the ZADD (it fails, CreatePost succeeds,
// the seed's WARN line shows), h heals; then within a second of the heal the
// screen must say the post is in PostgreSQL and GetFeed succeeded without
// it. The heal → fresh GetFeed times are logged for the note.
func TestStaleFeedMomentTenOfTen(t *testing.T) {
	// The binary's own lesson: the moment as a learner meets it.
	a, d, _ := openRealLab(t, ui.Config{}, "CreatePost is paused before validate", "1", "enter")
	var took []time.Duration
	for try := range 10 {
		if try > 0 {
			d.press("enter")
			d.waitFor("paused before validate", 10*time.Second)
		}
		d.press("enter")
		d.waitFor("Paused before postgres.insert", 10*time.Second)
		d.press("enter")
		d.waitFor("Paused before encode", 10*time.Second)
		d.press("enter")
		d.waitFor("Paused before redis.zadd", 10*time.Second)
		d.press("f")
		d.waitFor("Redis DOWN", 10*time.Second)
		d.press("enter")
		d.waitFor("Paused before done", 30*time.Second)
		// "log WARN: …" is the line as logged (the code view shows the
		// Printf that makes it).
		out := d.waitFor("log WARN: redis projection update failed for post", 5*time.Second)
		wantIn(t, out, "redis.zadd failed")
		d.press("enter")
		d.waitFor("the feed is stale. h heals Redis", 30*time.Second)
		d.send(keypress("h"))
		d.waitFor("Redis is back", 10*time.Second)
		healed := a.learn.HealedAt()
		out = d.waitFor("GetFeed succeeds, post missing", 5*time.Second)
		seen := time.Since(healed)
		if seen > time.Second {
			t.Errorf("try %d: the stale-feed moment showed %v after the heal, want within 1s", try, seen)
		}
		if !strings.Contains(out, "log WARN: redis projection update failed for post") {
			t.Errorf("try %d: the seed's WARN line left the screen:\n%s", try, out)
		}
		took = append(took, seen)
		d.press("r")
		d.waitFor("Reconciler: before", 30*time.Second)
	}
	if c := a.learn.Claims(); c[1].Evidence == "" || c[0].Evidence == "" || c[3].Evidence == "" {
		t.Errorf("claims (a), (b) and (d) were shown ten times yet not ticked: %+v", c)
	}
	t.Logf("heal → stale-feed moment on screen (post in PostgreSQL, GetFeed succeeded, post missing), 10 tries: %v (max %v)", took, slices.Max(took))
}
