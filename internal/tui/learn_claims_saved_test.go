package tui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"cqrslab/demo"
	"cqrslab/demo/experiment"
	"cqrslab/internal/progress"
	"cqrslab/internal/tui/learnscreen"
	"cqrslab/internal/tui/ui"
)

// A claim met in one session is in the progress file and on the claims
// page of the next session, marked as met earlier, with its numbers.
func TestClaimsComeBackNextSession(t *testing.T) {
	dir := t.TempDir()
	a := newTestAppIn(t, dir, 100, 30, ui.Config{Theme: ui.ThemeDark})
	pressKeys(t, a, "1")
	settle(t, a, a.learn.Update(learnscreen.ClaimsDemoMsg{Race: demo.ReadRace{Rounds: 50, Items: 20, RedisMs: 0.21, SQLMs: 0.8, Ratio: 3.8}}))
	_, prog, _ := progress.Open(dir)
	if e := prog.Claims(ui.LessonID)["e"]; !strings.Contains(e.Evidence, "3.8× faster") {
		t.Fatalf("claim e not in the progress file after the read race: %+v", e)
	}

	b := newTestAppIn(t, dir, 100, 30, ui.Config{Theme: ui.ThemeDark})
	pressKeys(t, b, "1")
	settle(t, b, b.learn.SetPage(b.learn.PageIndex(learnscreen.ClaimsPage)))
	page := strings.Join(strings.Fields(ansi.Strip(b.learn.PageText())), " ")
	for _, w := range []string{"(e) reads are faster from Redis than from the SQL join: 50 rounds on your lab",
		"3.8× faster (measured", "1 of 7 shown on your lab, 1 of them in an earlier session", "○ (a) PostgreSQL commits first: not shown yet"} {
		if !strings.Contains(page, w) {
			t.Errorf("the next session's claims page lacks %q:\n%s", w, page)
		}
	}

	// Claim g's numbers come back on the budgeted page too.
	at := time.Date(2026, 11, 30, 10, 2, 0, 0, time.UTC)
	b.sh.Prog.MeetClaim(ui.LessonID, "g", "seed p99 721 ms, budgeted p99 21.4 ms", at)
	settle(t, b, b.learn.SetPage(b.learn.PageIndex(learnscreen.SpikePage)))
	page = strings.Join(strings.Fields(ansi.Strip(b.learn.PageText())), " ")
	if w := "Your last measurement (measured 30 Nov 10:02 UTC): seed p99 721 ms, budgeted p99 21.4 ms."; !strings.Contains(page, w) {
		t.Errorf("the budgeted page lacks %q:\n%s", w, page)
	}
}

// claimsSavedApp is the claims page of a learner who met three claims in
// an earlier session, scrolled to the checklist.
func claimsSavedApp(t *testing.T, w, h int, th ui.Theme) *App {
	a := newTestApp(t, w, h, th)
	at := time.Date(2026, 11, 30, 10, 2, 0, 0, time.UTC)
	a.sh.Prog.MeetClaim(ui.LessonID, "a", "the INSERT committed in 2.10ms and the panels showed the post in PostgreSQL, not yet in Redis", at)
	a.sh.Prog.MeetClaim(ui.LessonID, "e", "50 rounds on your lab, 20 items each: GetFeed median 0.21 ms, SQL join 0.80 ms, 3.8× faster", at)
	a.sh.Prog.MeetClaim(ui.LessonID, "g", "Little's law 25 in flight against a pool of 20; seed p99 721 ms, up to 340 in flight, 3 pool timeouts, feed behind up to 40 ms; budgeted p99 21.4 ms, up to 12 in flight, 0 pool timeouts, feed behind up to 155 ms", at)
	pressKeys(t, a, "1")
	settle(t, a, a.learn.SetPage(a.learn.PageIndex(learnscreen.ClaimsPage)))
	pressKeys(t, a, "G")
	return a
}

// budgetMeasuredApp is the budgeted page with the learner's terminal run of
// the latency-spike experiment saved, scrolled to "On your machine".
// GOMAXPROCS is set to 2, so the pool before the lab starts (go-redis's
// default, 10 per GOMAXPROCS) is 20 on any machine.
func budgetMeasuredApp(t *testing.T, w, h int, th ui.Theme) *App {
	procs := runtime.GOMAXPROCS(2)
	t.Cleanup(func() { runtime.GOMAXPROCS(procs) })
	a := newTestApp(t, w, h, th)
	mk := func(policy string, p50, p99 float64, inFlight int64, timeouts uint32, stale float64) *experiment.Report {
		r := &experiment.Report{Scenario: "latency-spike", Policy: policy, Status: "passed"}
		r.Rate.Target, r.Rate.Achieved = 500, 498.5
		r.FaultLatency.P50, r.FaultLatency.P99 = p50, p99
		r.Redis.PoolTimeouts, r.Consistency.StaleWindowMs = timeouts, stale
		r.Series = []experiment.Second{{InFlight: inFlight}}
		return r
	}
	b, _ := json.Marshal([]*experiment.Report{mk("seed", 457, 721, 340, 3, 40), mk("budgeted", 3.2, 21.4, 12, 0, 155)})
	if err := os.WriteFile(filepath.Join(a.sh.Cfg.StateDir, learnscreen.ExperimentsFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	pressKeys(t, a, "1")
	settle(t, a, a.learn.SetPage(a.learn.PageIndex(learnscreen.SpikePage)))
	pressKeys(t, a, "G")
	return a
}

func TestGoldenLearnClaimsSaved(t *testing.T) {
	forEachGolden(t, "learn-claims-saved", claimsSavedApp)
}

func TestGoldenLearnBudgetMeasured(t *testing.T) {
	forEachGolden(t, "learn-budget-measured", budgetMeasuredApp)
}
