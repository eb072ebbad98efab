package cli

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestPipedHelpFitsEightyColumns checks help written to a file or a pipe:
// wrapped to 80 columns and without fang's padding at the end of lines,
// for the root and for a command with long flag descriptions.
func TestPipedHelpFitsEightyColumns(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"experiment", "--help"}, {"fault", "--help"}, {"help", "bench"}} {
		code, out, _ := runCLI(t, args...)
		if code != 0 || out == "" {
			t.Fatalf("%v: exit %d, %d bytes of help", args, code, len(out))
		}
		for i, line := range strings.Split(out, "\n") {
			if strings.TrimRight(line, " \t") != line {
				t.Errorf("%v line %d ends in blanks: %q", args, i+1, line)
			}
			if n := utf8.RuneCountInString(line); n > 80 {
				t.Errorf("%v line %d is %d columns: %q", args, i+1, n, line)
			}
		}
	}
}
