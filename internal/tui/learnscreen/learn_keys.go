package learnscreen

import "charm.land/bubbles/v2/key"

// learnKeys are the Learn screen's keys: reading keys, and the walk's keys
// that run CreatePost for real and break or mend Redis on the way.
type learnKeys struct {
	Prev, Next   key.Binding
	Scroll       key.Binding // help only; the viewport reads the keys
	ScrollUp     key.Binding
	ScrollDown   key.Binding
	Step         key.Binding
	Break        key.Binding
	Mend         key.Binding
	Repair       key.Binding
	Demo         key.Binding // the claims page's measurements
	Hint, ShowMe key.Binding
}

func defaultLearnKeys() learnKeys {
	return learnKeys{
		Prev:       key.NewBinding(key.WithKeys("left", "p"), key.WithHelp("←/→", "page")),
		Next:       key.NewBinding(key.WithKeys("right", "n")),
		Scroll:     key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "scroll text")),
		ScrollUp:   key.NewBinding(key.WithKeys("up", "k", "pgup")),
		ScrollDown: key.NewBinding(key.WithKeys("down", "j", "pgdown", "space")),
		Step:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run the next step")),
		Break:      key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "break Redis")),
		Mend:       key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "heal Redis")),
		Repair:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "repair the feed")),
		Demo:       key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "measure claims c, e")),
		Hint:       key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "hint")),
		ShowMe:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "show me")),
	}
}
