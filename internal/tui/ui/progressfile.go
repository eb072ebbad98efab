package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"cqrslab/internal/progress"
	"cqrslab/quiz"
)

// AppProgressMsg carries the learner's progress, read off the UI goroutine
// at start, and the quiz bank, for the home screen's counts.
type AppProgressMsg struct {
	Store   *progress.Store
	Prog    *progress.Progress
	Bank    *quiz.Bank
	Notices []string
}

// LoadAppProgress reads the progress file (a missing or damaged one gives a
// fresh record and a notice, never an error) and the embedded quiz bank.
func LoadAppProgress(dir string) tea.Cmd {
	return func() tea.Msg {
		store, prog, notices := progress.Open(dir)
		bank, err := quiz.Embedded()
		if err != nil {
			bank = nil // the quiz screen reports it when opened
		}
		return AppProgressMsg{Store: store, Prog: prog, Bank: bank, Notices: notices}
	}
}

// LessonSavedMsg reports one save of the learner's place in the lesson.
type LessonSavedMsg struct{ Err error }

// SaveLessonPlace records the page the learner is on, by its ID, and
// writes the record (atomically, in a Cmd); the model keeps its own copy.
func (sh *Shared) SaveLessonPlace(page int, done bool) tea.Cmd {
	if sh.Prog == nil || sh.Store == nil || page < 0 || page >= len(sh.Pages) {
		return nil
	}
	id := sh.Pages[page].ID
	if l, ok := sh.Prog.Lessons[LessonID]; ok && l.Page == id && l.Step == page && l.Done == done {
		return nil
	}
	sh.Prog.SetLessonPage(LessonID, id, page, done, time.Now().UTC())
	return sh.SaveProgressNow()
}

// SaveProgressNow writes a copy of the record in a Cmd.
func (sh *Shared) SaveProgressNow() tea.Cmd {
	store, p := sh.Store, sh.Prog.Clone()
	if store == nil {
		return nil
	}
	return func() tea.Msg { return LessonSavedMsg{Err: store.Save(p)} }
}

// PageIDs are the lesson's page IDs in order: what the bookmark names.
func (sh *Shared) PageIDs() []string {
	ids := make([]string, len(sh.Pages))
	for i, p := range sh.Pages {
		ids[i] = p.ID
	}
	return ids
}

// LessonID keys the lesson's place in the progress file.
const LessonID = "sync-cqrs"
