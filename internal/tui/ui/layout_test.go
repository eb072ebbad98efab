package ui

import (
	"strings"
	"testing"

	"cqrslab/lessons"

	"github.com/charmbracelet/x/ansi"
)

// The fast width must agree with the general one wherever it answers.
func TestWidthAgreesWithANSI(t *testing.T) {
	for r := rune(0x80); r < 0x3000; r++ {
		if narrowSymbol(r) && ansi.StringWidth(string(r)) != 1 {
			t.Errorf("%U %q is %d cells wide, the fast path says 1", r, r, ansi.StringWidth(string(r)))
		}
	}
	st := ThemeStyles(ThemeDark, false)
	for _, s := range []string{
		"", "plain", st.Bad.Render("✗ ") + st.Dim.Render("dim") + "│ ▶ █▏ ⠋ · … —",
		"日本語のタイトル", "emoji 🎉 here", "a\x1b]8;;http://x\x07link\x1b]8;;\x07b", "tab\there", "e\u0301",
		st.codeLine.Render("    x := 1"), "\x1b[", "\x1b]unterminated",
	} {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("width(%q) = %d, ansi says %d", s, got, want)
		}
	}
}

// A flag is never broken at its hyphens: ansi.Wrap always breaks there, and
// an error's fix came out as "cqrslab prepare --" over "save FILE".
func TestWrapTextKeepsFlagsWhole(t *testing.T) {
	s := "Without a registry: `cqrslab prepare --load FILE`, an archive made with `cqrslab prepare --save FILE` elsewhere."
	for w := 20; w <= 80; w++ {
		out := WrapText(s, w)
		for _, l := range strings.Split(out, "\n") {
			if Width(l) > w {
				t.Fatalf("width %d: line %q is %d wide", w, l, Width(l))
			}
			if strings.HasSuffix(strings.TrimSpace(l), "-") {
				t.Fatalf("width %d: a line ends at a hyphen: %q", w, l)
			}
		}
		if got := strings.Join(strings.Fields(out), " "); got != s {
			t.Fatalf("width %d: wrapping changed the words: %q", w, got)
		}
	}
}

// The code pane's title counts its lines right: "line 31", not "lines 31".
func TestCodeViewTitleCountsLines(t *testing.T) {
	st := ThemeStyles(ThemeDark, true)
	for _, c := range []struct {
		ranges []lessons.LineRange
		want   string
	}{
		{[]lessons.LineRange{{Start: 31, End: 31}}, "line 31 marked"},
		{[]lessons.LineRange{{Start: 31, End: 33}}, "lines 31"},
		{[]lessons.LineRange{{Start: 31, End: 31}, {Start: 40, End: 40}}, "lines 31, 40 marked"},
	} {
		out := ansi.Strip(CodeView(st, lessons.Page{Highlight: c.ranges}, 100, 8, true))
		if !strings.Contains(out, c.want) {
			t.Errorf("%v: title lacks %q:\n%s", c.ranges, c.want, out)
		}
	}
}
