package quizscreen

import (
	"cqrslab/internal/tui/ui"

	"charm.land/bubbles/v2/key"

	"cqrslab/quiz"
)

// quizKeys are every key the quiz screen answers to. Which ones are live, and
// shown in the help bar, depends on what the screen is doing: while the
// learner types, only ctrl- and tab keys act, so that every letter reaches
// the answer.
type quizKeys struct {
	Submit     key.Binding // free text: enter makes a new line, so ctrl+s
	SubmitLine key.Binding // one-line answers and lists
	Next       key.Binding
	Prev       key.Binding
	Review     key.Binding // works while typing
	ReviewKey  key.Binding // a single letter, where nothing is being typed
	Home       key.Binding
	Quit       key.Binding

	Up, Down key.Binding
	Pick     key.Binding // choice: jump to an option by its letter
	Hold     key.Binding // ordering: pick a step up / put it down

	Retry    key.Binding
	Reveal   key.Binding
	NextKey  key.Binding
	Scroll   key.Binding // help only: ↑/↓ scroll the feedback
	Open     key.Binding
	Reset    key.Binding
	ResetAll key.Binding
	Yes, No  key.Binding

	SaveName, SkipName key.Binding // the name prompt
}

func defaultQuizKeys() quizKeys {
	return quizKeys{
		Submit:     key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "submit")),
		SubmitLine: key.NewBinding(key.WithKeys("enter", "ctrl+s"), key.WithHelp("enter", "submit")),
		Next:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next question")),
		Prev:       key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous")),
		Review:     key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "review answers")),
		ReviewKey:  key.NewBinding(key.WithKeys("v", "ctrl+r"), key.WithHelp("v", "review answers")),
		Home:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "home")),
		Quit:       key.NewBinding(key.WithKeys("q")), // only when the app holds it back (HoldQuit)

		Up:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "move")),
		Down: key.NewBinding(key.WithKeys("down", "j")),
		Pick: key.NewBinding(key.WithKeys("a", "b", "c", "d", "e", "f"), key.WithHelp("a–d", "choose")),
		Hold: key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pick up/put down")),

		Retry:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "try again")),
		Reveal:   key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "show full answer")),
		NextKey:  key.NewBinding(key.WithKeys("n", "tab"), key.WithHelp("n", "next question")),
		Scroll:   key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"), key.WithHelp("↑/↓", "scroll")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Reset:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "reset question")),
		ResetAll: key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "reset whole quiz")),
		Yes:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes, reset")),
		No:       key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "no")),
		SaveName: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save name")),
		SkipName: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "skip")),
	}
}

// ShortHelp lists the bindings that work right now, in the order a
// newcomer needs them: how to answer first, how to leave last. The root
// adds ? and q, or, while the learner types, ctrl+c.
func (q *Quiz) ShortHelp() []key.Binding {
	k := q.keys
	switch q.Mode {
	case modeName:
		return []key.Binding{k.SaveName, k.SkipName}
	case modeConfirm:
		return []key.Binding{k.Yes, k.No}
	case modeReview:
		return []key.Binding{k.Up, k.Open, k.Reset, k.ResetAll, ui.Relabel(k.Home, "esc", "back to question")}
	case ModeFeedback:
		b := []key.Binding{k.Retry}
		if !q.revealed {
			b = append(b, k.Reveal)
		}
		return append(b, k.NextKey, k.Prev, k.Scroll, k.ReviewKey, k.Home)
	}
	// While the learner types, every letter is text: q would be a q. The
	// bar says the way out.
	leave := ui.Relabel(k.Home, "esc", "home (then q quits)")
	switch q.current().Kind {
	case "choice":
		return []key.Binding{k.Up, k.Pick, k.SubmitLine, k.Next, k.Prev, k.ReviewKey, k.Home}
	case "ordering":
		return []key.Binding{ui.Relabel(k.Up, "↑/↓", "move cursor"), k.Hold, k.SubmitLine, k.Next, k.Prev, k.ReviewKey, k.Home}
	case "numeric":
		return []key.Binding{k.SubmitLine, k.Next, k.Prev, k.Review, leave}
	}
	return []key.Binding{k.Submit, k.Next, k.Prev, k.Review, leave}
}

// FullHelp is every key of the quiz, for ?. Short enough to fit 80×24
// with the app's own keys below it.
func (q *Quiz) FullHelp() []ui.KeyGroup {
	k := q.keys
	return []ui.KeyGroup{
		{Title: "Answering", Keys: []key.Binding{ui.Relabel(k.Submit, "ctrl+s/enter", "submit (ctrl+s for a written answer, enter otherwise)"),
			ui.Relabel(k.Next, "tab/shift+tab", "next / previous question"),
			ui.Relabel(k.Up, "↑/↓ a–d space", "choose an option, or pick up and move a step"),
			ui.Relabel(k.Review, "v/ctrl+r", "review every answer (ctrl+r while typing)")}},
		{Title: "After an answer", Keys: []key.Binding{ui.Relabel(k.Retry, "r", "try again, with the hints beside the answer"),
			ui.Relabel(k.Reveal, "a", "show the full answer"), ui.Relabel(k.NextKey, "n · ↑/↓", "next question · scroll the feedback")}},
		{Title: "Review", Keys: []key.Binding{ui.Relabel(k.Open, "enter", "open the question"),
			ui.Relabel(k.Reset, "x/X · y/n", "reset a question / the whole quiz · confirm")}},
	}
}

// Typing reports whether the answer box has the keys.
func (q *Quiz) Typing() bool {
	if q.Mode == modeName {
		return true
	}
	if q.Mode != ModeAnswer {
		return false
	}
	k := q.current().Kind
	return k == quiz.FreeText || k == quiz.Numeric
}

// Modal is always true: esc means something on every quiz mode (home with
// the draft kept, back to the question, no), so the quiz takes it itself.
func (q *Quiz) Modal() bool { return true }

// MinSize is the smallest window the quiz is laid out for: it is text.
func (q *Quiz) MinSize() (int, int) { return ui.MinWidth, ui.MinHeight }
