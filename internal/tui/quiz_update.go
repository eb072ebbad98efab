package tui

import (
	"cqrslab/internal/tui/ui"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cqrslab/internal/progress"
	"cqrslab/quiz"
)

// Update handles one message. Grading is quick and pure, so it happens here;
// saving happens in a Cmd. A message that changed the lines around the
// answer box (an error under it, a notice gone) lays the screen out again,
// so it keeps exactly the height the root gave it.
func (q *Quiz) Update(msg tea.Msg) tea.Cmd {
	cmd := q.update(msg)
	if q.chromeHeight() != q.laidChrome {
		q.layout()
	}
	return cmd
}

func (q *Quiz) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case quizSavedMsg:
		if msg.err != nil {
			q.notice = "Progress not saved: " + msg.err.Error()
		}
		return nil
	case tea.PasteMsg:
		if q.mode == modeAnswer {
			return q.updateInput(msg)
		}
		return nil
	case tea.KeyPressMsg:
		return q.key(msg)
	}
	if q.mode == modeAnswer {
		return q.updateInput(msg)
	}
	return nil
}

func (q *Quiz) key(msg tea.KeyPressMsg) tea.Cmd {
	switch q.mode {
	case modeConfirm:
		return q.keyConfirm(msg)
	case modeReview:
		return q.keyReview(msg)
	case modeFeedback:
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
		return tea.Batch(saveProgress(q.sh.Store, q.sh.Prog.Clone()), ui.Navigate(ui.ScreenHome))
	case key.Matches(msg, k.Next):
		q.saveDraft()
		return q.move(q.idx + 1)
	case key.Matches(msg, k.Prev):
		q.saveDraft()
		return q.move(q.idx - 1)
	case key.Matches(msg, k.Review) || (!typing && key.Matches(msg, k.ReviewKey)):
		q.saveDraft()
		return q.openReview(false)
	case key.Matches(msg, k.Submit) || (cur.Kind != quiz.FreeText && key.Matches(msg, k.SubmitLine)):
		return q.submit()
	}
	switch cur.Kind {
	case quiz.Choice:
		switch {
		case key.Matches(msg, k.Up):
			q.choice = (q.choice + len(cur.Options) - 1) % len(cur.Options)
		case key.Matches(msg, k.Down):
			q.choice = (q.choice + 1) % len(cur.Options)
		case key.Matches(msg, k.Pick):
			if i := int(msg.String()[0] - 'a'); i < len(cur.Options) {
				q.choice = i
			}
		}
		return nil
	case quiz.Ordering:
		q.keyOrdering(msg)
		return nil
	}
	q.inputErr = ""
	return q.updateInput(msg)
}

// keyOrdering moves the cursor, or the step held at the cursor.
func (q *Quiz) keyOrdering(msg tea.KeyPressMsg) {
	k := q.keys
	step := 0
	switch {
	case key.Matches(msg, k.Hold):
		q.holding = !q.holding
		return
	case key.Matches(msg, k.Up):
		step = -1
	case key.Matches(msg, k.Down):
		step = 1
	default:
		return
	}
	to := q.cursor + step
	if to < 0 || to >= len(q.order) {
		return
	}
	if q.holding {
		q.order[q.cursor], q.order[to] = q.order[to], q.order[q.cursor]
	}
	q.cursor = to
}

func (q *Quiz) updateInput(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch q.current().Kind {
	case quiz.FreeText:
		q.ta, cmd = q.ta.Update(msg)
	case quiz.Numeric:
		q.num, cmd = q.num.Update(msg)
	}
	return cmd
}

// saveDraft keeps the answer being written, in memory and in the progress
// the next save writes.
func (q *Quiz) saveDraft() {
	if q.mode == modeAnswer {
		id, text := q.current().ID, q.answerText()
		q.drafts[id] = text
		q.sh.Prog.SetDraft(id, text)
	}
}

// Flush keeps the answer being written and saves the progress now. The
// program calls it once its loop has ended, however it ended (q, ctrl+c,
// SIGTERM), so a half-written answer is there at the next start.
func (q *Quiz) Flush() error {
	q.saveDraft()
	return q.sh.Store.Save(q.sh.Prog.Clone())
}

// submit grades the answer, records it and shows the feedback.
func (q *Quiz) submit() tea.Cmd {
	cur := q.current()
	answer := q.answerText()
	if strings.TrimSpace(answer) == "" {
		q.inputErr = "Write an answer first."
		return nil
	}
	res, err := q.bank.Grade(cur.ID, answer, q.run)
	var ae *quiz.AnswerError
	if errors.As(err, &ae) {
		q.inputErr = ae.Msg
		return nil
	}
	if err != nil {
		q.inputErr = err.Error()
		return nil
	}
	delete(q.drafts, cur.ID)
	q.sh.Prog.Record(cur.ID, progress.Attempt{
		At: time.Now().UTC(), Answer: answer, Score: res.Score, Passed: res.Passed,
		Found: res.FoundIDs(), Missed: res.MissedIDs(), Misconceptions: res.MisconceptionIDs(), LabSource: res.LabSource,
		NeedsReview: res.NeedsReview,
	})
	q.notice, q.inputErr = "", ""
	q.showResult(&res)
	q.ta.Blur()
	q.num.Blur()
	return saveProgress(q.sh.Store, q.sh.Prog.Clone())
}

// move goes to question i, or to the review once past the last one.
func (q *Quiz) move(i int) tea.Cmd {
	if i >= len(q.bank.Questions()) {
		return q.openReview(true)
	}
	q.notice = ""
	q.enter(i)
	q.sh.Prog.SetCurrent(q.current().ID)
	q.layout()
	return tea.Batch(q.focus(), saveProgress(q.sh.Store, q.sh.Prog.Clone()))
}

func (q *Quiz) keyFeedback(msg tea.KeyPressMsg) tea.Cmd {
	k := q.keys
	switch {
	case key.Matches(msg, k.Home):
		return ui.Navigate(ui.ScreenHome)
	case key.Matches(msg, k.Retry):
		q.mode, q.retry, q.result = modeAnswer, q.result, nil
		q.layout()
		return q.focus()
	case key.Matches(msg, k.Reveal) && !q.revealed:
		q.revealed = true
		q.sh.Prog.Reveal(q.current().ID)
		q.body.SetContent(q.feedbackText())
		return saveProgress(q.sh.Store, q.sh.Prog.Clone())
	case key.Matches(msg, k.NextKey):
		return q.move(q.idx + 1)
	case key.Matches(msg, k.Prev):
		return q.move(q.idx - 1)
	case key.Matches(msg, k.ReviewKey):
		return q.openReview(false)
	}
	var cmd tea.Cmd
	q.body, cmd = q.body.Update(msg)
	return cmd
}

func (q *Quiz) openReview(end bool) tea.Cmd {
	q.notice = ""
	q.ta.Blur()
	q.num.Blur()
	q.mode, q.reviewEnd, q.reviewCursor = modeReview, end, q.idx
	if end {
		q.reviewCursor = 0
	}
	q.layout()
	q.body.GotoTop()
	q.keepReviewCursorVisible()
	return nil
}

func (q *Quiz) keyReview(msg tea.KeyPressMsg) tea.Cmd {
	k, n := q.keys, len(q.bank.Questions())
	switch {
	case key.Matches(msg, k.Home):
		q.enter(q.idx)
		q.layout()
		return q.focus()
	case key.Matches(msg, k.Up):
		q.reviewCursor = (q.reviewCursor + n - 1) % n
	case key.Matches(msg, k.Down):
		q.reviewCursor = (q.reviewCursor + 1) % n
	case key.Matches(msg, k.Open):
		return q.move(q.reviewCursor)
	case key.Matches(msg, k.Reset):
		q.mode, q.confirmAll = modeConfirm, false
	case key.Matches(msg, k.ResetAll):
		q.mode, q.confirmAll = modeConfirm, true
	default:
		var cmd tea.Cmd
		q.body, cmd = q.body.Update(msg)
		return cmd
	}
	q.body.SetContent(q.reviewText())
	q.keepReviewCursorVisible()
	return nil
}

func (q *Quiz) keyConfirm(msg tea.KeyPressMsg) tea.Cmd {
	k := q.keys
	switch {
	case key.Matches(msg, k.Yes):
		if q.confirmAll {
			q.sh.Prog.ResetQuiz()
			q.drafts = map[string]string{}
			q.reviewCursor = 0
			q.notice = "The whole quiz was reset."
		} else {
			id := q.bank.Questions()[q.reviewCursor].ID
			q.sh.Prog.ResetQuestion(id)
			delete(q.drafts, id)
			q.notice = fmt.Sprintf("Question %d was reset.", q.reviewCursor+1)
		}
		q.mode = modeReview
		q.layout()
		return saveProgress(q.sh.Store, q.sh.Prog.Clone())
	case key.Matches(msg, k.No):
		q.mode = modeReview
		q.layout()
	}
	return nil
}

// keepReviewCursorVisible scrolls the review so the selected line shows.
func (q *Quiz) keepReviewCursorVisible() {
	// The last visible line may be the "more below" marker: stay above it.
	line, room := q.reviewLine(q.reviewCursor), max(1, q.body.Height()-1)
	if line < q.body.YOffset() {
		q.body.SetYOffset(line)
	} else if line >= q.body.YOffset()+room {
		q.body.SetYOffset(line - room + 1)
	}
}
