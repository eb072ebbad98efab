package cli

import (
	"io"

	"github.com/charmbracelet/x/term"
)

// fileWriter is an output stream backed by a file descriptor: an *os.File,
// or main's wrapper around stdout and stderr (which stops the command when
// a write fails). Terminal checks go through it, never through *os.File.
type fileWriter interface {
	io.Writer
	Fd() uintptr
}

// isTerminal reports whether w writes to a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(fileWriter)
	return ok && term.IsTerminal(f.Fd())
}
