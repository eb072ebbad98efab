package lessons

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func fixturePages(t *testing.T) []Page {
	t.Helper()
	pages, err := Load(fixture(nil))
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

func TestMarkdownMarksHighlightedLines(t *testing.T) {
	md := Markdown(fixturePages(t), fixtureCode)
	// The insert page highlights 2 and 6-7: its excerpt shows 1-3 and 5-8
	// (one line of context each side), with a "⋮" between the two chunks.
	excerpt := "```go\n" +
		" 1   package main\n" +
		" 2 " + Marker + "\n" +
		" 3   import \"fmt\"\n" +
		" ⋮\n" +
		" 5   func main() {\n" +
		" 6 " + Marker + "     x := 1\n" +
		" 7 " + Marker + "     y := 2\n" +
		" 8       fmt.Println(x + y)\n" +
		"```\n"
	if !strings.Contains(md, excerpt) {
		t.Errorf("no marked excerpt like\n%s\nin\n%s", excerpt, md)
	}
	for _, want := range []string{
		"# " + Title + "\n",
		"1. Why\n2. The INSERT\n",
		"## The code under study",
		"10   // end\n",
		"## The INSERT\n\nEngine step: `postgres.insert`\n\nThe body.",
		"- **PostgreSQL:** The row, committed.\n- **Redis:** Unchanged.\n- **GetFeed:** The old feed.\n",
		"**In the code:** lines 2, 6-7, marked " + Marker + ".",
		"> **Hint:** Look at both panels.\n",
		"**Show me:** run `cqrslab feed --author alice`\n",
		"**Show me:** A thing to reveal.\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if strings.Index(md, "## Why") > strings.Index(md, "## The INSERT") {
		t.Error("pages out of order")
	}
}

func TestPromptTextStandsAlone(t *testing.T) {
	txt := PromptText(fixturePages(t), fixtureCode, []string{"Explain it.", "Walk through it.", "Break it."})
	if flat := strings.Join(strings.Fields(txt), " "); !strings.Contains(flat, "and three questions. Please be my tutor:") {
		t.Errorf("the intro does not ask for a tutor for three questions:\n%s", txt)
	}
	for _, want := range []string{
		"- Why. The idea.\n",
		"- The INSERT. The commit point.\n",
		fixtureCode,
		"1. Explain it.\n2. Walk through it.\n3. Break it.\n",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("prompt text lacks %q:\n%s", want, txt)
		}
	}
	if strings.ContainsAny(txt, "*`") {
		t.Error("the prompt text carries markdown markup")
	}
	// Prose wraps at promptWidth; the code is left as it is.
	prose, _, _ := strings.Cut(txt, fixtureCode)
	for l := range strings.SplitSeq(prose, "\n") {
		if n := utf8.RuneCountInString(l); n > promptWidth {
			t.Errorf("line of %d runes: %q", n, l)
		}
	}
}

func TestWrap(t *testing.T) {
	got := wrap("aaa bbb ccc dddddddddd e", 7, "  ")
	want := "aaa bbb\n  ccc\n  dddddddddd\n  e"
	if got != want {
		t.Errorf("wrap = %q, want %q", got, want)
	}
}
