package quizscreen

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"cqrslab/internal/safetext"
	"cqrslab/internal/tui/ui"
)

// maxLearnerName bounds the name as `quiz export --learner` does: a name,
// not a paragraph, in every row of a class's table.
const maxLearnerName = 64

// askName opens the name prompt: on the first start of the quiz, so that
// `quiz export` rows say whose answers they are when a class's files are
// merged. It is skippable; `quiz export --learner NAME` sets it later.
func (q *Quiz) askName() {
	q.nameIn = textinput.New()
	q.nameIn.Placeholder = "your name, as the instructor knows you"
	q.nameIn.CharLimit = maxLearnerName
	q.nameIn.SetWidth(40)
	q.nameIn.SetStyles(q.Num.Styles())
	q.Mode = modeName
}

// updateName passes a message to the box; typing (a key or a paste) also
// clears the last problem, the cursor's blinking does not.
func (q *Quiz) updateName(msg tea.Msg) tea.Cmd {
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
		q.inputErr = ""
	}
	var cmd tea.Cmd
	q.nameIn, cmd = q.nameIn.Update(msg)
	return cmd
}

func (q *Quiz) keyName(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, q.keys.SkipName):
		q.leaveName("Skipped. `cqrslab quiz export --learner NAME` adds your name to your export later.")
		return q.focus()
	case key.Matches(msg, q.keys.SaveName):
		name := strings.TrimSpace(q.nameIn.Value())
		if problem := nameProblem(name); problem != "" {
			q.inputErr = problem
			return nil
		}
		q.Sh.Prog.SetLearner(name)
		q.leaveName(fmt.Sprintf("Thanks, %s: your quiz exports carry your name.", safetext.Visible(name)))
		return tea.Batch(q.focus(), saveProgress(q.Sh.Store, q.Sh.Prog.Clone()))
	}
	return q.updateName(msg)
}

// nameProblem says what is wrong with a typed name, or "".
func nameProblem(name string) string {
	switch {
	case name == "":
		return "Type a name, or press esc to skip."
	case utf8.RuneCountInString(name) > maxLearnerName:
		return fmt.Sprintf("At most %d characters.", maxLearnerName)
	case strings.ContainsFunc(name, unicode.IsControl):
		return "A name without control characters, please."
	}
	return ""
}

// leaveName goes to the question the quiz would have opened on.
func (q *Quiz) leaveName(notice string) {
	q.nameIn.Blur()
	q.inputErr = ""
	q.enter(q.Idx)
	q.Notice = notice
	q.layout()
}

// nameView is the prompt: why the name is asked, the box, and any problem
// with what was typed (the help bar shows enter and esc).
func (q *Quiz) nameView(st ui.Styles) string {
	var b strings.Builder
	b.WriteString(q.wrap("What is your name? It goes into your quiz export, so that your instructor can put a class's results in one table.") + "\n\n")
	b.WriteString("  " + q.nameIn.View() + "\n\n")
	if q.inputErr != "" {
		b.WriteString(st.Bad.Render(q.inputErr) + "\n")
	} else {
		b.WriteString(st.Dim.Render(q.wrap("Kept in your progress file only. Press esc to skip; you can add it later.")) + "\n")
	}
	return b.String()
}
