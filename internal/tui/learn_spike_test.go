package tui

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"cqrslab/internal/progress"
	"cqrslab/internal/tui/learnscreen"
	"cqrslab/internal/tui/ui"
)

// TestLearnMeasuresTheSpike runs claim (g) from Learn on a real lab: x on
// the budgeted page measures the latency spike under seed and budgeted,
// the page then shows that run's numbers beside Little's law, the claim is
// met and saved in the progress file, and no fault is left active. A
// second x is cancelled with esc: it stops, heals, and keeps nothing.
func TestLearnMeasuresTheSpike(t *testing.T) {
	a, d, _ := openRealLab(t, ui.Config{Lesson: testLesson(t)}, "CreatePost is paused before validate", "1", "enter")
	d.send(a.learn.SetPage(a.learn.PageIndex(learnscreen.SpikePage)))
	d.waitFor("x measure the spike", 5*time.Second)

	began := time.Now()
	d.press("x")
	out := d.waitFor("latency spike running", 5*time.Second)
	wantIn(t, out, "esc cancels")
	for !strings.Contains(ansi.Strip(a.render()), "Measured: the numbers are under") {
		if time.Since(began) > 3*time.Minute {
			t.Fatalf("no result after 3 minutes:\n%s", ansi.Strip(a.render()))
		}
		d.idle(200 * time.Millisecond)
		if s := ansi.Strip(a.render()); strings.Contains(s, "The measurement failed") {
			t.Fatalf("the measurement failed:\n%s", s)
		}
	}
	t.Logf("x → result in %v", time.Since(began).Round(time.Millisecond))
	// The lab's own list, not the screen's copy (which the next frame's
	// fault event brings, a moment after the screen says the run ended).
	if f := a.sh.Session.Lab.ActiveFaults(); len(f) != 0 {
		t.Errorf("faults left active after the spike: %v", f)
	}
	d.press("G")
	out = ansi.Strip(a.render())
	text := strings.Join(strings.Fields(out), " ")
	for _, w := range []string{"Measured on your lab by x at", "seed: writes during the spike", "budgeted: writes during the spike"} {
		if !strings.Contains(text, w) && !strings.Contains(allText(t, a), w) {
			t.Errorf("the page lacks %q:\n%s", w, out)
		}
	}
	// The words follow the numbers: the seed's p99 decides "queued" or not.
	page := allText(t, a)
	m := regexp.MustCompile(`seed\*?\*?: writes during the spike p50 [0-9.]+ ms, p99 ([0-9.]+) ms`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no seed p99 in the page:\n%s", page)
	}
	p99, _ := strconv.ParseFloat(m[1], 64)
	t.Logf("seed p99 during the spike: %v ms", p99)
	if p99 > 100 && !strings.Contains(page, "Writes queued") {
		t.Errorf("seed p99 %v ms > twice the 50 ms added, yet the page does not say writes queued:\n%s", p99, page)
	}
	_, prog, _ := progress.Open(a.sh.Cfg.StateDir)
	if g := prog.Claims(ui.LessonID)["g"]; !strings.Contains(g.Evidence, "seed p99") || g.At.IsZero() {
		t.Errorf("claim g not saved in the progress file: %+v", g)
	}

	// Cancel a second run with esc: it heals and keeps the first run's numbers.
	d.press("x")
	d.waitFor("latency spike running", 5*time.Second)
	time.Sleep(1500 * time.Millisecond) // into the load, the fault about to be injected
	d.press("esc")
	d.waitFor("Cancelled: nothing measured kept", time.Minute)
	if f := a.sh.Session.Lab.ActiveFaults(); len(f) != 0 {
		t.Errorf("faults left active after cancelling: %v", f)
	}
	if a.active != ui.ScreenLearn {
		t.Errorf("esc during the measurement left the Learn screen")
	}
}

// allText is the Learn page's whole text, scrolled or not, one space
// between words.
func allText(t *testing.T, a *App) string {
	t.Helper()
	return strings.Join(strings.Fields(ansi.Strip(a.learn.PageText())), " ")
}
