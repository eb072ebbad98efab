package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"cqrslab/demo/lab"
	"cqrslab/internal/progress"
	"cqrslab/internal/tui/quizscreen"
	"cqrslab/internal/tui/ui"
	"cqrslab/quiz"
)

// quizHarness is the quiz screen inside the app, as the program runs it:
// keys go through the root, the screen is the root's (help bar included).
type quizHarness struct {
	*quizscreen.Quiz
	a *App
	t *testing.T
}

// newTestQuiz opens the quiz from Home the way a learner does, with the
// app's state directory at dir (and CQRSLAB_STATE_DIR somewhere else, so
// reading the global directory would show), at 80×24 with no colour.
func newTestQuiz(t *testing.T, dir string) *quizHarness {
	t.Helper()
	t.Setenv("CQRSLAB_STATE_DIR", t.TempDir())
	t.Setenv("NO_COLOR", "1")
	a := NewApp(ui.Config{Theme: ui.ThemeDark, NoAnimation: true, StateDir: dir, Lab: lab.Options{Provider: "none-in-unit-tests"}, Lesson: testLesson(t)})
	a.sh.Now = fixedNow
	send(t, a, tea.WindowSizeMsg{Width: 80, Height: 24})
	send(t, a, ui.LoadAppProgress(dir)()) // read now: settle would give up on a slow disk
	openQuiz(t, a)
	q := a.quiz
	// NoAnimation above keeps the cursor still (a blinking cursor's command
	// sleeps half a second, and tests run every command they get).
	if q.Ta.Styles().Cursor.Blink || q.Num.Styles().Cursor.Blink {
		t.Fatal("the cursor blinks under --no-animation")
	}
	return &quizHarness{Quiz: q, a: a, t: t}
}

// openQuiz presses 3 on Home. settle gives a command 300 ms; on a busy
// machine the quiz's load can take longer, and then the test does what
// the runtime would have done: wait for the load and deliver it.
func openQuiz(t *testing.T, a *App) {
	t.Helper()
	pressKeys(t, a, "3")
	if a.quiz == nil && a.home.Note == "Opening the quiz…" {
		send(t, a, quizscreen.LoadQuiz(a.sh.Cfg.StateDir, a.sh.Prog == nil)())
	}
	if a.active != ui.ScreenQuiz || a.quiz == nil {
		t.Fatalf("key 3 on Home did not open the quiz: %s", plain(a))
	}
}

// run sends keys through the root and runs the commands they return
// (saves included), the way the Bubble Tea runtime would, so state on disk
// follows.
func run(q *quizHarness, keys ...string) {
	q.t.Helper()
	pressKeys(q.t, q.a, keys...)
}

func typeText(q *quizHarness, s string) { send(q.t, q.a, tea.PasteMsg{Content: s}) }

// move goes to question i as the quiz's own keys do, and lets the root lay
// out again (the help bar's height follows the mode).
func (q *quizHarness) move(i int) {
	settle(q.t, q.a, q.Quiz.Move(i))
	q.a.layout()
}

// resize is the terminal changing size.
func (q *quizHarness) resize(w, h int) { send(q.t, q.a, tea.WindowSizeMsg{Width: w, Height: h}) }

// View is the whole screen, as the root draws it.
func (q *quizHarness) View() string { return q.a.render() }

func screen(q *quizHarness) string { return ansi.Strip(q.View()) }

func TestQuizFirstScreen(t *testing.T) {
	q := newTestQuiz(t, t.TempDir())
	out := screen(q)
	wantIn(t, out,
		"Question 1 of 17", "prompt 1 of 4: Explain synchronous CQRS", "not answered yet",
		"In one paragraph, explain synchronous CQRS",
		"ctrl+s submit", "tab next question", "esc home (then q quits)", "ctrl+c quit",
	)
	fits(t, out, 80, 24)
}

func TestQuizAnswerFeedbackRetryReveal(t *testing.T) {
	dir := t.TempDir()
	q := newTestQuiz(t, dir)
	run(q, "ctrl+s")
	wantIn(t, screen(q), "Write an answer first.")

	typeText(q, "Postgres, Redis, source of truth, projection, stale")
	run(q, "ctrl+s")
	out := screen(q)
	wantIn(t, out, "not passed yet", "reads as a list of terms", "r try again", "a show full answer")
	if strings.Contains(out, "A model answer") {
		t.Error("the model answer shows before it is asked for")
	}
	body := q.FeedbackText()
	if !strings.Contains(body, "Hint:") || strings.Contains(body, "Redis is updated in the same request") {
		t.Errorf("missed points should show hints, not the answer:\n%s", ansi.Strip(body))
	}

	run(q, "r")
	if q.Mode != quizscreen.ModeAnswer || !strings.Contains(q.Ta.Value(), "source of truth") {
		t.Fatalf("retry should return to the answer with the last text: mode %v, %q", q.Mode, q.Ta.Value())
	}
	q.Ta.SetValue("")
	typeText(q, "Every write goes to PostgreSQL, the source of truth. In the same request, right after the commit, "+
		"the post is added to a sorted set in Redis. Reads come from Redis only, so the feed is fast with no joins. "+
		"If the Redis write fails the feed is stale until it is rebuilt from PostgreSQL.")
	run(q, "ctrl+s")
	wantIn(t, screen(q), "passed", "Found:", "you wrote:")

	run(q, "a")
	q.Body.GotoBottom()
	wantIn(t, screen(q), "A model answer")
	if !q.Sh.Prog.Revealed("explain-sync-cqrs") {
		t.Error("the reveal was not recorded")
	}
	_, p, _ := progress.Open(dir)
	if best, passed, n := p.Best("explain-sync-cqrs"); n != 2 || !passed || best < 0.6 {
		t.Errorf("on disk: best %v passed %v attempts %d", best, passed, n)
	}
}

func TestQuizChoiceAndOrdering(t *testing.T) {
	q := newTestQuiz(t, t.TempDir())
	run(q, "tab")
	out := screen(q)
	wantIn(t, out, "Question 2 of 17", "> a) PostgreSQL", "enter submit", "a–d choose")
	run(q, "b", "enter")
	wantIn(t, screen(q), "Not right yet.", "To rethink", "you chose b")
	run(q, "r", "up", "enter")
	wantIn(t, screen(q), "Right.")

	run(q, "n", "tab", "tab", "tab")
	wantIn(t, screen(q), "Question 6 of 17", "Put the steps of CreatePost in the order", "space pick up/put down")
	// Shown: zadd return insert warn build-item pg-error; right: insert pg-error build-item zadd warn return.
	want := []string{"insert", "pg-error", "build-item", "zadd", "warn", "return"}
	for target, id := range want {
		from := indexOf(q.Order, id)
		for range 10 {
			if q.Cursor < from {
				run(q, "down")
			} else if q.Cursor > from {
				run(q, "up")
			}
		}
		run(q, "space")
		for range 10 {
			if q.Cursor > target {
				run(q, "up")
			}
		}
		run(q, "space")
	}
	if strings.Join(q.Order, " ") != strings.Join(want, " ") {
		t.Fatalf("order = %v", q.Order)
	}
	run(q, "enter")
	wantIn(t, screen(q), "Score 1.00 of 1", "In place: 6 of 6 steps")
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func TestQuizNumericUsesExampleRunAndSaysSo(t *testing.T) {
	q := newTestQuiz(t, t.TempDir())
	q.move(indexQuestion(t, q, "lab-missing-before-repair"))
	wantIn(t, screen(q), "the recorded example run", "posts")
	run(q, "enter")
	wantIn(t, screen(q), "Write an answer first.")
	typeText(q, "lots")
	run(q, "enter")
	wantIn(t, screen(q), "answer with a number")
	q.Num.SetValue("604")
	run(q, "enter")
	wantIn(t, screen(q), "Right.", "Graded against the recorded example run")
}

func TestQuizUsesOwnLabRun(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, quiz.LabResultsFile), []byte(`{"scenario":"redis-paused","policy":"budgeted","writes":{"attempted":50,"acknowledged":50},"consistency":{"pg_rows":50,"missing_before_repair":7}}`), 0o600)
	q := newTestQuiz(t, dir)
	q.move(indexQuestion(t, q, "lab-missing-before-repair"))
	wantIn(t, screen(q), "your own lab run", "50 posts", "held 43 of them")
}

func indexQuestion(t *testing.T, q *quizHarness, id string) int {
	for i, bq := range q.Bank.Questions() {
		if bq.ID == id {
			return i
		}
	}
	t.Fatalf("no question %s", id)
	return 0
}

// TestQuizQuitAndResume is the promise of the issue: answer some, quit,
// start again, and carry on at the same question.
func TestQuizQuitAndResume(t *testing.T) {
	dir := t.TempDir()
	q := newTestQuiz(t, dir)
	typeText(q, "Writes go to PostgreSQL and reads come from Redis.")
	run(q, "ctrl+s", "n", "a", "enter", "n")
	if q.Idx != 2 {
		t.Fatalf("idx = %d, want 2", q.Idx)
	}

	again := newTestQuiz(t, dir)
	if again.Idx != 2 || again.Mode != quizscreen.ModeAnswer {
		t.Fatalf("resumed at %d in mode %v, want question 3 ready to answer", again.Idx, again.Mode)
	}
	wantIn(t, screen(again), "Welcome back: 2 of 17 questions answered; carrying on at question 3", "Question 3 of 17")

	run(again, "shift+tab")
	wantIn(t, screen(again), "Question 2 of 17", "Right.")
}

func TestQuizReviewAndReset(t *testing.T) {
	dir := t.TempDir()
	q := newTestQuiz(t, dir)
	typeText(q, "Writes go to PostgreSQL and reads come from Redis.")
	run(q, "ctrl+s", "v")
	out := screen(q)
	wantIn(t, out, "review of your answers", "1. Explain synchronous CQRS", "follow-ups passed 0/3", "x reset question", "esc back to question")
	wantIn(t, out, "~ 0.")

	run(q, "x")
	wantIn(t, screen(q), "Reset question 1 (Explain synchronous CQRS)? Its answers are forgotten. y/n")
	run(q, "n")
	if _, _, n := q.Sh.Prog.Best("explain-sync-cqrs"); n != 1 {
		t.Fatal("n reset anyway")
	}
	run(q, "x", "y")
	if _, _, n := q.Sh.Prog.Best("explain-sync-cqrs"); n != 0 {
		t.Fatal("y did not reset")
	}
	_, p, _ := progress.Open(dir)
	if _, _, n := p.Best("explain-sync-cqrs"); n != 0 {
		t.Error("the reset was not saved")
	}
	run(q, "down", "enter")
	wantIn(t, screen(q), "Question 2 of 17")
	run(q, "ctrl+r", "X", "y")
	wantIn(t, screen(q), "The whole quiz was reset.")
}

func TestQuizEndOfQuizOpensSummary(t *testing.T) {
	q := newTestQuiz(t, t.TempDir())
	q.move(len(q.Bank.Questions()) - 1)
	run(q, "tab")
	wantIn(t, screen(q), "You have reached the end of the quiz.")
}

func TestQuizEscGoesHomeAndKeepsDraft(t *testing.T) {
	q := newTestQuiz(t, t.TempDir())
	typeText(q, "half an answer")
	run(q, "esc")
	if q.a.active != ui.ScreenHome {
		t.Fatalf("esc should close the quiz, the screen is %v", q.a.active)
	}
	if q.Drafts["explain-sync-cqrs"] != "half an answer" {
		t.Errorf("draft lost: %q", q.Drafts)
	}
}

func TestQuizTypingLettersDoesNotTriggerKeys(t *testing.T) {
	q := newTestQuiz(t, t.TempDir())
	run(q, "v", "r", "a", "x", "n", "q")
	if q.Mode != quizscreen.ModeAnswer || q.Ta.Value() != "vraxnq" {
		t.Errorf("letters should go into the answer: mode %v value %q", q.Mode, q.Ta.Value())
	}
}

func TestQuizEscapeSequencesInAnswerAreShownNotObeyed(t *testing.T) {
	q := newTestQuiz(t, t.TempDir())
	typeText(q, "PostgreSQL is the source of truth \x1b]2;pwned\x07 and reads come from Redis.")
	run(q, "ctrl+s")
	if out := q.View(); strings.Contains(out, "\x1b]2;") {
		t.Error("an escape sequence from the answer reached the screen")
	}
}

func TestQuizResizeAndSmallWindow(t *testing.T) {
	dir := t.TempDir()
	q := newTestQuiz(t, dir)
	for _, size := range [][2]int{{60, 16}, {100, 30}, {80, 24}} {
		q.resize(size[0], size[1])
		fits(t, screen(q), size[0], size[1])
		typeText(q, "x")
	}
	run(q, "tab")
	for _, size := range [][2]int{{60, 16}, {80, 24}, {62, 17}} {
		q.resize(size[0], size[1])
		fits(t, screen(q), size[0], size[1])
	}
	// A short window with feedback and a notice showing: the question folds
	// to one line and the help bar stays whole.
	q.move(indexQuestion(t, q, "lab-lost-writes"))
	q.Notice = "Welcome back: a notice that takes two lines at this width, as the real one does when resuming."
	q.Num.SetValue("0")
	run(q, "enter")
	q.resize(62, 17)
	out := screen(q)
	fits(t, out, 62, 17)
	wantIn(t, out, "q quit", "Right.")
}

func TestQuizFeedbackFitsAt80x24(t *testing.T) {
	q := newTestQuiz(t, t.TempDir())
	typeText(q, "Redis is the source of truth and the two stores are written in one atomic transaction.")
	run(q, "ctrl+s")
	out := screen(q)
	fits(t, out, 80, 24)
	wantIn(t, out, "↑/↓ scroll", "↓ more below")
	run(q, "a")
	fits(t, screen(q), 80, 24)
	if lines := strings.Split(screen(q), "\n"); len(lines) != 24 || !strings.Contains(lines[23], "q quit") {
		t.Errorf("the help bar should sit on the last line of a 24-line screen:\n%s", screen(q))
	}
}

// TestQuizFeedbackUsesTheWholeScreen: after answering a list question, the
// feedback gets the room the list had.
func TestQuizFeedbackUsesTheWholeScreen(t *testing.T) {
	q := newTestQuiz(t, t.TempDir())
	q.move(indexQuestion(t, q, "createpost-order"))
	run(q, "enter")
	if q.Mode != quizscreen.ModeFeedback {
		t.Fatal("enter did not grade the order")
	}
	if free := q.Height - q.ChromeHeight(); q.Body.Height() != free {
		t.Errorf("feedback body is %d lines; %d are free", q.Body.Height(), free)
	}
}

// TestQuizDraftSurvivesARestart: an answer half written when the program
// ends (Run flushes the quiz however it ended) is in the box at the next
// start, and the question still counts as unanswered.
func TestQuizDraftSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	q := newTestQuiz(t, dir)
	typeText(q, "Writes go to PostgreSQL first, then")
	if err := q.Flush(); err != nil {
		t.Fatal(err)
	}
	again := newTestQuiz(t, dir)
	if got := again.Ta.Value(); got != "Writes go to PostgreSQL first, then" {
		t.Fatalf("the answer box after a restart holds %q", got)
	}
	wantIn(t, screen(again), "Question 1 of 17", "not answered yet")
}

// A sentence typed into a pick-one question does not quit on its q: the
// letters that mean nothing there say how the question is answered, and a
// q right after them asks to be pressed again. A q on its own still quits.
func TestQuizTypingOnAChoiceQuestionDoesNotQuit(t *testing.T) {
	a := quizApp(t, 80, 24, ui.ThemeDark)
	pressKeys(t, a, "tab")
	wantIn(t, plain(a), "Question 2 of 17", "a–d choose")
	for _, k := range []string{"l", "o", "r", "e", "m"} {
		if cmd := deliver(a, keypress(k)); quits(cmd) {
			t.Fatalf("%q quit", k)
		}
	}
	wantIn(t, plain(a), "This question takes keys, not typing: a–d or ↑/↓ picks, enter submits.")
	if cmd := deliver(a, keypress("q")); quits(cmd) {
		t.Fatal("the q of a typed word quit the app")
	}
	wantIn(t, plain(a), "q again quits.")
	if cmd := deliver(a, keypress("q")); !quits(cmd) {
		t.Fatal("q pressed again did not quit")
	}

	b := quizApp(t, 80, 24, ui.ThemeDark)
	pressKeys(t, b, "tab", "x")
	wantIn(t, plain(b), "This question takes keys")
	pressKeys(t, b, "b") // answered with keys after all: the hint goes, q quits
	wantNotIn(t, plain(b), "This question takes keys")
	if cmd := deliver(b, keypress("q")); !quits(cmd) {
		t.Fatal("q after picking an answer did not quit")
	}
}

// "a" shows the full answer where the learner is looking: at 80×24 it was
// added below the fold of a long feedback, and the screen did not change.
func TestRevealScrollsToTheAnswer(t *testing.T) {
	a := quizApp(t, 80, 24, ui.ThemeDark)
	send(t, a, tea.PasteMsg{Content: "Postgres, Redis, source of truth, projection, stale"})
	send(t, a, keypress("ctrl+s"))
	before := plain(a)
	pressKeys(t, a, "a")
	out := plain(a)
	wantIn(t, out, "A model answer")
	if out == before {
		t.Error("a changed nothing on screen")
	}
	fits(t, out, 80, 24)
}
