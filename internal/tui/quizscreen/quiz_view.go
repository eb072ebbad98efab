package quizscreen

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"cqrslab/internal/safetext"
	"cqrslab/internal/tui/ui"
	"cqrslab/quiz"
)

// ApplyStyles gives the answer boxes the app's theme: the quiz draws
// everything else with the shared styles, which the root rebuilds when the
// theme, the background or NO_COLOR changes.
func (q *Quiz) ApplyStyles() {
	st := q.Sh.St
	ts := textarea.DefaultStyles(st.Dark)
	is := textinput.DefaultStyles(st.Dark)
	plain := lipgloss.NewStyle()
	switch {
	case st.NoColor:
		ts.Focused = textarea.StyleState{Base: plain, Text: plain, Placeholder: plain, Prompt: plain, CursorLine: plain, EndOfBuffer: plain, LineNumber: plain, CursorLineNumber: plain}
		ts.Blurred = ts.Focused
		is.Focused = textinput.StyleState{Text: plain, Placeholder: plain, Prompt: plain, Suggestion: plain}
		is.Blurred = is.Focused
	case st.HighContr:
		// The defaults' greys fade on a projector: the theme's own colours.
		ts.Focused.Placeholder, ts.Focused.Prompt, ts.Focused.EndOfBuffer = st.Dim, st.Accent, st.Dim
		ts.Focused.CursorLine = plain
		ts.Blurred = ts.Focused
		is.Focused.Placeholder, is.Focused.Prompt = st.Dim, st.Accent
		is.Blurred = is.Focused
	}
	// --no-animation means nothing moves on its own, the cursor included
	// (a blinking cursor also wakes the program twice a second for nothing).
	ts.Cursor.Blink, is.Cursor.Blink = q.Sh.Animate, q.Sh.Animate
	q.Ta.SetStyles(ts)
	q.Num.SetStyles(is)
	q.nameIn.SetStyles(is)
}

// View draws the quiz screen at its size.
func (q *Quiz) View() string {
	st := q.Sh.St
	top, bottom := q.top(st), q.bottom(st)
	var middle string
	switch q.Mode {
	case modeName:
		middle = q.nameView(st)
	case modeReview, modeConfirm, ModeFeedback:
		middle = q.Body.View()
		if !q.Body.AtBottom() {
			lines := strings.Split(middle, "\n")
			lines[len(lines)-1] = st.Dim.Render("  ↓ more below: ↑/↓ or pgup/pgdown to scroll")
			middle = strings.Join(lines, "\n")
		}
	default:
		middle = strings.TrimRight(q.answerView(st), "\n")
	}
	if bottom == "" {
		return top + middle
	}
	// Keep the notice on the last line whatever the question, just above
	// the help bar the root draws.
	if gap := q.Height - strings.Count(top, "\n") - lipgloss.Height(middle) - lipgloss.Height(bottom); gap > 0 {
		middle += strings.Repeat("\n", gap)
	}
	return top + middle + "\n" + bottom
}

// ChromeHeight is every line that is not the answer box or the scrolling
// body: header, question, the lists of a choice or ordering question,
// notices and help.
func (q *Quiz) ChromeHeight() int {
	st := q.Sh.St
	h := strings.Count(q.top(st), "\n") // top ends in a newline
	if b := q.bottom(st); b != "" {
		h += lipgloss.Height(b)
	}
	if q.Mode == ModeAnswer && q.current().Kind != quiz.FreeText {
		h += lipgloss.Height(q.answerView(st)) // fixed size; the rest stays free
	}
	return h
}

func (q *Quiz) wrap(s string) string { return lipgloss.Wrap(s, max(20, q.width), " -") }

// top is the header and, while on a question, the question itself.
func (q *Quiz) top(st ui.Styles) string {
	cur := q.current()
	var b strings.Builder
	if q.Mode == modeName {
		b.WriteString(st.Title.Render("Quiz") + st.Dim.Render(" · before the first question") + "\n\n")
		return b.String()
	}
	if q.Mode == modeReview || q.Mode == modeConfirm {
		b.WriteString(st.Title.Render("Quiz") + st.Dim.Render(" · review of your answers") + "\n\n")
		return b.String()
	}
	sec := q.Bank.SectionIndex(cur.ID)
	fmt.Fprintf(&b, "%s%s\n", st.Title.Render("Quiz"),
		st.Dim.Render(fmt.Sprintf(" · prompt %d of %d: %s", sec+1, len(q.Bank.Sections), q.Bank.Sections[sec].Prompt.Title)))
	status := "not answered yet"
	if best, passed, n := q.Sh.Prog.Best(cur.ID); n > 0 {
		status = fmt.Sprintf("best %.2f (%s), %d %s", best, passWord(passed), n, plural(n, "try", "tries"))
	}
	if q.compact {
		b.WriteString(st.Dim.Render(ansi.Truncate(fmt.Sprintf("Question %d of %d · %s", q.Idx+1, len(q.Bank.Questions()), status), q.width, "…")) + "\n")
		b.WriteString(st.Heading.Render(ansi.Truncate(strings.Join(strings.Fields(cur.PromptText(q.run)), " "), q.width, "…")) + "\n")
		return b.String()
	}
	b.WriteString(st.Dim.Render(q.wrap(fmt.Sprintf("Question %d of %d · %s · %s", q.Idx+1, len(q.Bank.Questions()), kindLabel(cur), status))) + "\n\n")
	b.WriteString(st.Heading.Render(q.wrap(cur.PromptText(q.run))) + "\n\n")
	return b.String()
}

func kindLabel(q *quiz.Question) string {
	switch {
	case q.Kind == quiz.FreeText && len(q.FollowUps) > 0:
		return "try-it prompt"
	case q.UsesLab():
		return "about a lab run"
	case q.Kind == quiz.Choice:
		return "pick one"
	case q.Kind == quiz.Ordering:
		return "put in order"
	case q.Kind == quiz.Numeric:
		return "a number"
	}
	return string(q.Kind)
}

func passWord(p bool) string {
	if p {
		return "passed"
	}
	return "not passed yet"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// bottom is the one-line notice, if any; the root draws the help bar.
func (q *Quiz) bottom(st ui.Styles) string {
	var lines []string
	switch {
	case q.Mode == modeConfirm && q.confirmAll:
		lines = append(lines, st.Warn.Render("Reset every quiz answer and start again from question 1? y/n"))
	case q.Mode == modeConfirm:
		lines = append(lines, st.Warn.Render(fmt.Sprintf("Reset question %d (%s)? Its answers are forgotten. y/n", q.reviewCursor+1, q.Bank.Questions()[q.reviewCursor].Title)))
	case q.inputErr != "":
		lines = append(lines, st.Bad.Render(q.wrap(q.inputErr)))
	case q.Notice != "" && !q.compact:
		lines = append(lines, st.Warn.Render(q.wrap(q.Notice)))
	}
	return strings.Join(lines, "\n")
}

// answerView is the input for the current question.
func (q *Quiz) answerView(st ui.Styles) string {
	cur := q.current()
	switch cur.Kind {
	case quiz.Choice:
		var b strings.Builder
		for i, o := range cur.Options {
			line := q.hanging(fmt.Sprintf("%s) %s", quiz.Letter(i), o.Text), 5)
			if i == q.choice {
				b.WriteString(st.Accent.Render("> ") + st.Selected.Render(line) + "\n")
			} else {
				b.WriteString("  " + line + "\n")
			}
		}
		return b.String() + q.inputHint(st, "")
	case quiz.Ordering:
		var b strings.Builder
		for i, id := range q.Order {
			text := ""
			for _, s := range cur.Steps {
				if s.ID == id {
					text = s.Text
				}
			}
			line := q.hanging(fmt.Sprintf("%d. %s", i+1, text), 5)
			switch {
			case i == q.Cursor && q.holding:
				b.WriteString(st.Accent.Render("↕ ") + st.Selected.Render(line) + "\n")
			case i == q.Cursor:
				b.WriteString(st.Accent.Render("> ") + line + "\n")
			default:
				b.WriteString("  " + line + "\n")
			}
		}
		tip := "Select a step with ↑/↓, press space to pick it up, move it, space to put it down."
		if q.holding {
			tip = "Moving the step: ↑/↓ to move it, space to put it down."
		}
		return b.String() + q.inputHint(st, tip)
	case quiz.Numeric:
		unit := ""
		if cur.Number.Unit != "" {
			unit = " " + cur.Number.Unit
		}
		return q.Num.View() + st.Dim.Render(unit) + "\n"
	}
	if len(q.HintLines) == 0 {
		return q.Ta.View()
	}
	hints := strings.Join(q.HintLines, "\n")
	if q.HintsBeside {
		return lipgloss.JoinHorizontal(lipgloss.Top, q.Ta.View(), "  ", hints)
	}
	return hints + "\n" + q.Ta.View()
}

// retryHints are the last grade's hints and the ideas to rethink, kept in
// view while the learner tries again: the editor must not hide what to
// add. Each line is wrapped to w.
func (q *Quiz) retryHints(st ui.Styles, w int) []string {
	r := q.Retry
	if r == nil || (len(r.Missed) == 0 && len(r.Misconceptions) == 0 && len(r.Notes) == 0) {
		return nil
	}
	wrap := func(mark, s string) []string {
		body := strings.Split(lipgloss.Wrap(s, max(10, w-3), " -"), "\n")
		for i := range body {
			if i == 0 {
				body[i] = mark + " " + body[i]
			} else {
				body[i] = "   " + body[i]
			}
		}
		return body
	}
	lines := []string{st.Heading.Render("Hints from your last try")}
	for _, n := range r.Notes {
		lines = append(lines, wrap(st.Warn.Render(" !"), n)...)
	}
	for _, f := range r.Misconceptions {
		lines = append(lines, wrap(st.Bad.Render(" ✗"), "Rethink: "+f.Summary)...)
	}
	for _, f := range r.Missed {
		hint := f.Hint
		if hint == "" {
			hint = "Think it through again."
		}
		lines = append(lines, wrap(st.Warn.Render(" ○"), hint)...)
	}
	return lines
}

// hanging wraps a list item to the screen, indenting its later lines by
// indent cells so they sit under the item's text.
func (q *Quiz) hanging(s string, indent int) string {
	w := max(20, q.width-2)
	return strings.ReplaceAll(lipgloss.Wrap(s, w, " -"), "\n", "\n"+strings.Repeat(" ", indent))
}

func (q *Quiz) inputHint(st ui.Styles, s string) string {
	if s == "" {
		return ""
	}
	return st.Dim.Render(q.wrap(s)) + "\n"
}

// FeedbackText explains the grade: hints first, everything on reveal.
func (q *Quiz) FeedbackText() string {
	st := q.Sh.St
	r := q.Result
	if r == nil {
		return ""
	}
	var b strings.Builder
	cur := q.current()
	switch {
	case cur.Kind == quiz.Choice || cur.Kind == quiz.Numeric:
		if r.Passed {
			b.WriteString(st.Good.Render("Right.") + "\n")
		} else {
			b.WriteString(st.Bad.Render("Not right yet.") + "\n")
		}
	default:
		verdict := st.Good.Render("passed")
		if !r.Passed {
			verdict = st.Bad.Render("not passed yet")
		}
		fmt.Fprintf(&b, "%s %.2f of 1 · %s %s\n", st.Heading.Render("Score"), r.Score, verdict, st.Dim.Render(fmt.Sprintf("(pass mark %.2f)", r.PassMark)))
	}
	// A missed required point on an answer that otherwise reaches the pass
	// mark, or an answer not in English: the grader is not sure, so the
	// student is told a person will look, not that they failed.
	if r.NeedsReview {
		b.WriteString(st.Warn.Render("An instructor should look at this answer.") + "\n")
	}
	switch r.LabSource {
	case quiz.SourceOwn:
		b.WriteString(st.Dim.Render("Graded against your own lab run.") + "\n")
	case quiz.SourceExample:
		b.WriteString(st.Dim.Render("Graded against the recorded example run.") + "\n")
	}
	for _, n := range r.Notes {
		b.WriteString(st.Warn.Render(q.wrap("! "+n)) + "\n")
	}
	indent := func(s string) string {
		return strings.ReplaceAll(lipgloss.Wrap(s, max(20, q.width-4), " -"), "\n", "\n    ")
	}
	quote := func(ev string) string {
		if cur.Kind == quiz.FreeText {
			return "you wrote: “" + safetext.Visible(ev) + "”"
		}
		return safetext.Visible(ev)
	}
	if len(r.Found) > 0 {
		fmt.Fprintf(&b, "\n%s\n", st.Heading.Render(foundHeading(cur, r)))
		for _, f := range r.Found {
			fmt.Fprintf(&b, "%s %s\n", st.Good.Render(" ✓"), indent(f.Summary))
			if f.Evidence != "" {
				fmt.Fprintf(&b, "    %s\n", st.Dim.Render(indent(quote(f.Evidence))))
			}
			fmt.Fprintf(&b, "    %s\n", indent(f.Feedback))
		}
	}
	if len(r.Misconceptions) > 0 {
		fmt.Fprintf(&b, "\n%s\n", st.Heading.Render("To rethink"))
		for _, f := range r.Misconceptions {
			fmt.Fprintf(&b, "%s %s\n", st.Bad.Render(" ✗"), indent(f.Summary))
			if f.Evidence != "" {
				fmt.Fprintf(&b, "    %s\n", st.Dim.Render(indent(quote(f.Evidence))))
			}
			fmt.Fprintf(&b, "    %s\n", indent(f.Feedback))
		}
	}
	// Once revealed, the explanation below says it all for a choice, an
	// order or a number; only free text lists its missed points again.
	if len(r.Missed) > 0 && (!q.revealed || cur.Kind == quiz.FreeText || r.Reveal == "") {
		fmt.Fprintf(&b, "\n%s\n", st.Heading.Render(missedHeading(cur, r, q.revealed)))
		for _, f := range r.Missed {
			if q.revealed {
				fmt.Fprintf(&b, "%s %s\n    %s\n", st.Warn.Render(" ○"), indent(f.Summary), indent(f.Feedback))
				continue
			}
			hint := f.Hint
			if hint == "" {
				hint = "Think it through again."
			}
			if cur.Kind == quiz.Ordering { // the step is no secret, only its place
				fmt.Fprintf(&b, "%s %s\n    %s\n", st.Warn.Render(" ○"), indent(f.Summary), indent(f.Evidence+". Hint: "+hint))
				continue
			}
			fmt.Fprintf(&b, "%s %s\n", st.Warn.Render(" ○"), indent("Hint: "+hint))
		}
	}
	if q.revealed && r.Reveal != "" {
		label := "Explanation"
		if cur.Kind == quiz.FreeText {
			label = "A model answer"
		}
		fmt.Fprintf(&b, "\n%s\n%s\n", st.Heading.Render(label), q.wrap(r.Reveal))
	}
	if !q.revealed && (len(r.Missed) > 0 || len(r.Misconceptions) > 0) {
		b.WriteString("\n" + st.Dim.Render(q.wrap("Press r to try again with these hints, or a to see the full answer.")) + "\n")
	} else if !q.revealed {
		b.WriteString("\n" + st.Dim.Render(q.wrap("Press a to compare with the full answer, or n for the next question.")) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func foundHeading(q *quiz.Question, r *quiz.Result) string {
	if q.Kind == quiz.FreeText {
		return fmt.Sprintf("Found: %d of %d key points", len(r.Found), len(r.Found)+len(r.Missed))
	}
	if q.Kind == quiz.Ordering {
		return fmt.Sprintf("In place: %d of %d steps", len(r.Found), len(q.Steps))
	}
	return "Right"
}

func missedHeading(q *quiz.Question, r *quiz.Result, revealed bool) string {
	switch {
	case q.Kind == quiz.FreeText && revealed:
		return fmt.Sprintf("Missed: %d key points", len(r.Missed))
	case q.Kind == quiz.FreeText:
		return fmt.Sprintf("Missed: %d key points (hints only; a shows them)", len(r.Missed))
	case q.Kind == quiz.Ordering:
		return "Out of place"
	case revealed:
		return "The right answer"
	}
	return "Not quite"
}

// reviewText lists every question with its best score, section by section.
func (q *Quiz) reviewText() string {
	lines, _ := q.reviewLines()
	return strings.Join(lines, "\n")
}

func (q *Quiz) reviewLine(i int) int {
	_, at := q.reviewLines()
	return at[i]
}

func (q *Quiz) reviewLines() ([]string, []int) {
	st := q.Sh.St
	var lines []string
	at := make([]int, len(q.Bank.Questions()))
	if q.reviewEnd {
		lines = append(lines, st.Heading.Render("You have reached the end of the quiz."), st.Dim.Render("Open any question to read its feedback again or to try it once more."), "")
	}
	passedAll, prompts := 0, 0
	for _, bq := range q.Bank.Questions() {
		if _, p, _ := q.Sh.Prog.Best(bq.ID); p {
			passedAll++
		}
	}
	for _, sec := range q.Bank.Sections {
		if _, p, _ := q.Sh.Prog.Best(sec.Prompt.ID); p {
			prompts++
		}
	}
	lines = append(lines,
		fmt.Sprintf("Passed %d of %d questions, and %d of %d try-it prompts.", passedAll, len(q.Bank.Questions()), prompts, len(q.Bank.Sections)),
		st.Dim.Render("✓ passed   ~ tried, not passed yet   · not tried"), "")
	n := 0
	for si, sec := range q.Bank.Sections {
		passed, tried := 0, 0
		for _, sq := range sec.Questions[1:] {
			if _, p, k := q.Sh.Prog.Best(sq.ID); k > 0 {
				tried++
				if p {
					passed++
				}
			}
		}
		promptScore := "not tried"
		if best, p, k := q.Sh.Prog.Best(sec.Prompt.ID); k > 0 {
			promptScore = fmt.Sprintf("%.2f", best)
			if p {
				promptScore += " ✓"
			}
		}
		title := fmt.Sprintf("%d. %s", si+1, sec.Prompt.Title)
		stats := fmt.Sprintf(" · prompt %s · follow-ups passed %d/%d", promptScore, passed, len(sec.Questions)-1)
		if lipgloss.Width(title+stats) <= q.width {
			lines = append(lines, st.Heading.Render(title)+st.Dim.Render(stats))
		} else {
			lines = append(lines, st.Heading.Render(title), st.Dim.Render("  "+strings.TrimPrefix(stats, " · ")))
		}
		for _, sq := range sec.Questions {
			mark, score := "·", "    "
			if best, p, k := q.Sh.Prog.Best(sq.ID); k > 0 {
				mark, score = "~", fmt.Sprintf("%.2f", best)
				if p {
					mark = "✓"
				}
			}
			line := fmt.Sprintf("%s %s  %s", mark, score, sq.Title)
			at[n] = len(lines)
			if n == q.reviewCursor {
				line = st.Accent.Render("> ") + st.Selected.Render(line)
			} else {
				line = "  " + line
			}
			lines = append(lines, line)
			n++
		}
		lines = append(lines, "")
	}
	return lines, at
}
