package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"cqrslab/demo/lab"
	"cqrslab/internal/labtest"
)

// TestTUIChapterTwoInTmux walks chapter two as a learner does, at 100×30:
// from the chapter's first page enter starts the replicated lab, post A
// lands on the primary and both replicas, the primary is cut off and post
// B written to it (acknowledged), the Sentinels promote a replica, the
// heal makes the old primary a replica that drops B: "acknowledged, then
// gone", PostgreSQL has B, GetFeed does not; the reconciler puts it back.
// esc leaves and removes the lab; nothing of it may be left.
func TestTUIChapterTwoInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an ha lab in a terminal")
	}
	labtest.DockerOnly(t, labtest.Ready(t), "topology ha")
	tt := startTUI(t, 100, 30, tuiInfraArgs(t)...)
	tt.waitFor("Your progress", 15*time.Second)
	tt.keys("Enter")
	tt.waitFor("Learn", 5*time.Second)
	s := tt.screen()
	for i := 0; i < 40 && !strings.Contains(s, "Past one server"); i++ {
		tt.keys("n")
		s = tt.screen()
	}
	tt.waitFor("start the ha lab", 5*time.Second)
	tt.keys("Enter")
	s = tt.waitFor("", time.Second)
	for deadline := time.Now().Add(3 * time.Minute); !strings.Contains(s, "step 1 of 6"); s = tt.screen() {
		if strings.Contains(s, "could not start") {
			labtest.Unavailable(t, "the ha lab did not start:\n%s", s)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the ha lab was not up within 3 minutes:\n%s", s)
		}
		time.Sleep(200 * time.Millisecond)
	}
	runID := tt.runID()
	pid := tt.pid()
	tt.keys("Enter")
	s = tt.waitFor("step 2 of 6", 30*time.Second)
	if !strings.Contains(s, "A: on the primary and on both replicas") || !strings.HasSuffix(lineWith(s, "PostgreSQL (alice's posts)"), "✓") {
		t.Errorf("post A is not shown on every node and in PostgreSQL:\n%s", s)
	}
	tt.keys("Enter")
	s = tt.waitFor("step 4 of 6 · a replica was promoted", 60*time.Second)
	if !strings.Contains(s, "B: only on the cut-off primary") || !strings.Contains(s, "cut off") {
		t.Errorf("post B is not shown on the cut-off primary alone:\n%s", s)
	}
	tt.keys("Enter")
	s = tt.waitFor("step 5 of 6 · acknowledged, then gone", 90*time.Second)
	for _, want := range []string{"ACKNOWLEDGED, THEN GONE", "CreatePost(B): success", "no error"} {
		if !strings.Contains(s, want) {
			t.Errorf("the moment lacks %q:\n%s", want, s)
		}
	}
	// A and B in PostgreSQL; the app's GetFeed has A and not B.
	if pg, gf := lineWith(s, "PostgreSQL (alice's posts)"), lineWith(s, `GetFeed("alice")`); !strings.HasSuffix(pg, "✓ ✓") || !strings.HasSuffix(gf, "✓ ·") {
		t.Errorf("PostgreSQL %q, GetFeed %q: want both posts in PostgreSQL and only A in the feed", pg, gf)
	}
	tt.keys("r")
	s = tt.waitFor("REPAIRED: the reconciler added B back", 60*time.Second)
	if gf := lineWith(s, `GetFeed("alice")`); !strings.HasSuffix(gf, "✓ ✓") {
		t.Errorf("after the repair GetFeed shows %q, want both posts", gf)
	}
	tt.keys("Escape")
	tt.waitFor("lab off", 2*time.Minute)
	tt.keys("q")
	if code := tt.waitExit(2 * time.Minute); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if runID == "" {
		t.Fatal("the ha lab left no record to check its teardown by")
	}
	if c, p := leftovers(t, runID, pid); c != 0 || p != 0 {
		t.Errorf("after esc and q: %d containers, %d processes of run %s left", c, p, runID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if n, err := lab.CountNetworks(ctx, runID); err != nil || n != 0 {
		t.Errorf("after esc and q: %d networks of run %s left (%v)", n, runID, err)
	}
}

// lineWith is the screen's line that contains want, trimmed ("" if none).
func lineWith(screen, want string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, want) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}
