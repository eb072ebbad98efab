package lab

import (
	"fmt"
	"unicode/utf8"
)

// clipLimit is how much of a user's value an error message quotes. Enough
// to recognise the value; a 70 KB paste would otherwise come back as 140 KB
// of error (every byte quoted, some escaped).
const clipLimit = 64

// clip shortens s to its first clipLimit bytes (cut on a rune boundary)
// followed by a marker saying how long it was, so an error never echoes a
// huge value whole. Short values come back unchanged.
func clip(s string) string {
	if len(s) <= clipLimit {
		return s
	}
	cut := clipLimit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…[%d bytes in all]", s[:cut], len(s))
}

// badFault names the spec and what is wrong with it. The spec and any value
// it quotes are clipped (see clip), so a 70 KB paste is not echoed whole.
func badFault(spec, format string, args ...any) error {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = clip(s)
		}
	}
	return fmt.Errorf("%w %q: %s (kinds: %s)", ErrBadFault, clip(spec), fmt.Sprintf(format, args...), FaultSyntax)
}
