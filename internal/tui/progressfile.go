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

// saveLessonPlace records the page the learner is on, by its ID, and
// writes the record (atomically, in a Cmd); the model keeps its own copy.
func (sh *shared) saveLessonPlace(page int, done bool) tea.Cmd {
	if sh.prog == nil || sh.store == nil || page < 0 || page >= len(sh.pages) {
		return nil
	}
	id := sh.pages[page].ID
	if l, ok := sh.prog.Lessons[lessonID]; ok && l.Page == id && l.Step == page && l.Done == done {
		return nil
	}
	sh.prog.SetLessonPage(lessonID, id, page, done, time.Now().UTC())
	return sh.saveProgressNow()
}

// saveProgressNow writes a copy of the record in a Cmd.
func (sh *shared) saveProgressNow() tea.Cmd {
	store, p := sh.store, sh.prog.Clone()
	if store == nil {
		return nil
	}
	return func() tea.Msg { return lessonSavedMsg{err: store.Save(p)} }
}

// pageIDs are the lesson's page IDs in order: what the bookmark names.
func (sh *shared) pageIDs() []string {
	ids := make([]string, len(sh.pages))
	for i, p := range sh.pages {
		ids[i] = p.ID
	}
	return ids
}
