package ui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// The layout helpers below work on exact rectangles: every block they return
// is exactly w cells wide and h lines tall. Screens compose blocks, so a
// screen can never be taller or wider than the terminal, whatever the data:
// a long title is cut with "…", never wrapped into the line below.

// Fit cuts or pads s to exactly w×h cells.
func Fit(s string, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = PadRight(Cut(l, w), w)
	}
	return strings.Join(lines, "\n")
}

// Cut shortens a (possibly styled) line to at most w cells, ending in "…"
// when it had to cut.
func Cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

func PadRight(s string, w int) string {
	if n := w - Width(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// Width is a styled line's width in cells. Screens measure every line
// several times a frame, and the general measure (grapheme clusters) is
// most of a frame's cost under load; so lines made only of characters
// known to be one cell wide (ASCII, and the box, block, arrow and mark
// characters the screens draw with) are counted directly, escape sequences
// skipped, and anything else (a title in CJK, an emoji) is measured
// properly.
func Width(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b: // CSI (ESC [ ... final) or OSC (ESC ] ... BEL or ESC \)
			j := skipEscape(s, i)
			if j < 0 {
				return ansi.StringWidth(s)
			}
			i = j
		case c >= 0x20 && c < 0x7f:
			n++
			i++
		case c < 0x80:
			return ansi.StringWidth(s) // a control character: let the general measure decide
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !narrowSymbol(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size
		}
	}
	return n
}

// skipEscape returns the index after the escape sequence at i, or -1 when
// it is not one the fast path knows.
func skipEscape(s string, i int) int {
	if i+1 >= len(s) {
		return -1
	}
	switch s[i+1] {
	case '[':
		for j := i + 2; j < len(s); j++ {
			if s[j] >= 0x40 && s[j] <= 0x7e {
				return j + 1
			}
		}
	case ']':
		for j := i + 2; j < len(s); j++ {
			if s[j] == 0x07 {
				return j + 1
			}
			if s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\' {
				return j + 2
			}
		}
	}
	return -1
}

// narrowSymbol reports whether r is one of the one-cell symbols the
// screens draw with.
func narrowSymbol(r rune) bool {
	switch {
	case r == '·', r == '•', r == '…', r == '✓', r == '✗', r == '—':
		return true
	case r >= 0x2190 && r <= 0x21FF: // arrows
		return true
	case r >= 0x2500 && r <= 0x25FF && r != 0x25FD && r != 0x25FE: // box drawing, blocks, shapes (▶ ◀ █ ▏); ◽◾ are emoji, two wide
		return true
	case r >= 0x2800 && r <= 0x28FF: // braille (the spinner)
		return true
	}
	return false
}

// Hjoin puts blocks side by side, each fitted to its width, separated by
// sep; the result is as tall as h.
func Hjoin(h int, sep string, blocks []string, widths []int) string {
	cols := make([][]string, len(blocks))
	for i, b := range blocks {
		cols[i] = strings.Split(Fit(b, widths[i], h), "\n")
	}
	var out strings.Builder
	for y := range h {
		if y > 0 {
			out.WriteByte('\n')
		}
		for i := range cols {
			if i > 0 {
				out.WriteString(sep)
			}
			out.WriteString(cols[i][y])
		}
	}
	return out.String()
}

// Vjoin stacks blocks that are already fitted to the same width.
func Vjoin(blocks ...string) string {
	var parts []string
	for _, b := range blocks {
		if b != "" {
			parts = append(parts, b)
		}
	}
	return strings.Join(parts, "\n")
}

// WrapText wraps plain text to w cells, at spaces and slashes; words are
// kept whole where they fit. Not at hyphens, which ansi.Wrap always breaks
// at: a flag in an error's fix came out as "cqrslab prepare --" over
// "save FILE", and a learner copies those lines. So hyphens are swapped for
// a character it does not break at (U+2011, one cell too) and back.
func WrapText(s string, w int) string {
	if w <= 0 {
		return s
	}
	if strings.ContainsRune(s, nbHyphen) { // cannot happen in practice; then keep ansi.Wrap's way
		return ansi.Wrap(s, w, " /")
	}
	out := ansi.Wrap(strings.ReplaceAll(s, "-", string(nbHyphen)), w, " /")
	return strings.ReplaceAll(out, string(nbHyphen), "-")
}

const nbHyphen = '\u2011'

// SplitWidths divides total cells among n columns separated by sepWidth
// cells each, giving the remainder to the first columns.
func SplitWidths(total, n, sepWidth int) []int {
	avail := total - sepWidth*(n-1)
	out := make([]int, n)
	for i := range out {
		out[i] = avail / n
		if i < avail%n {
			out[i]++
		}
	}
	return out
}

// Section is a titled block: a heading line, then the body, fitted to w×h.
func Section(st Styles, title, body string, w, h int) string {
	head := st.Heading.Render(Cut(title, w))
	return Fit(head+"\n"+body, w, h)
}

// Rule is a horizontal line w cells long.
func Rule(st Styles, w int) string { return st.Rule.Render(strings.Repeat("─", max(0, w))) }
