package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"cqrslab/internal/progress"
	"cqrslab/quiz"
)

// appProgressMsg carries the learner's progress, read off the UI goroutine
// at start, and the quiz bank, for the home screen's counts.
type appProgressMsg struct {
	store   *progress.Store
	prog    *progress.Progress
	bank    *quiz.Bank
	notices []string
}

// loadAppProgress reads the progress file (a missing or damaged one gives a
// fresh record and a notice, never an error) and the embedded quiz bank.
func loadAppProgress(dir string) tea.Cmd {
	return func() tea.Msg {
		store, prog, notices := progress.Open(dir)
		bank, err := quiz.Embedded()
		if err != nil {
			bank = nil // the quiz screen reports it when opened
		}
		return appProgressMsg{store: store, prog: prog, bank: bank, notices: notices}
	}
}

// lessonSavedMsg reports one save of the learner's place in the lesson.
type lessonSavedMsg struct{ err error }

// saveLessonPlace records the page the learner is on and writes the record
// (atomically, in a Cmd); the model keeps its own copy.
func (sh *shared) saveLessonPlace(page int, done bool) tea.Cmd {
	if sh.prog == nil || sh.store == nil {
		return nil
	}
	if l, ok := sh.prog.Lessons[lessonID]; ok && l.Step == page && l.Done == done {
		return nil
	}
	sh.prog.SetLesson(lessonID, page, done, time.Now().UTC())
	store, p := sh.store, sh.prog.Clone()
	return func() tea.Msg { return lessonSavedMsg{err: store.Save(p)} }
}
