// Package safetext makes user data safe to print on a terminal. Titles come
// from the stores, and a store can hold anything (a post written by another
// tool straight into Redis, say); printed raw, an escape sequence in a title
// could clear the screen or retitle the window. Visible keeps every printable
// character and shows the rest as Go-style escapes, so the learner sees what
// is there and nothing can take over the terminal.
//
// charmbracelet/x/ansi.Strip removes escape sequences instead of showing
// them, which would hide the very thing the lab wants to make visible; that
// is why this small function is written here.
package safetext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Visible returns s with control characters (C0, DEL, C1), invalid UTF-8 and
// Unicode format characters (bidi overrides and the like) replaced by \xNN or
// \uNNNN.
func Visible(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError
}

// isPlain is the fast path: printable ASCII without backslashes.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}
