package tui

import (
	"cqrslab/internal/tui/ui"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"cqrslab/quiz"
)

// quizMode is what the quiz screen is doing.
type quizMode int

const (
	modeAnswer   quizMode = iota // the learner is answering the current question
	modeFeedback                 // the grade of the last answer is shown
	modeReview                   // the list of every question, with scores
	modeConfirm                  // asking before a reset
)

// maxAnswerChars bounds a typed answer; the grader needs a paragraph, not a
// book, and the progress file stays small.
const maxAnswerChars = 4000

// minBodyLines is the least room the answer box or the feedback gets; below
// that the question itself is folded to make room.
const minBodyLines = 4

// Quiz is the quiz screen: one question at a time, graded with feedback,
// with a review of past answers. It is a screen like Home, Learn and Lab:
// it draws a string of the size the root gives it in the app's styles, the
// root draws its help bar from ShortHelp, and it reads and writes the one
// progress record the whole app shares (shared.prog), so nothing has to be
// merged back.
//
// Progress is saved after every graded answer and every move to another
// question, so quitting at any moment and starting again lands the learner
// on the same question.
type Quiz struct {
	sh   *ui.Shared
	bank *quiz.Bank
	run  quiz.LabRun

	width, height int
	sized         bool
	laidChrome    int // chromeHeight when last laid out
	keys          quizKeys

	idx      int
	mode     quizMode
	ta       textarea.Model
	num      textinput.Model
	choice   int
	order    []string
	cursor   int
	holding  bool
	drafts   map[string]string
	result   *quiz.Result
	revealed bool
	body     viewport.Model

	retry       *quiz.Result // the grade being retried: its hints stay in view
	hintLines   []string     // retry's hints as drawn, wrapped and cut to fit
	hintsBeside bool         // the hints stand beside the editor (wide windows), else above it

	compact      bool // the window is short: the question is folded to a line
	reviewCursor int
	reviewEnd    bool // the learner reached the end of the quiz
	confirmAll   bool // the pending confirmation resets everything
	notice       string
	inputErr     string
}

// newQuiz makes the quiz screen over a bank and the learner's progress
// (sh.prog, which must be loaded), resuming at the question they were on.
func newQuiz(sh *ui.Shared, bank *quiz.Bank, run quiz.LabRun, notices []string) *Quiz {
	prog := sh.Prog
	q := &Quiz{
		sh: sh, bank: bank, run: run,
		keys:   defaultQuizKeys(),
		drafts: prog.Drafts(), // unsubmitted answers from the last time
		width:  80, height: 24,
	}
	q.ta = textarea.New()
	q.ta.Placeholder = "Type your answer here. Enter starts a new line; ctrl+s submits."
	q.ta.ShowLineNumbers = false
	q.ta.CharLimit = maxAnswerChars
	q.ta.SetVirtualCursor(true)
	q.num = textinput.New()
	q.num.Placeholder = "a number"
	q.num.CharLimit = 32
	q.body = viewport.New()
	q.applyStyles()

	total := len(bank.Questions())
	for i, bq := range bank.Questions() {
		if bq.ID == prog.Quiz.Current {
			q.idx = i
		}
	}
	answered := 0
	for _, bq := range bank.Questions() {
		if _, _, n := prog.Best(bq.ID); n > 0 {
			answered++
		}
	}
	q.enter(q.idx)
	if answered > 0 {
		notices = append(notices, fmt.Sprintf("Welcome back: %d of %d questions answered; carrying on at question %d.", answered, total, q.idx+1))
	}
	q.notice = strings.Join(notices, " ")
	q.SetSize(q.width, q.height)
	q.focus() // Init returns the blink command again
	return q
}

// Init starts the cursor blinking in the answer box.
func (q *Quiz) Init() tea.Cmd { return q.focus() }

func (q *Quiz) current() *quiz.Question { return q.bank.Questions()[q.idx] }

// enter shows question i: its last feedback when it was answered before,
// else an answer box holding any draft.
func (q *Quiz) enter(i int) {
	qs := q.bank.Questions()
	q.idx = max(0, min(i, len(qs)-1))
	cur := q.current()
	q.result, q.revealed, q.inputErr, q.holding, q.cursor, q.retry = nil, false, "", false, 0, nil
	last, answered := q.sh.Prog.Last(cur.ID)
	draft, hasDraft := q.drafts[cur.ID]
	if !hasDraft && answered {
		draft = last.Answer
	}
	switch cur.Kind {
	case quiz.FreeText:
		q.ta.SetValue(draft)
	case quiz.Numeric:
		q.num.SetValue(draft)
	case quiz.Choice:
		q.choice = 0
		for i := range cur.Options {
			if strings.EqualFold(strings.TrimSpace(draft), quiz.Letter(i)) {
				q.choice = i
			}
		}
	case quiz.Ordering:
		q.order = slices.Clone(cur.Shown)
		if o, err := quiz.ParseOrder(cur, draft); err == nil && draft != "" {
			q.order = o
		}
	}
	q.mode = modeAnswer
	if answered && !hasDraft {
		if res, err := q.bank.Grade(cur.ID, last.Answer, q.run); err == nil {
			q.showResult(&res)
		}
	}
}

func (q *Quiz) focus() tea.Cmd {
	q.ta.Blur()
	q.num.Blur()
	if q.mode != modeAnswer {
		return nil
	}
	switch q.current().Kind {
	case quiz.FreeText:
		return q.ta.Focus()
	case quiz.Numeric:
		return q.num.Focus()
	}
	return nil
}

func (q *Quiz) showResult(res *quiz.Result) {
	q.result, q.retry = res, nil
	q.mode = modeFeedback
	q.layout() // the answer box's room now goes to the feedback
	q.body.GotoTop()
}

// SetSize lays the screen out in the space the root gives it. The root
// calls it after every message; only a new size lays out again.
func (q *Quiz) SetSize(w, h int) {
	if w <= 0 || h <= 0 {
		w, h = 80, 24 // no size yet (before the first WindowSizeMsg)
	}
	if w == q.width && h == q.height && q.sized {
		return
	}
	q.width, q.height, q.sized = w, h, true
	q.ta.SetWidth(w - 2)
	q.num.SetWidth(12)
	q.body.SetWidth(w)
	q.layout()
}

// layout sizes the answer box and the scrolling body to what is left once
// the header, question and help bar are drawn.
func (q *Quiz) layout() {
	q.compact = false
	if q.height-q.chromeHeight() < minBodyLines {
		q.compact = true // a short window: fold the question to one line, drop the notice
	}
	q.laidChrome = q.chromeHeight()
	room := max(minBodyLines, q.height-q.laidChrome)
	q.ta.SetWidth(q.width - 2)
	q.ta.SetHeight(room)
	q.body.SetHeight(room)
	q.hintLines, q.hintsBeside = nil, false
	if q.mode == modeAnswer && q.current().Kind == quiz.FreeText && q.retry != nil {
		q.layoutHints(room)
	}
	switch q.mode {
	case modeFeedback:
		q.body.SetContent(q.feedbackText())
	case modeReview, modeConfirm:
		q.body.SetContent(q.reviewText())
		q.keepReviewCursorVisible()
	}
}

// layoutHints shares the answer box's room with the retried grade's hints:
// beside the editor when the window is wide enough for both, else above it
// in at most half the room (cut with a note when longer).
func (q *Quiz) layoutHints(room int) {
	st := q.sh.St
	if q.width >= 100 {
		taW := q.width * 3 / 5
		lines := q.retryHints(st, q.width-taW-2)
		if len(lines) > room {
			lines = append(lines[:room-1], st.Dim.Render(fmt.Sprintf("   … %d more lines", len(lines)-room+1)))
		}
		q.ta.SetWidth(taW)
		q.hintLines, q.hintsBeside = lines, true
		return
	}
	lines := q.retryHints(st, q.width)
	if most := max(2, room/2); len(lines) > most {
		lines = append(lines[:most-1], st.Dim.Render(fmt.Sprintf("   … %d more lines of hints in a wider window", len(lines)-most+1)))
	}
	q.hintLines = lines
	q.ta.SetHeight(max(2, room-len(lines)))
}

func (q *Quiz) answerText() string {
	cur := q.current()
	switch cur.Kind {
	case quiz.FreeText:
		return q.ta.Value()
	case quiz.Numeric:
		return q.num.Value()
	case quiz.Choice:
		return quiz.Letter(q.choice)
	}
	return strings.Join(q.order, " ")
}
