// Package tui is the interactive lesson: the only package that imports
// Bubble Tea. Screens are components owned by one root model.
package tui

import (
	"fmt"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Minimum terminal size the screens are laid out for.
const (
	MinWidth  = 60
	MinHeight = 16
)

type menuItem struct{ title, blurb, later string }

var menu = []menuItem{
	{"Learn", "walk through every step of CreatePost against real PostgreSQL and Redis",
		"The guided lesson is being built. Meanwhile, run `cqrslab lab up` in one terminal and\n`cqrslab post create --author alice --title Hello` then `cqrslab feed --author alice` in another."},
	{"Lab", "start both databases, write posts, break Redis and watch the feed",
		"The lab screen is being built. Meanwhile `cqrslab lab up` starts the lab and prints\nthe psql and redis-cli commands to look inside."},
	{"Quiz", "the lesson's three try-it prompts, graded with feedback",
		"The quiz is being built."},
}

// Home is the first screen: what the lab is, and where to go.
type Home struct {
	width, height int
	cursor        int
	note          string
	dark          bool
	noColor       bool
}

// NewHome makes the home screen; NO_COLOR turns all colour off.
func NewHome() *Home {
	return &Home{dark: true, noColor: os.Getenv("NO_COLOR") != ""}
}

// Init asks the terminal for its background so styles can match it.
func (h *Home) Init() tea.Cmd { return tea.RequestBackgroundColor }

// Update handles keys and resizes. It does no I/O.
func (h *Home) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		h.width, h.height = msg.Width, msg.Height
	case tea.BackgroundColorMsg:
		h.dark = msg.IsDark()
	case tea.KeyPressMsg:
		switch msg.String() {
		case "q", "ctrl+c", "esc":
			return h, tea.Quit
		case "up", "k":
			h.cursor = (h.cursor + len(menu) - 1) % len(menu)
			h.note = ""
		case "down", "j", "tab":
			h.cursor = (h.cursor + 1) % len(menu)
			h.note = ""
		case "enter", "space":
			h.note = menu[h.cursor].later
		}
	}
	return h, nil
}

// View draws the screen, or asks for a bigger window.
func (h *Home) View() tea.View {
	v := tea.NewView(h.render())
	v.AltScreen = true
	return v
}

func (h *Home) render() string {
	if h.width > 0 && (h.width < MinWidth || h.height < MinHeight) {
		return fmt.Sprintf("Make the window at least %d×%d (it is %d×%d).\n\nq quits.", MinWidth, MinHeight, h.width, h.height)
	}
	st := newStyles(h.dark, h.noColor)
	var b strings.Builder
	b.WriteString(st.title.Render("cqrslab") + "  " + st.dim.Render("synchronous CQRS with two databases") + "\n\n")
	b.WriteString("CreatePost commits a post to PostgreSQL (the source of truth), then in the same\n")
	b.WriteString("request adds it to a Redis sorted set (the feed). GetFeed reads Redis only.\n\n")
	for i, it := range menu {
		cursor, name := "  ", st.item.Render(it.title)
		if i == h.cursor {
			cursor, name = st.accent.Render("> "), st.selected.Render(it.title)
		}
		fmt.Fprintf(&b, "%s%-8s %s\n", cursor, name, st.dim.Render(it.blurb))
	}
	if h.note != "" {
		b.WriteString("\n" + h.note + "\n")
	}
	b.WriteString("\n" + st.dim.Render("↑/↓ move • enter open • q quit"))
	return b.String()
}

type styles struct{ title, dim, item, selected, accent lipgloss.Style }

func newStyles(dark, noColor bool) styles {
	if noColor {
		plain := lipgloss.NewStyle()
		return styles{title: plain.Bold(true), dim: plain, item: plain, selected: plain.Bold(true), accent: plain}
	}
	accent, dim := lipgloss.Color("#7D56F4"), lipgloss.Color("#666666")
	if dark {
		accent, dim = lipgloss.Color("#B4A0FF"), lipgloss.Color("#9A9A9A")
	}
	return styles{
		title:    lipgloss.NewStyle().Bold(true).Foreground(accent),
		dim:      lipgloss.NewStyle().Foreground(dim),
		item:     lipgloss.NewStyle(),
		selected: lipgloss.NewStyle().Bold(true).Foreground(accent),
		accent:   lipgloss.NewStyle().Foreground(accent),
	}
}

// Run opens the TUI and returns when the learner quits.
func Run() error {
	_, err := tea.NewProgram(NewHome()).Run()
	return err
}
