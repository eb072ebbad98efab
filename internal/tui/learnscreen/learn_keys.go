package learnscreen

import "charm.land/bubbles/v2/key"

// learnKeys are the Learn screen's keys: reading keys, and the walk's keys
// that run CreatePost for real and break or mend Redis on the way.
type learnKeys struct {
	Forward, Back        key.Binding // → and ←: read on / back, turning the page only at its end
	Prev, Next           key.Binding // p and n: turn the page now
	ScrollUp, ScrollDown key.Binding
	PageUp, PageDown     key.Binding
	Top, Bottom          key.Binding
	Copy                 key.Binding
	Step                 key.Binding
	Break                key.Binding
	Mend                 key.Binding
	Repair               key.Binding
	Demo                 key.Binding // the claims page's measurements
	Hint, ShowMe         key.Binding
}

func defaultLearnKeys() learnKeys {
	return learnKeys{
		Forward:    key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "read on")),
		Back:       key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "back")),
		Prev:       key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "previous page")),
		Next:       key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next page")),
		ScrollUp:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑", "scroll up")),
		ScrollDown: key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "scroll down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "screen up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "space"), key.WithHelp("space", "screen down")),
		Top:        key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:     key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "end")),
		Copy:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy connection commands")),
		Step:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run the next step")),
		Break:      key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "break Redis")),
		Mend:       key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "heal Redis")),
		Repair:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "repair the feed")),
		Demo:       key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "measure claims c, e")),
		Hint:       key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "hint")),
		ShowMe:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "show me")),
	}
}
