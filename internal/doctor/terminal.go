package doctor

import (
	"fmt"
	"os"
	"strconv"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"
)

// The lesson is laid out for at least this many columns and rows.
const (
	minColumns = 80
	minRows    = 24
)

// terminal is what the doctor learned about the terminal the lesson would
// draw on. It is read once, then judged by checkTerminal, a pure function
// that the tests drive with made-up terminals.
type terminal struct {
	isTTY         bool
	width, height int
	sizeErr       error
	// profile is the colour profile the TUI's libraries will detect: the
	// same function (colorprofile.Detect) on the same file and environment.
	profile   colorprofile.Profile
	term      string
	noColor   string // NO_COLOR as set, even to a value the library ignores
	colorTerm string
}

func isTerminal(f *os.File) bool { return term.IsTerminal(f.Fd()) }

func readTerminal(f *os.File) terminal {
	t := terminal{term: os.Getenv("TERM"), noColor: os.Getenv("NO_COLOR"), colorTerm: os.Getenv("COLORTERM")}
	if f == nil || !isTerminal(f) {
		return t
	}
	t.isTTY = true
	t.width, t.height, t.sizeErr = term.GetSize(f.Fd())
	t.profile = colorprofile.Detect(f, os.Environ())
	return t
}

func checkTerminal(t terminal) []Check {
	size := Check{Name: "terminal size", Status: OK}
	colour := Check{Name: "colour", Status: OK}
	if !t.isTTY {
		size.Detail = "not a terminal (fine for headless commands and pipes; the lesson itself needs one)"
		colour.Detail = "not a terminal: output stays plain text"
		return []Check{size, colour}
	}
	switch {
	case t.sizeErr != nil:
		size.Status, size.Detail = Warn, fmt.Sprintf("cannot read the window size: %v", t.sizeErr)
		size.Fix = fmt.Sprintf("use a terminal emulator, at least %d×%d", minColumns, minRows)
	case t.width < minColumns || t.height < minRows:
		size.Status = Warn
		size.Detail = fmt.Sprintf("%d×%d, smaller than the %d×%d the lesson is laid out for", t.width, t.height, minColumns, minRows)
		size.Fix = "enlarge the window, or make the font smaller (Ctrl or Cmd and -); on a projector, zoom out rather than in"
	default:
		size.Detail = fmt.Sprintf("%d×%d (the lesson needs %d×%d)", t.width, t.height, minColumns, minRows)
	}
	colour = colourCheck(colour, t)
	return []Check{size, colour}
}

func colourCheck(c Check, t terminal) Check {
	// The TUI's libraries honour NO_COLOR only when it parses as true
	// ("1", "true"); the no-color.org convention is any non-empty value.
	noColorHonoured, _ := strconv.ParseBool(t.noColor)
	switch {
	case t.noColor != "" && !noColorHonoured:
		c.Status = Warn
		c.Detail = fmt.Sprintf("NO_COLOR=%s is set, but the lesson only reads NO_COLOR=1 or true: it will still use colour", t.noColor)
		c.Fix = "`export NO_COLOR=1` for no colour, or `unset NO_COLOR` for colour"
	case noColorHonoured:
		c.Detail = "off, because NO_COLOR is set (`unset NO_COLOR` for colour)"
	case t.term == "" || t.term == "dumb":
		c.Status = Warn
		c.Detail = fmt.Sprintf("TERM=%q: no colour, and the full-screen lesson may not draw properly", t.term)
		c.Fix = "run it in a real terminal emulator (in an editor, use its integrated terminal), or `export TERM=xterm-256color`"
	case t.profile == colorprofile.TrueColor:
		c.Detail = "24-bit colour (TERM=" + t.term + describeColorTerm(t.colorTerm) + ")"
	case t.profile == colorprofile.ANSI256:
		c.Detail = "256 colours (TERM=" + t.term + ")"
	case t.profile == colorprofile.ANSI:
		c.Detail = "16 colours (TERM=" + t.term + "); the lesson adapts its palette"
	default:
		c.Status = Warn
		c.Detail = fmt.Sprintf("TERM=%s reports no colours: states the lesson shows in colour will look alike", t.term)
		c.Fix = "`export TERM=xterm-256color` if your terminal supports it (almost all do)"
	}
	return c
}

func describeColorTerm(v string) string {
	if v == "" {
		return ""
	}
	return ", COLORTERM=" + v
}
