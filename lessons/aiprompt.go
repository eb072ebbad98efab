package lessons

import (
	"fmt"
	"strings"
)

// promptWidth is where the AI prompt's prose wraps: narrow enough to read in
// a chat box or an e-mail, and the assistant does not care.
const promptWidth = 78

// PromptText is the lesson as plain text to paste into an AI assistant: who
// is asking and what for, the lesson in brief (each page's summary), the
// demo code, and the try-it prompts, numbered, in the order given. It
// stands alone: the assistant needs nothing else to tutor the learner.
func PromptText(pages []Page, code string, prompts []string) string {
	var b strings.Builder
	heading := func(s string) { fmt.Fprintf(&b, "%s\n%s\n\n", s, strings.Repeat("=", len([]rune(s)))) }

	heading(Title + ": a lesson to work through with you")
	para(&b, "I am learning synchronous CQRS with two databases, using cqrslab, a "+
		"terminal lab that runs the pattern against real PostgreSQL and Redis. "+
		"Below are the lesson in brief, the demo code it studies, and "+
		count(len(prompts), "question")+". Please be my tutor:")
	list(&b, []string{
		"Explain in plain words why the pattern exists and what it costs.",
		"Walk me through the demo code, step by step: what each store holds after each step, and what can fail.",
		"Then ask me the questions at the end, one at a time and in order. Wait for my answer to each, " +
			"tell me what I got right and what I missed, and only then ask the next: each builds on the one before.",
	}, true)

	heading("The lesson in brief")
	items := make([]string, len(pages))
	for i, p := range pages {
		items[i] = p.Title + ". " + p.Summary
	}
	list(&b, items, false)

	heading("The demo code (Go)")
	para(&b, "The seed lesson's PostService. CreatePost writes PostgreSQL, then "+
		"Redis; GetFeed reads Redis only. The lab's engine runs the same steps, "+
		"with input validation and millisecond scores added.")
	b.WriteString(strings.TrimRight(code, "\n"))
	b.WriteString("\n\n")

	heading("The questions (in this order)")
	list(&b, prompts, true)
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// count says "three questions" (digits beyond ten).
func count(n int, noun string) string {
	words := []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
	num := fmt.Sprint(n)
	if n < len(words) {
		num = words[n]
	}
	if n != 1 {
		noun += "s"
	}
	return num + " " + noun
}

// para writes one wrapped paragraph and a blank line.
func para(b *strings.Builder, text string) {
	b.WriteString(wrap(text, promptWidth, ""))
	b.WriteString("\n\n")
}

// list writes items as a wrapped list, numbered or with dashes, with the
// continuation lines indented under the text, and a blank line after.
func list(b *strings.Builder, items []string, numbered bool) {
	for i, it := range items {
		bullet := "- "
		if numbered {
			bullet = fmt.Sprintf("%d. ", i+1)
		}
		indent := strings.Repeat(" ", len(bullet))
		b.WriteString(bullet + wrap(it, promptWidth-len(bullet), indent))
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

// wrap breaks text at spaces into lines of at most width runes (a longer
// word gets a line of its own), starting every line after the first with
// indent.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(text) {
		wl := len([]rune(w))
		switch {
		case i == 0:
		case n+1+wl > width:
			b.WriteString("\n" + indent)
			n = 0
		default:
			b.WriteString(" ")
			n++
		}
		b.WriteString(w)
		n += wl
	}
	return b.String()
}
