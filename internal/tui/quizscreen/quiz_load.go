package quizscreen

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"cqrslab/internal/progress"
	"cqrslab/quiz"
)

// QuizLoadedMsg carries what the quiz screen needs from disk, read off the
// UI goroutine: the bank parsed and the learner's lab results. The root
// builds the screen in Update over the app's one progress record; store
// and prog are read too only when the app's had not arrived yet.
type QuizLoadedMsg struct {
	Bank    *quiz.Bank
	Run     quiz.LabRun
	Notices []string
	Store   *progress.Store
	Prog    *progress.Progress
}

// QuizLoadError is a quiz that could not be opened (a broken bank: a bug,
// since tests validate it). It implements error so it reads as one.
type QuizLoadError struct{ err error }

func (e QuizLoadError) Error() string { return "the quiz could not be opened: " + e.err.Error() }

// quizSavedMsg reports one save of the progress file.
type quizSavedMsg struct{ err error }

// LoadQuiz reads what the quiz needs from the state directory dir (the
// app's Config.StateDir), in a Cmd so Update never waits on the file
// system.
func LoadQuiz(dir string, withProgress bool) tea.Cmd {
	return func() tea.Msg {
		bank, err := quiz.Embedded()
		if err != nil {
			return QuizLoadError{err}
		}
		m := QuizLoadedMsg{Bank: bank}
		if withProgress {
			m.Store, m.Prog, m.Notices = progress.Open(dir)
		}
		var note string
		m.Run, note = quiz.LoadLabRun(dir, bank.Example)
		if note != "" {
			m.Notices = append(m.Notices, note)
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
