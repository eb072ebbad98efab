package cli

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestPipedHelpFitsEightyColumns checks help written to a file or a pipe:
// wrapped to 80 columns, without fang's padding at the end of lines, and
// every later line of a description starting in its column (a default too
// long for its line once began one column right of it, after fang's
// space), for the root and for commands with long flag descriptions and
// defaults. It runs with the images' defaults and with a long image name
// from the environment, as a workshop's mirror would give.
func TestPipedHelpFitsEightyColumns(t *testing.T) {
	for _, image := range []string{"", "registry.example.internal/postgres:17-alpine"} {
		t.Setenv("CQRSLAB_POSTGRES_IMAGE", image)
		for _, args := range [][]string{{"--help"}, {"lab", "up", "--help"}, {"experiment", "--help"}, {"fault", "--help"}, {"help", "bench"}} {
			code, out, _ := runCLI(t, args...)
			if code != 0 || out == "" {
				t.Fatalf("%v: exit %d, %d bytes of help", args, code, len(out))
			}
			if image != "" && !strings.Contains(out, "("+image+")") && strings.Contains(out, "--postgres-image") {
				t.Errorf("%v: the image from the environment is not shown as the default:\n%s", args, out)
			}
			lines := strings.Split(out, "\n")
			for i, line := range lines {
				if strings.TrimRight(line, " \t") != line {
					t.Errorf("%v line %d ends in blanks: %q", args, i+1, line)
				}
				if n := utf8.RuneCountInString(line); n > 80 {
					t.Errorf("%v line %d is %d columns: %q", args, i+1, n, line)
				}
			}
			for _, i := range strayIndents(lines) {
				t.Errorf("%v line %d starts outside its description's column: %q\nunder %q", args, i+1, lines[i], rowAbove(lines, i))
			}
		}
	}
}

// strayIndents returns the lines of help that start at a column no layout
// gives: fang's are 0, 2 (text) and 4 (a command's or flag's name), and a
// description's later lines start where a word starts on its row (the
// nearest line above at 4 or less), which is the description's column.
func strayIndents(lines []string) []int {
	var bad []int
	for i, l := range lines {
		n := len(l) - len(strings.TrimLeft(l, " "))
		if l == "" || n == 0 || n == 2 || n == 4 {
			continue
		}
		row := []rune(rowAbove(lines, i))
		if n <= 4 || n >= len(row) || row[n-1] != ' ' || row[n] == ' ' {
			bad = append(bad, i)
		}
	}
	return bad
}

// rowAbove is the nearest line above i that starts a row (indented 4 or
// less, not blank).
func rowAbove(lines []string, i int) string {
	for j := i - 1; j >= 0; j-- {
		if l := lines[j]; strings.TrimSpace(l) != "" && len(l)-len(strings.TrimLeft(l, " ")) <= 4 {
			return l
		}
	}
	return ""
}
