package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"cqrslab/internal/progress"
	"cqrslab/internal/tui/quizscreen"
	"cqrslab/internal/tui/ui"
)

// The quiz is a screen like the others: ? lists its keys (where no text
// field has them), q quits outside typing, and while typing the help bar
// says how to leave and ctrl+c still quits.
func TestQuizIsAScreenWithFullHelpAndTheAppsKeys(t *testing.T) {
	q := newTestQuiz(t, t.TempDir())
	if !q.a.screen().Typing() {
		t.Fatal("the answer box of a written question should have the keys")
	}
	wantIn(t, screen(q), "esc home (then q quits)", "ctrl+c quit")
	run(q, "q", "?")
	if q.Ta.Value() != "q?" || q.a.showHelp {
		t.Fatalf("q and ? should be text while typing: value %q, help shown %v", q.Ta.Value(), q.a.showHelp)
	}
	_, cmd := q.a.Update(keypress("ctrl+c"))
	if !quits(cmd) {
		t.Fatal("ctrl+c does not quit while typing")
	}

	q = newTestQuiz(t, t.TempDir())
	run(q, "tab") // a choice question: nothing is typed
	run(q, "?")
	out := screen(q)
	wantIn(t, out, "All keys", "Answering", "After an answer", "Review", "try again, with the hints beside the answer",
		"reset a question / the whole quiz", "Everywhere", "?/esc close")
	fits(t, out, 80, 24)
	run(q, "esc")
	wantIn(t, screen(q), "Question 2 of 17", "? all keys", "q quit")
	_, cmd = q.a.Update(keypress("q"))
	if !quits(cmd) {
		t.Fatal("q does not quit from a choice question")
	}
}

// On retry the grade's hints stay in view beside the editor (wide) or above
// it (narrow), and the screen still fits.
func TestQuizRetryKeepsHintsBesideTheEditor(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {100, 30}, {120, 40}, {60, 16}} {
		q := newTestQuiz(t, t.TempDir())
		q.resize(size[0], size[1])
		typeText(q, "Postgres, Redis, source of truth, projection, stale")
		run(q, "ctrl+s")
		if q.Mode != quizscreen.ModeFeedback || len(q.Result.Missed) == 0 {
			t.Fatalf("%v: the list of terms should be graded with missed points", size)
		}
		hint := q.Result.Missed[0].Hint
		run(q, "r")
		out := screen(q)
		if q.Mode != quizscreen.ModeAnswer {
			t.Fatalf("%v: r did not open the editor", size)
		}
		wantIn(t, out, "Hints from your last try", "source of truth")
		if size[1] >= 24 {
			wantIn(t, out, strings.Fields(hint)[0])
		}
		fits(t, out, size[0], size[1])
		if beside := size[0] >= 100; q.HintsBeside != beside {
			t.Errorf("%v: hints beside the editor %v, want %v", size, q.HintsBeside, beside)
		}
		// Submitting again shows the new grade; the hints of the old one go.
		run(q, "ctrl+s")
		if q.Retry != nil || q.HintLines != nil {
			t.Errorf("%v: the old hints outlive the new grade", size)
		}
	}
}

// One progress record for the whole app: the lesson's place and the quiz's
// answers land in the same file, neither overwriting the other, in the
// app's state directory.
func TestQuizAndLessonShareOneProgressRecord(t *testing.T) {
	dir := t.TempDir()
	q := newTestQuiz(t, dir)
	if q.Sh.Prog != q.a.sh.Prog {
		t.Fatal("the quiz holds a progress record of its own")
	}
	typeText(q, "Writes go to PostgreSQL and reads come from Redis.")
	run(q, "ctrl+s", "esc", "1", "n", "esc", "3")
	if q.a.active != ui.ScreenQuiz {
		t.Fatal("3 did not reopen the quiz")
	}
	_, p, _ := progress.Open(dir)
	if _, _, n := p.Best("explain-sync-cqrs"); n != 1 {
		t.Errorf("the quiz answer is not on disk (attempts %d)", n)
	}
	if p.Lessons[ui.LessonID].Step != 1 {
		t.Errorf("the lesson's place is not on disk: %+v", p.Lessons)
	}
}

// The quiz is drawn in the app's theme: the projector theme's colours
// differ from the dark theme's, where the quiz once drew its own.
func TestGoldenQuizThemes(t *testing.T) {
	got := map[ui.Theme]string{}
	for _, th := range []ui.Theme{ui.ThemeDark, ui.ThemeHighContrast} {
		a := quizApp(t, 80, 24, th)
		send(t, a, tea.PasteMsg{Content: "Postgres, Redis, source of truth, projection, stale"})
		send(t, a, keypress("ctrl+s"))
		got[th] = a.render()
		golden(t, "quiz-feedback-colour-80x24-"+string(th), got[th])
	}
	if got[ui.ThemeDark] == got[ui.ThemeHighContrast] {
		t.Error("the quiz looks the same in the dark and high-contrast themes")
	}
}
