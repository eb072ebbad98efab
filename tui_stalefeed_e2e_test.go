package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"cqrslab/internal/labtest"
)

// TestTUIStaleFeedMomentInTmux is the lesson's central moment as a learner
// meets it in a real terminal, at the smallest supported size and a common
// one: Redis broken before the ZADD, CreatePost still succeeds, the seed's
// WARN line on screen, and after the heal a GetFeed that succeeds without
// the post. (TestStaleFeedMomentTenOfTen in internal/tui repeats it ten
// times against the 1 s bound; here the screen is what counts.)
func TestTUIStaleFeedMomentInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a lab in a terminal")
	}
	args := tuiInfraArgs(t)
	for _, size := range [][2]int{{80, 24}, {100, 30}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			tt := startTUI(t, size[0], size[1], args...)
			tt.waitFor("Your progress", 15*time.Second)
			tt.keys("Enter")
			tt.waitFor("Learn", 5*time.Second)
			tt.keys("Enter")
			s := tt.waitFor("", time.Second)
			for deadline := time.Now().Add(3 * time.Minute); !strings.Contains(s, "paused before validate"); s = tt.screen() {
				if strings.Contains(s, "could not start") {
					labtest.Unavailable(t, "the lab did not start:\n%s", s)
				}
				if time.Now().After(deadline) {
					t.Fatalf("the walk did not begin within 3 minutes:\n%s", s)
				}
				time.Sleep(200 * time.Millisecond)
			}
			tt.keys("Enter")
			tt.waitFor("Paused before postgres.insert", 15*time.Second)
			tt.keys("Enter")
			tt.waitFor("Paused before encode", 15*time.Second)
			tt.keys("Enter")
			tt.waitFor("Paused before redis.zadd", 15*time.Second)
			tt.keys("f")
			tt.waitFor("Redis DOWN", 10*time.Second)
			tt.keys("Enter")
			s = tt.waitFor("log WARN: redis projection update failed for post", 30*time.Second)
			tt.keys("Enter")
			tt.waitFor("h heals Redis", 30*time.Second)
			sent := time.Now()
			tt.keys("h")
			s = tt.waitFor("GetFeed succeeds, post missing", 10*time.Second)
			t.Logf("h sent → stale-feed moment on the tmux screen in %v (includes tmux's key and capture round trips)", time.Since(sent))
			if !strings.Contains(s, "log WARN: redis projection update failed for post") {
				t.Errorf("after the heal the seed's WARN line left the screen:\n%s", s)
			}
			tt.keys("q")
			if code := tt.waitExit(2 * time.Minute); code != 0 {
				t.Errorf("exit status %d", code)
			}
		})
	}
}
