package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"cqrslab/demo/lab"
	"cqrslab/internal/progress"
	"cqrslab/quiz"
)

// quizLoadedMsg carries a quiz screen built off the UI goroutine: the bank
// parsed, the progress file and the lab results read.
type quizLoadedMsg struct{ quiz *Quiz }

// quizLoadError is a quiz that could not be opened (a broken bank: a bug,
// since tests validate it). It implements error so it reads as one.
type quizLoadError struct{ err error }

func (e quizLoadError) Error() string { return "the quiz could not be opened: " + e.err.Error() }

// quizSavedMsg reports one save of the progress file.
type quizSavedMsg struct{ err error }

// closeQuizMsg asks the root to show the home screen again.
type closeQuizMsg struct{}

// loadQuiz reads everything the quiz needs from disk, in a Cmd so Update
// never waits on the file system.
func loadQuiz(dark, noColor bool) tea.Cmd {
	return func() tea.Msg {
		bank, err := quiz.Embedded()
		if err != nil {
			return quizLoadError{err}
		}
		dir := lab.StateDir()
		store, prog, notices := progress.Open(dir)
		run, note := quiz.LoadLabRun(dir, bank.Example)
		if note != "" {
			notices = append(notices, note)
		}
		return quizLoadedMsg{NewQuiz(bank, store, prog, run, notices, dark, noColor)}
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
