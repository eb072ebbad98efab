package ui

import (
	"io/fs"

	"cqrslab/demo/lab"
)

// Minimum terminal sizes. Home and the quiz are text and fit a small
// window; Learn and Lab put code beside live data and need 80×24, the size
// of a default terminal.
const (
	MinWidth      = 60
	MinHeight     = 16
	LiveMinWidth  = 80
	LiveMinHeight = 24
)

// The roomy layout's margins: columns on each side, lines above and below.
const (
	RoomyMarginX = 3
	RoomyMarginY = 1
)

// Config is how the app runs. Every field has a usable zero value except
// Lab, whose zero value is the auto provider with the default images.
type Config struct {
	// Lab says how to start the lab when it is first needed.
	Lab lab.Options
	// Theme chooses the colours (default auto: from the terminal's
	// background). NO_COLOR in the environment turns colour off whatever
	// the theme.
	Theme Theme
	// NoAnimation makes spinners static text (default false).
	NoAnimation bool
	// Roomy is the projector layout: a margin on every side, because
	// projectors crop the picture's edges (overscan) and text at the very
	// edge is the hardest to read from the back of a room; and a blank line
	// between the screen and its help bar. The screens lay out inside.
	Roomy bool
	// OnLabUp, when set, is called once the lab answers (off the UI
	// goroutine) so the CLI can record it for `cqrslab feed` and the other
	// commands in a second terminal; the returned func undoes that.
	OnLabUp func(*lab.Lab) (undo func(), err error)
	// StateDir holds the progress file (default statedir.Dir()).
	StateDir string
	// AskLearner makes the quiz ask the learner's name on its first start
	// (no name and no answer yet), for a class's exports; the CLI sets it,
	// tests leave it off so their screens start at the first question.
	AskLearner bool
	// Lesson, when set, is the lesson to show instead of the one in the
	// binary, laid out like assets/ (lessons.Load). Tests give a fixed one,
	// so that adding a page to the real lesson changes no test or golden.
	Lesson fs.FS
}

// DefaultConfig is the auto theme with lab options from the environment.
func DefaultConfig() Config { return Config{Lab: lab.OptionsFromEnv(), Theme: ThemeAuto} }
