package lessons

import (
	"fmt"
	"strings"
)

// Marker points at a highlighted line in a document's code, in the gutter
// between the line number and the code, where it costs no width.
const Marker = "▶"

// tabWidth is how wide a tab of the seed code is in a document: Go's usual
// display width, fixed so slides and print agree.
const tabWidth = 4

// Markdown is the whole lesson as one markdown document, for slides or
// print: the title, a table of contents, the code under study, then every
// page in order with its body, the state of both stores after its step, its
// lines of the code with the highlighted ones marked, its hint as a
// blockquote and its "show me". Pages are separated by horizontal rules,
// which most slide tools read as slide breaks.
func Markdown(pages []Page, code string) string {
	var b strings.Builder
	lines := codeLines(code)

	fmt.Fprintf(&b, "# %s\n\n", Title)
	b.WriteString("A lesson from cqrslab. `CreatePost` commits a post to PostgreSQL, the\n" +
		"source of truth, then adds it to a Redis sorted set that serves as the\n" +
		"feed; `GetFeed` reads Redis only. The pages follow one post through every\n" +
		"step, then break Redis on purpose and repair what breaks.\n\n")
	b.WriteString("**Contents**\n\n")
	for i, p := range pages {
		fmt.Fprintf(&b, "%d. %s\n", i+1, p.Title)
	}

	b.WriteString("\n---\n\n## The code under study\n\n")
	b.WriteString("The seed lesson's `PostService`. Each page points at lines of it by number.\n\n")
	writeCode(&b, lines, []LineRange{{1, len(lines)}}, nil)

	for _, p := range pages {
		b.WriteString("\n---\n\n")
		writePage(&b, p, lines)
	}
	return b.String()
}

func writePage(b *strings.Builder, p Page, lines []string) {
	fmt.Fprintf(b, "## %s\n\n", p.Title)
	if p.Step != "" {
		note := ""
		if p.Outcome == OutcomeError {
			note = ", when it fails"
		}
		fmt.Fprintf(b, "Engine step: `%s`%s\n\n", p.Step, note)
	}
	b.WriteString(p.Body)
	b.WriteString("\n\n")
	if !p.After.IsZero() {
		head := "Right after this step"
		if p.Step == "" {
			head = "At this point"
		}
		fmt.Fprintf(b, "**%s**\n\n", head)
		for _, s := range []struct{ name, text string }{
			{"PostgreSQL", p.After.Postgres}, {"Redis", p.After.Redis}, {"GetFeed", p.After.GetFeed},
		} {
			if s.text != "" {
				fmt.Fprintf(b, "- **%s:** %s\n", s.name, s.text)
			}
		}
		b.WriteString("\n")
	}
	if len(p.Highlight) > 0 {
		fmt.Fprintf(b, "**In the code:** %s %s, marked %s.\n\n", plural(p.Highlight), rangeList(p.Highlight), Marker)
		writeCode(b, lines, withContext(p.Highlight, len(lines)), p.Highlighted)
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "> **Hint:** %s\n\n", p.Hint)
	if cmd, ok := p.ShowMeCommand(); ok {
		fmt.Fprintf(b, "**Show me:** run `%s`\n", cmd)
	} else {
		fmt.Fprintf(b, "**Show me:** %s\n", p.ShowMe)
	}
}

// writeCode writes the chunks of lines as one Go code block with line
// numbers, Marker beside each line that marked reports, and a "⋮" line
// between chunks that do not touch. Tabs become spaces, so the code lines
// up the same in every viewer.
func writeCode(b *strings.Builder, lines []string, chunks []LineRange, marked func(int) bool) {
	width := len(fmt.Sprint(len(lines)))
	b.WriteString("```go\n")
	for i, c := range chunks {
		if i > 0 {
			fmt.Fprintf(b, "%*s\n", width, "⋮")
		}
		for n := c.Start; n <= c.End; n++ {
			mark := " "
			if marked != nil && marked(n) {
				mark = Marker
			}
			code := strings.ReplaceAll(lines[n-1], "\t", strings.Repeat(" ", tabWidth))
			b.WriteString(strings.TrimRight(fmt.Sprintf("%*d %s %s", width, n, mark, code), " ") + "\n")
		}
	}
	b.WriteString("```\n")
}

// withContext widens each range by one line on either side, within the
// code, and merges ranges that then touch, so an excerpt shows where the
// highlighted lines sit.
func withContext(rs []LineRange, n int) []LineRange {
	var out []LineRange
	for _, r := range rs {
		w := LineRange{max(1, r.Start-1), min(n, r.End+1)}
		if len(out) > 0 && w.Start <= out[len(out)-1].End+1 {
			out[len(out)-1].End = max(out[len(out)-1].End, w.End)
			continue
		}
		out = append(out, w)
	}
	return out
}

func rangeList(rs []LineRange) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ", ")
}

func plural(rs []LineRange) string {
	if len(rs) == 1 && rs[0].Start == rs[0].End {
		return "line"
	}
	return "lines"
}
