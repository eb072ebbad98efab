package quizscreen

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"cqrslab/internal/progress"
	"cqrslab/internal/tui/ui"
	"cqrslab/quiz"
)

// Update handles one message. Grading is quick and pure, so it happens here;
// saving happens in a Cmd. A message that changed the lines around the
// answer box (an error under it, a notice gone) lays the screen out again,
// so it keeps exactly the height the root gave it.
func (q *Quiz) Update(msg tea.Msg) tea.Cmd {
	cmd := q.update(msg)
	if q.ChromeHeight() != q.laidChrome {
		q.layout()
	}
	return cmd
}

func (q *Quiz) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case quizSavedMsg:
		if msg.err != nil {
			q.Notice = "Progress not saved: " + msg.err.Error()
		}
		return nil
	case tea.PasteMsg:
		if q.Mode == modeName {
			return q.updateName(msg)
		}
		if q.Mode == ModeAnswer {
			return q.updateInput(msg)
		}
		return nil
	case tea.KeyPressMsg:
		return q.key(msg)
	}
	if q.Mode == modeName {
		return q.updateName(msg)
	}
	if q.Mode == ModeAnswer {
		return q.updateInput(msg)
	}
	return nil
}

func (q *Quiz) key(msg tea.KeyPressMsg) tea.Cmd {
	switch q.Mode {
	case modeName:
		return q.keyName(msg)
	case modeConfirm:
		return q.keyConfirm(msg)
	case modeReview:
		return q.keyReview(msg)
	case ModeFeedback:
		return q.keyFeedback(msg)
	}
	return q.keyAnswer(msg)
}

func (q *Quiz) keyAnswer(msg tea.KeyPressMsg) tea.Cmd {
	k, cur := q.keys, q.current()
	typing := cur.Kind == quiz.FreeText || cur.Kind == quiz.Numeric
	switch {
	case key.Matches(msg, k.Home):
		q.saveDraft()
		return tea.Batch(saveProgress(q.Sh.Store, q.Sh.Prog.Clone()), ui.Navigate(ui.ScreenHome))
	case key.Matches(msg, k.Next):
		q.saveDraft()
		return q.Move(q.Idx + 1)
	case key.Matches(msg, k.Prev):
		q.saveDraft()
		return q.Move(q.Idx - 1)
	case key.Matches(msg, k.Review) || (!typing && key.Matches(msg, k.ReviewKey)):
		q.saveDraft()
		return q.openReview(false)
	case key.Matches(msg, k.Submit) || (cur.Kind != quiz.FreeText && key.Matches(msg, k.SubmitLine)):
		return q.submit()
	}
	if (cur.Kind == quiz.Choice || cur.Kind == quiz.Ordering) && key.Matches(msg, k.Quit) {
		// Held back by HoldQuit just after a stray letter: ask again.
		q.strayAt = time.Time{}
		q.inputErr = "q again quits. This question takes keys, not typing: " + keyWords(cur)
		return nil
	}
	switch cur.Kind {
	case quiz.Choice:
		if key.Matches(msg, k.Up, k.Down, k.Pick) {
			q.inputErr, q.strayAt = "", time.Time{} // answered with keys after all
		}
		switch {
		case key.Matches(msg, k.Up):
			q.choice = (q.choice + len(cur.Options) - 1) % len(cur.Options)
		case key.Matches(msg, k.Down):
			q.choice = (q.choice + 1) % len(cur.Options)
		case key.Matches(msg, k.Pick):
			if i := int(msg.String()[0] - 'a'); i < len(cur.Options) {
				q.choice = i
			}
		default:
			q.stray(msg, cur)
		}
		return nil
	case quiz.Ordering:
		if q.keyOrdering(msg) {
			q.inputErr, q.strayAt = "", time.Time{}
		} else {
			q.stray(msg, cur)
		}
		return nil
	}
	q.inputErr = ""
	return q.updateInput(msg)
}

// keyOrdering moves the cursor, or the step held at the cursor; false for
// a key that is not one of its own.
func (q *Quiz) keyOrdering(msg tea.KeyPressMsg) bool {
	k := q.keys
	step := 0
	switch {
	case key.Matches(msg, k.Hold):
		q.holding = !q.holding
		return true
	case key.Matches(msg, k.Up):
		step = -1
	case key.Matches(msg, k.Down):
		step = 1
	default:
		return false
	}
	to := q.Cursor + step
	if to < 0 || to >= len(q.Order) {
		return true
	}
	if q.holding {
		q.Order[q.Cursor], q.Order[to] = q.Order[to], q.Order[q.Cursor]
	}
	q.Cursor = to
	return true
}

// strayWindow is how long after a letter that meant nothing q asks to be
// pressed again: a word being typed, not a decision to quit.
const strayWindow = 2 * time.Second

// stray notes a printable key that means nothing on a pick-one or ordering
// question, and says how the question is answered.
func (q *Quiz) stray(msg tea.KeyPressMsg, cur *quiz.Question) {
	if msg.Text == "" {
		return
	}
	q.strayAt = time.Now()
	q.inputErr = "This question takes keys, not typing: " + keyWords(cur)
}

// keyWords says how a keyed question is answered.
func keyWords(cur *quiz.Question) string {
	if cur.Kind == quiz.Ordering {
		return "↑/↓ move, space holds a step to carry it, enter submits."
	}
	last := string(rune('a' + len(cur.Options) - 1))
	return "a–" + last + " or ↑/↓ picks, enter submits."
}

// HoldQuit holds q back just after a stray letter (see ui.QuitGuard).
func (q *Quiz) HoldQuit() bool {
	return q.Mode == ModeAnswer && !q.strayAt.IsZero() && time.Since(q.strayAt) < strayWindow
}

func (q *Quiz) updateInput(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch q.current().Kind {
	case quiz.FreeText:
		q.Ta, cmd = q.Ta.Update(msg)
	case quiz.Numeric:
		q.Num, cmd = q.Num.Update(msg)
	}
	return cmd
}

// saveDraft keeps the answer being written, in memory and in the progress
// the next save writes.
func (q *Quiz) saveDraft() {
	if q.Mode == ModeAnswer {
		id, text := q.current().ID, q.answerText()
		q.Drafts[id] = text
		q.Sh.Prog.SetDraft(id, text)
	}
}

// Flush keeps the answer being written and saves the progress now. The
// program calls it once its loop has ended, however it ended (q, ctrl+c,
// SIGTERM), so a half-written answer is there at the next start.
func (q *Quiz) Flush() error {
	q.saveDraft()
	return q.Sh.Store.Save(q.Sh.Prog.Clone())
}

// submit grades the answer, records it and shows the feedback.
func (q *Quiz) submit() tea.Cmd {
	cur := q.current()
	answer := q.answerText()
	if strings.TrimSpace(answer) == "" {
		q.inputErr = "Write an answer first."
		return nil
	}
	res, err := q.Bank.Grade(cur.ID, answer, q.run)
	var ae *quiz.AnswerError
	if errors.As(err, &ae) {
		q.inputErr = ae.Msg
		return nil
	}
	if err != nil {
		q.inputErr = err.Error()
		return nil
	}
	delete(q.Drafts, cur.ID)
	q.Sh.Prog.Record(cur.ID, progress.Attempt{
		At: time.Now().UTC(), Answer: answer, Score: res.Score, Passed: res.Passed,
		Found: res.FoundIDs(), Missed: res.MissedIDs(), Misconceptions: res.MisconceptionIDs(), LabSource: res.LabSource,
		NeedsReview: res.NeedsReview,
	})
	q.Notice, q.inputErr = "", ""
	q.showResult(&res)
	q.Ta.Blur()
	q.Num.Blur()
	return saveProgress(q.Sh.Store, q.Sh.Prog.Clone())
}

// Move goes to question i, or to the review once past the last one.
func (q *Quiz) Move(i int) tea.Cmd {
	if i >= len(q.Bank.Questions()) {
		return q.openReview(true)
	}
	q.Notice = ""
	q.enter(i)
	q.Sh.Prog.SetCurrent(q.current().ID)
	q.layout()
	return tea.Batch(q.focus(), saveProgress(q.Sh.Store, q.Sh.Prog.Clone()))
}

func (q *Quiz) keyFeedback(msg tea.KeyPressMsg) tea.Cmd {
	k := q.keys
	switch {
	case key.Matches(msg, k.Home):
		return ui.Navigate(ui.ScreenHome)
	case key.Matches(msg, k.Retry):
		q.Mode, q.Retry, q.Result = ModeAnswer, q.Result, nil
		q.layout()
		return q.focus()
	case key.Matches(msg, k.Reveal) && !q.revealed:
		q.revealed = true
		q.Sh.Prog.Reveal(q.current().ID)
		q.Body.SetContent(q.FeedbackText())
		q.scrollToReveal()
		return saveProgress(q.Sh.Store, q.Sh.Prog.Clone())
	case key.Matches(msg, k.NextKey):
		return q.Move(q.Idx + 1)
	case key.Matches(msg, k.Prev):
		return q.Move(q.Idx - 1)
	case key.Matches(msg, k.ReviewKey):
		return q.openReview(false)
	}
	var cmd tea.Cmd
	q.Body, cmd = q.Body.Update(msg)
	return cmd
}

// scrollToReveal brings the revealed answer into view when it landed below
// the fold: at 80×24 a long feedback put it out of sight, and a never
// changed screen looked like a dead key.
func (q *Quiz) scrollToReveal() {
	lines := strings.Split(ansi.Strip(q.FeedbackText()), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if h := strings.TrimSpace(lines[i]); h == "A model answer" || h == "Explanation" {
			if i >= q.Body.YOffset()+q.Body.Height() {
				q.Body.SetYOffset(max(0, i-1))
			}
			return
		}
	}
}

func (q *Quiz) openReview(end bool) tea.Cmd {
	q.Notice = ""
	q.Ta.Blur()
	q.Num.Blur()
	q.Mode, q.reviewEnd, q.reviewCursor = modeReview, end, q.Idx
	if end {
		q.reviewCursor = 0
	}
	q.layout()
	q.Body.GotoTop()
	q.keepReviewCursorVisible()
	return nil
}

func (q *Quiz) keyReview(msg tea.KeyPressMsg) tea.Cmd {
	k, n := q.keys, len(q.Bank.Questions())
	switch {
	case key.Matches(msg, k.Home):
		q.enter(q.Idx)
		q.layout()
		return q.focus()
	case key.Matches(msg, k.Up):
		q.reviewCursor = (q.reviewCursor + n - 1) % n
	case key.Matches(msg, k.Down):
		q.reviewCursor = (q.reviewCursor + 1) % n
	case key.Matches(msg, k.Open):
		return q.Move(q.reviewCursor)
	case key.Matches(msg, k.Reset):
		q.Mode, q.confirmAll = modeConfirm, false
	case key.Matches(msg, k.ResetAll):
		q.Mode, q.confirmAll = modeConfirm, true
	default:
		var cmd tea.Cmd
		q.Body, cmd = q.Body.Update(msg)
		return cmd
	}
	q.Body.SetContent(q.reviewText())
	q.keepReviewCursorVisible()
	return nil
}

func (q *Quiz) keyConfirm(msg tea.KeyPressMsg) tea.Cmd {
	k := q.keys
	switch {
	case key.Matches(msg, k.Yes):
		if q.confirmAll {
			q.Sh.Prog.ResetQuiz()
			q.Drafts = map[string]string{}
			q.reviewCursor = 0
			q.Notice = "The whole quiz was reset."
		} else {
			id := q.Bank.Questions()[q.reviewCursor].ID
			q.Sh.Prog.ResetQuestion(id)
			delete(q.Drafts, id)
			q.Notice = fmt.Sprintf("Question %d was reset.", q.reviewCursor+1)
		}
		q.Mode = modeReview
		q.layout()
		return saveProgress(q.Sh.Store, q.Sh.Prog.Clone())
	case key.Matches(msg, k.No):
		q.Mode = modeReview
		q.layout()
	}
	return nil
}

// keepReviewCursorVisible scrolls the review so the selected line shows.
func (q *Quiz) keepReviewCursorVisible() {
	// The last visible line may be the "more below" marker: stay above it.
	line, room := q.reviewLine(q.reviewCursor), max(1, q.Body.Height()-1)
	if line < q.Body.YOffset() {
		q.Body.SetYOffset(line)
	} else if line >= q.Body.YOffset()+room {
		q.Body.SetYOffset(line - room + 1)
	}
}
