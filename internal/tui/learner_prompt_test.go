package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"cqrslab/demo/lab"
	"cqrslab/internal/progress"
	"cqrslab/internal/tui/ui"
)

// newNamedQuizApp is the app as the CLI runs it (AskLearner on), at 80×24,
// with its state in dir.
func newNamedQuizApp(t *testing.T, dir string) *App {
	t.Helper()
	t.Setenv("CQRSLAB_STATE_DIR", t.TempDir())
	t.Setenv("NO_COLOR", "1")
	a := NewApp(ui.Config{Theme: ui.ThemeDark, NoAnimation: true, StateDir: dir, AskLearner: true,
		Lab: lab.Options{Provider: "none-in-unit-tests"}})
	a.sh.Now = fixedNow
	send(t, a, tea.WindowSizeMsg{Width: 80, Height: 24})
	send(t, a, ui.LoadAppProgress(dir)())
	openQuiz(t, a)
	return a
}

// TestLearnerNamePromptOnFirstQuizStart: the first start of the quiz asks
// the learner's name (for a class's merged exports), refuses an empty one
// with a line saying what to do, stores the name in the progress file, and
// does not ask again; esc skips it.
func TestLearnerNamePromptOnFirstQuizStart(t *testing.T) {
	dir := t.TempDir()
	a := newNamedQuizApp(t, dir)
	out := plain(a)
	wantIn(t, out, "What is your name?", "enter save name", "esc skip")
	fits(t, out, 80, 24)

	pressKeys(t, a, "enter")
	wantIn(t, plain(a), "Type a name, or press esc to skip.")
	send(t, a, tea.PasteMsg{Content: "  Ada Lovelace "})
	pressKeys(t, a, "enter")
	if a.sh.Prog.Learner != "Ada Lovelace" {
		t.Fatalf("learner %q after enter", a.sh.Prog.Learner)
	}
	wantIn(t, plain(a), "Question 1 of", "Thanks, Ada Lovelace")
	if _, p, _ := progress.Open(dir); p.Learner != "Ada Lovelace" {
		t.Errorf("progress file has learner %q", p.Learner)
	}

	again := newNamedQuizApp(t, dir)
	wantNotIn(t, plain(again), "What is your name?")

	skipper := newNamedQuizApp(t, t.TempDir())
	pressKeys(t, skipper, "esc")
	out = plain(skipper)
	wantIn(t, out, "Question 1 of", "quiz export --learner NAME")
	wantNotIn(t, out, "What is your name?")
	if skipper.sh.Prog.Learner != "" {
		t.Errorf("skipping stored learner %q", skipper.sh.Prog.Learner)
	}
}
