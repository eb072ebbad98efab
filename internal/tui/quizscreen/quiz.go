// Package quizscreen is the quiz screen: the lesson's questions, graded,
// with progress kept in the one record the app shares with every screen.
package quizscreen

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"cqrslab/internal/tui/ui"
	"cqrslab/quiz"
)

// quizMode is what the quiz screen is doing.
type quizMode int

const (
	ModeAnswer   quizMode = iota // the learner is answering the current question
	ModeFeedback                 // the grade of the last answer is shown
	modeReview                   // the list of every question, with scores
	modeConfirm                  // asking before a reset
	modeName                     // asking the learner's name, on the first start
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
	Sh   *ui.Shared
	Bank *quiz.Bank
	run  quiz.LabRun

	width, Height int
	sized         bool
	laidChrome    int // chromeHeight when last laid out
	keys          quizKeys

	Idx      int
	Mode     quizMode
	Ta       textarea.Model
	Num      textinput.Model
	nameIn   textinput.Model // the learner's name, in modeName
	choice   int
	Order    []string
	Cursor   int
	holding  bool
	Drafts   map[string]string
	Result   *quiz.Result
	revealed bool
	Body     viewport.Model

	Retry       *quiz.Result // the grade being retried: its hints stay in view
	HintLines   []string     // retry's hints as drawn, wrapped and cut to fit
	HintsBeside bool         // the hints stand beside the editor (wide windows), else above it

	compact      bool // the window is short: the question is folded to a line
	reviewCursor int
	reviewEnd    bool // the learner reached the end of the quiz
	confirmAll   bool // the pending confirmation resets everything
	Notice       string
	inputErr     string
	strayAt      time.Time // a letter that meant nothing here (see HoldQuit)
}

// NewQuiz makes the quiz screen over a bank and the learner's progress
// (sh.prog, which must be loaded), resuming at the question they were on.
func NewQuiz(sh *ui.Shared, bank *quiz.Bank, run quiz.LabRun, notices []string) *Quiz {
	prog := sh.Prog
	q := &Quiz{
		Sh: sh, Bank: bank, run: run,
		keys:   defaultQuizKeys(),
		Drafts: prog.Drafts(), // unsubmitted answers from the last time
		width:  80, Height: 24,
	}
	q.Ta = textarea.New()
	q.Ta.Placeholder = "Type your answer here. Enter starts a new line; ctrl+s submits."
	q.Ta.ShowLineNumbers = false
	q.Ta.CharLimit = maxAnswerChars
	q.Ta.SetVirtualCursor(true)
	q.Num = textinput.New()
	q.Num.Placeholder = "a number"
	q.Num.CharLimit = 32
	q.Body = viewport.New()
	q.ApplyStyles()

	total := len(bank.Questions())
	for i, bq := range bank.Questions() {
		if bq.ID == prog.Quiz.Current {
			q.Idx = i
		}
	}
	answered := 0
	for _, bq := range bank.Questions() {
		if _, _, n := prog.Best(bq.ID); n > 0 {
			answered++
		}
	}
	q.enter(q.Idx)
	if answered > 0 {
		notices = append(notices, fmt.Sprintf("Welcome back: %d of %d questions answered; carrying on at question %d.", answered, total, q.Idx+1))
	}
	q.Notice = strings.Join(notices, " ")
	if sh.Cfg.AskLearner && prog.Learner == "" && answered == 0 {
		q.askName()
	}
	q.SetSize(q.width, q.Height)
	q.focus() // Init returns the blink command again
	return q
}

// Init starts the cursor blinking in the answer box.
func (q *Quiz) Init() tea.Cmd { return q.focus() }

func (q *Quiz) current() *quiz.Question { return q.Bank.Questions()[q.Idx] }

// enter shows question i: its last feedback when it was answered before,
// else an answer box holding any draft.
func (q *Quiz) enter(i int) {
	qs := q.Bank.Questions()
	q.Idx = max(0, min(i, len(qs)-1))
	cur := q.current()
	q.Result, q.revealed, q.inputErr, q.holding, q.Cursor, q.Retry = nil, false, "", false, 0, nil
	last, answered := q.Sh.Prog.Last(cur.ID)
	draft, hasDraft := q.Drafts[cur.ID]
	if !hasDraft && answered {
		draft = last.Answer
	}
	switch cur.Kind {
	case quiz.FreeText:
		q.Ta.SetValue(draft)
	case quiz.Numeric:
		q.Num.SetValue(draft)
	case quiz.Choice:
		q.choice = 0
		for i := range cur.Options {
			if strings.EqualFold(strings.TrimSpace(draft), quiz.Letter(i)) {
				q.choice = i
			}
		}
	case quiz.Ordering:
		q.Order = slices.Clone(cur.Shown)
		if o, err := quiz.ParseOrder(cur, draft); err == nil && draft != "" {
			q.Order = o
		}
	}
	q.Mode = ModeAnswer
	if answered && !hasDraft {
		if res, err := q.Bank.Grade(cur.ID, last.Answer, q.run); err == nil {
			q.showResult(&res)
		}
	}
}

func (q *Quiz) focus() tea.Cmd {
	q.Ta.Blur()
	q.Num.Blur()
	q.nameIn.Blur()
	if q.Mode == modeName {
		return q.nameIn.Focus()
	}
	if q.Mode != ModeAnswer {
		return nil
	}
	switch q.current().Kind {
	case quiz.FreeText:
		return q.Ta.Focus()
	case quiz.Numeric:
		return q.Num.Focus()
	}
	return nil
}

func (q *Quiz) showResult(res *quiz.Result) {
	q.Result, q.Retry = res, nil
	q.Mode = ModeFeedback
	q.layout() // the answer box's room now goes to the feedback
	q.Body.GotoTop()
}

// SetSize lays the screen out in the space the root gives it. The root
// calls it after every message; only a new size lays out again.
func (q *Quiz) SetSize(w, h int) {
	if w <= 0 || h <= 0 {
		w, h = 80, 24 // no size yet (before the first WindowSizeMsg)
	}
	if w == q.width && h == q.Height && q.sized {
		return
	}
	q.width, q.Height, q.sized = w, h, true
	q.Ta.SetWidth(w - 2)
	q.Num.SetWidth(12)
	q.Body.SetWidth(w)
	q.layout()
}

// layout sizes the answer box and the scrolling body to what is left once
// the header, question and help bar are drawn.
func (q *Quiz) layout() {
	q.compact = false
	if q.Height-q.ChromeHeight() < minBodyLines {
		q.compact = true // a short window: fold the question to one line, drop the notice
	}
	q.laidChrome = q.ChromeHeight()
	room := max(minBodyLines, q.Height-q.laidChrome)
	q.Ta.SetWidth(q.width - 2)
	q.Ta.SetHeight(room)
	q.Body.SetHeight(room)
	q.HintLines, q.HintsBeside = nil, false
	if q.Mode == ModeAnswer && q.current().Kind == quiz.FreeText && q.Retry != nil {
		q.layoutHints(room)
	}
	switch q.Mode {
	case ModeFeedback:
		q.Body.SetContent(q.FeedbackText())
	case modeReview, modeConfirm:
		q.Body.SetContent(q.reviewText())
		q.keepReviewCursorVisible()
	}
}

// layoutHints shares the answer box's room with the retried grade's hints:
// beside the editor when the window is wide enough for both, else above it
// in at most half the room (cut with a note when longer).
func (q *Quiz) layoutHints(room int) {
	st := q.Sh.St
	if q.width >= 100 {
		taW := q.width * 3 / 5
		lines := q.retryHints(st, q.width-taW-2)
		if len(lines) > room {
			lines = append(lines[:room-1], st.Dim.Render(fmt.Sprintf("   … %d more lines", len(lines)-room+1)))
		}
		q.Ta.SetWidth(taW)
		q.HintLines, q.HintsBeside = lines, true
		return
	}
	lines := q.retryHints(st, q.width)
	if most := max(2, room/2); len(lines) > most {
		lines = append(lines[:most-1], st.Dim.Render(fmt.Sprintf("   … %d more lines of hints in a wider window", len(lines)-most+1)))
	}
	q.HintLines = lines
	q.Ta.SetHeight(max(2, room-len(lines)))
}

func (q *Quiz) answerText() string {
	cur := q.current()
	switch cur.Kind {
	case quiz.FreeText:
		return q.Ta.Value()
	case quiz.Numeric:
		return q.Num.Value()
	case quiz.Choice:
		return quiz.Letter(q.choice)
	}
	return strings.Join(q.Order, " ")
}
