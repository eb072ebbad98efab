// Package ui is what every screen of the terminal UI draws with and reads:
// styles and themes, keys and help, layout, widgets, markdown and the
// seed's code view, the event bus, and the one shared context (config, lab
// session, progress, store reads). It is the floor the screen packages
// stand on, so that no screen needs another screen or the app to draw.
package ui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cqrslab/internal/progress"
	"cqrslab/lessons"
	"cqrslab/quiz"
)

// ScreenID names a screen.
type ScreenID int

const (
	ScreenHome ScreenID = iota
	ScreenLearn
	ScreenLab
	ScreenQuiz
)

// NavigateMsg asks the root to show another screen.
type NavigateMsg struct{ To ScreenID }

func Navigate(to ScreenID) tea.Cmd { return func() tea.Msg { return NavigateMsg{to} } }

// Component is one page of the app. Only the root returns a tea.View; a screen
// draws a string of exactly the size SetSize gave it.
type Component interface {
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	// ShortHelp is the screen's keys that work right now, for the help bar.
	ShortHelp() []key.Binding
	// FullHelp is every key of the screen, for ?.
	FullHelp() []KeyGroup
	// Typing reports whether a text field has the keys: then letters (q
	// and ? included) are text, and only ctrl+c is the app's.
	Typing() bool
	// MinSize is the smallest window the screen is laid out for.
	MinSize() (int, int)
}

// QuitGuard screens may hold q back: HoldQuit true sends q to the screen,
// which asks for it again, instead of quitting. The quiz holds it just
// after letters that meant nothing on a pick-one question: a learner typing
// a sentence there (after a free-text question) had the q of a word quit
// the app.
type QuitGuard interface{ HoldQuit() bool }

// Modal screens take esc for themselves while in a mode (a sub-menu), so
// esc leaves the mode instead of the screen.
type Modal interface{ Modal() bool }

// Shared is what every screen reads: one object passed by pointer instead
// of globals (soft-serve's common.Common).
type Shared struct {
	Cfg     Config
	Ctx     context.Context
	St      Styles
	Now     time.Time // the last frame's time: views use it, never time.Now
	Frame   int
	Animate bool
	Bus     *EventBus
	Session *labSession
	Store   *progress.Store
	Prog    *progress.Progress
	Bank    *quiz.Bank
	Pages   []lessons.Page
	PageErr error
	Dropped int64 // events dropped because the bus was full
}
