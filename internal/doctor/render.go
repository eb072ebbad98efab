package doctor

import (
	"fmt"
	"io"
	"strings"
)

// TextOptions shape the human-readable report.
type TextOptions struct {
	// Width is the column to wrap at (default 80; at least 60 is used).
	Width int
	// Colour marks the statuses green, yellow and red; callers turn it on
	// only for a terminal that shows colour.
	Colour bool
}

// WriteText prints the report as a table a newcomer can read at 80 columns:
// one line per check, status first, then what was found and, on the next
// lines, the fix, all wrapped under the detail column.
func WriteText(w io.Writer, r Report, opt TextOptions) error {
	width := opt.Width
	if width <= 0 {
		width = 80
	}
	width = max(width, 60)
	nameWidth := 0
	for _, c := range r.Checks {
		nameWidth = max(nameWidth, len(c.Name))
	}
	indent := 2 + 4 + 2 + nameWidth + 2
	pad := strings.Repeat(" ", indent)
	var b strings.Builder
	b.WriteString("cqrslab doctor: is this machine ready for the lab?\n\n")
	fixedBy := map[string]string{} // a fix already printed, and the check it was printed under
	for _, c := range r.Checks {
		detail := wrap(c.Detail, width-indent)
		fmt.Fprintf(&b, "  %s  %-*s  %s\n", statusWord(c.Status, opt.Colour), nameWidth, c.Name, detail[0])
		for _, l := range detail[1:] {
			b.WriteString(pad + l + "\n")
		}
		if first, ok := fixedBy[c.Fix]; ok && c.Fix != "" {
			// Both images lack the same way: nine lines of one fix twice
			// read as two problems.
			b.WriteString(pad + "fix: the same as under " + first + " above\n")
			continue
		}
		if c.Fix != "" {
			fixedBy[c.Fix] = c.Name
			for i, l := range wrap(c.Fix, width-indent-len("fix: ")) {
				lead := "     "
				if i == 0 {
					lead = "fix: "
				}
				b.WriteString(pad + lead + l + "\n")
			}
		}
	}
	b.WriteString("\n" + strings.Join(wrap(summary(r), width), "\n") + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func statusWord(s Status, colour bool) string {
	word := fmt.Sprintf("%-4s", s)
	if !colour {
		return word
	}
	switch s {
	case OK:
		return "\x1b[32m" + word + "\x1b[0m"
	case Warn:
		return "\x1b[33;1m" + word + "\x1b[0m"
	case Fail:
		return "\x1b[31;1m" + word + "\x1b[0m"
	}
	return word
}

func summary(r Report) string {
	fails, warns := r.Count(Fail), r.Count(Warn)
	switch {
	case fails > 0:
		return fmt.Sprintf("%s: the lab will not run. Apply the fix under each fail line, then run `cqrslab doctor` again.",
			plural(fails, "check fails", "checks fail"))
	case warns > 0:
		return fmt.Sprintf("Ready, with %s: the lab will run; the fixes above make the day smoother.",
			plural(warns, "warning", "warnings"))
	}
	return "Ready: everything the lab needs is here."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// wrap breaks s into lines of at most width columns at spaces. A command in
// backquotes is never split, and a word longer than the line (a path, a
// URL) gets a line of its own rather than being cut, so both can be copied
// whole.
func wrap(s string, width int) []string {
	width = max(width, 20)
	var lines []string
	line := ""
	for _, word := range words(s) {
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}

// words splits s at spaces, keeping each `quoted command` in one piece.
func words(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '`':
			quoted = !quoted
			cur.WriteRune(r)
		case (r == ' ' || r == '\n' || r == '\t') && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
