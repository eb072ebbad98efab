package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"cqrslab/internal/progress"
	"cqrslab/quiz"
)

// quizLoadedMsg carries what the quiz screen needs from disk, read off the
// UI goroutine: the bank parsed and the learner's lab results. The root
// builds the screen in Update over the app's one progress record; store
// and prog are read too only when the app's had not arrived yet.
type quizLoadedMsg struct {
	bank    *quiz.Bank
	run     quiz.LabRun
	notices []string
	store   *progress.Store
	prog    *progress.Progress
}

// quizLoadError is a quiz that could not be opened (a broken bank: a bug,
// since tests validate it). It implements error so it reads as one.
type quizLoadError struct{ err error }

func (e quizLoadError) Error() string { return "the quiz could not be opened: " + e.err.Error() }

// quizSavedMsg reports one save of the progress file.
type quizSavedMsg struct{ err error }

// loadQuiz reads what the quiz needs from the state directory dir (the
// app's Config.StateDir), in a Cmd so Update never waits on the file
// system.
func loadQuiz(dir string, withProgress bool) tea.Cmd {
	return func() tea.Msg {
		bank, err := quiz.Embedded()
		if err != nil {
			return quizLoadError{err}
		}
		m := quizLoadedMsg{bank: bank}
		if withProgress {
			m.store, m.prog, m.notices = progress.Open(dir)
		}
		var note string
		m.run, note = quiz.LoadLabRun(dir, bank.Example)
		if note != "" {
			m.notices = append(m.notices, note)
		}
		return m
	}
}

// saveProgress writes a copy of the progress; the model keeps its own.
func saveProgress(store *progress.Store, p *progress.Progress) tea.Cmd {
	return func() tea.Msg {
		if err := store.Save(p); err != nil {
			return quizSavedMsg{fmt.Errorf("%w; your answers are kept until you quit", err)}
		}
		return quizSavedMsg{}
	}
}
