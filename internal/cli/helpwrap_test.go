package cli

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spf13/pflag"
)

func TestWordWrapBreaksAtSpacesOnly(t *testing.T) {
	got := wordWrap("the PostgreSQL image for --infra docker, high-contrast", 14)
	want := "the PostgreSQL\nimage for\n--infra\ndocker,\nhigh-contrast"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestHelpFitsEightyColumns: with the descriptions wrapped for an
// 80-column terminal, every command's and flag's line fits: its column
// starts at the widest name plus a gap, 4 columns in.
func TestHelpFitsEightyColumns(t *testing.T) {
	root := newRoot(Stdio{})
	wrapHelp(root, 80)
	var check func(c *pflag.FlagSet, path string)
	check = func(fs *pflag.FlagSet, path string) {
		fs.VisitAll(func(f *pflag.Flag) {
			for _, l := range strings.Split(f.Usage, "\n") {
				if n := utf8.RuneCountInString(l); n > 80-4-len(flagKey(f))-2 && n > 24 {
					t.Errorf("%s --%s: line of %d runes: %q", path, f.Name, n, l)
				}
			}
		})
	}
	for _, c := range append(root.Commands(), root) {
		check(c.Flags(), c.CommandPath())
		for _, sc := range c.Commands() {
			check(sc.Flags(), sc.CommandPath())
		}
	}
}
