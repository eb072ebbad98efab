package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// AppKeys work on every screen. The root adds them to the active screen's
// own keys, so the help bar always lists exactly what works.
type AppKeys struct {
	Quit      key.Binding // q: not while the screen takes typed text
	ForceQuit key.Binding // ctrl+c: always
	Help      key.Binding
	Home      key.Binding
	// In the full help, when it is longer than the window: a line, a
	// page (space, as in a pager), or to either end.
	ScrollUp, ScrollDown, PageUp, PageDown, Top, Bottom key.Binding
}

func DefaultAppKeys() AppKeys {
	return AppKeys{
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
		Home:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "home")),

		ScrollUp:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "scroll")),
		ScrollDown: key.NewBinding(key.WithKeys("down", "j")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "space"), key.WithHelp("space/pgdn", "page")),
		PageUp:     key.NewBinding(key.WithKeys("pgup")),
		Top:        key.NewBinding(key.WithKeys("home", "g")),
		Bottom:     key.NewBinding(key.WithKeys("end", "G")),
	}
}

// HomeKeys are the home screen's.
type HomeKeys struct {
	Up, Down, Open   key.Binding
	Learn, Lab, Quiz key.Binding
}

func DefaultHomeKeys() HomeKeys {
	return HomeKeys{
		Up:    key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "move")),
		Down:  key.NewBinding(key.WithKeys("down", "j", "tab")),
		Open:  key.NewBinding(key.WithKeys("enter", "space"), key.WithHelp("enter", "open")),
		Learn: key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "learn")),
		Lab:   key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "lab")),
		Quiz:  key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "quiz")),
	}
}

// HelpLines lays bindings out on as few lines as the width allows, never
// cutting one off: a key the learner cannot see is a key they do not have.
func HelpLines(h help.Model, bindings []key.Binding, width int) []string {
	var live []key.Binding
	for _, b := range bindings {
		if b.Enabled() && b.Help().Key != "" {
			live = append(live, b)
		}
	}
	var lines []string
	var row []key.Binding
	rowWidth := 0
	for _, b := range live {
		hb := b.Help()
		w := lipgloss.Width(hb.Key) + 1 + lipgloss.Width(hb.Desc)
		if len(row) > 0 && rowWidth+3+w > width {
			lines = append(lines, h.ShortHelpView(row))
			row, rowWidth = nil, 0
		}
		if len(row) > 0 {
			rowWidth += 3
		}
		row = append(row, b)
		rowWidth += w
	}
	if len(row) > 0 {
		lines = append(lines, h.ShortHelpView(row))
	}
	return lines
}

// FullHelp lists every key of the screen, grouped, one group a block; it
// is what ? shows.
func FullHelp(st Styles, groups []KeyGroup, width int) string {
	const keyColumn = 2 + 14 + 1 // where a key's description starts
	var b strings.Builder
	for i, g := range groups {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(st.Heading.Render(g.Title) + "\n")
		for _, k := range g.Keys {
			hb := k.Help()
			if hb.Key == "" {
				continue
			}
			// A long description wraps under itself rather than losing
			// its end: the full help scrolls, so the room is there.
			desc := strings.ReplaceAll(WrapText(hb.Desc, max(20, width-keyColumn)), "\n", "\n"+strings.Repeat(" ", keyColumn))
			line := "  " + st.Key.Render(PadRight(hb.Key, 14)) + " " + desc
			for _, l := range strings.Split(line, "\n") {
				b.WriteString(Cut(l, width) + "\n")
			}
		}
	}
	return b.String()
}

// KeyGroup is a titled set of keys for the full help.
type KeyGroup struct {
	Title string
	Keys  []key.Binding
}

// Relabel is a binding with other help text (the same keys).
func Relabel(b key.Binding, keys, desc string) key.Binding {
	b.SetHelp(keys, desc)
	return b
}
