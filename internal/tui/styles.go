package tui

import (
	"fmt"
	"image/color"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Theme chooses the screens' colours. Auto follows the terminal's
// background, which the app asks for at start (tea.RequestBackgroundColor);
// the others are for terminals that answer wrongly or not at all, and for
// projectors, where only strong contrast survives.
type Theme string

const (
	ThemeAuto         Theme = "auto"
	ThemeDark         Theme = "dark"
	ThemeLight        Theme = "light"
	ThemeHighContrast Theme = "high-contrast"
)

// ParseTheme reads a --theme value, naming the choices when it is not one.
func ParseTheme(s string) (Theme, error) {
	switch t := Theme(strings.ToLower(strings.TrimSpace(s))); t {
	case "", ThemeAuto:
		return ThemeAuto, nil
	case ThemeDark, ThemeLight, ThemeHighContrast:
		return t, nil
	}
	return "", fmt.Errorf("unknown theme %q: use auto, dark, light or high-contrast", s)
}

// styles are every style the screens use, built once per theme change, so
// View never decides a colour. The first five fields are what the quiz
// screen reads (it builds its own from newStyles).
type styles struct {
	title, dim, item, selected, accent lipgloss.Style

	heading    lipgloss.Style // section titles inside a screen
	good, bad  lipgloss.Style // success, failure
	warn       lipgloss.Style // stale, drift, attention
	key        lipgloss.Style // a key named in running text
	rule       lipgloss.Style // separators
	codeLine   lipgloss.Style // a seed code line the page is about
	gutter     lipgloss.Style // line numbers
	marker     lipgloss.Style // the ▶ beside a highlighted line
	barPG      lipgloss.Style // a PostgreSQL step's bar in the trace
	barRedis   lipgloss.Style // a Redis step's bar
	barOther   lipgloss.Style // a step without I/O
	help       help.Styles
	codeStyle  string // chroma style for the seed code
	glamour    string // glamour standard style
	noColor    bool
	dark       bool
	highContr  bool
	drift      lipgloss.Style
	selectedBg lipgloss.Style

	// fast are the styles drawn hundreds of times a frame (the trace bars,
	// the store columns) as plain prefixes and suffixes.
	fast fastStyles
}

// fastStyles hold the hot styles pre-rendered.
type fastStyles struct{ pg, redis, other, dim, good, bad, drift, item ink }

// ink is a simple style (colours, bold, reverse; no padding, width or
// border) as the escape codes around its text, so painting is two string
// concatenations instead of a lipgloss Render, which measures and splits
// its text every time.
type ink struct{ pre, post string }

const inkMark = "\uE000" // a private-use character no text of ours contains

func inkOf(st lipgloss.Style) ink {
	pre, post, ok := strings.Cut(st.Render(inkMark), inkMark)
	if !ok {
		return ink{}
	}
	return ink{pre: pre, post: post}
}

// paint styles one line of text (no newlines).
func (k ink) paint(s string) string {
	if s == "" || k.pre == "" {
		return s
	}
	return k.pre + s + k.post
}

func (s *styles) buildFast() {
	s.fast = fastStyles{pg: inkOf(s.barPG), redis: inkOf(s.barRedis), other: inkOf(s.barOther), dim: inkOf(s.dim),
		good: inkOf(s.good), bad: inkOf(s.bad), drift: inkOf(s.drift), item: inkOf(s.item)}
}

// newStyles keeps the signature the quiz screen uses: the auto theme on a
// dark or light background.
func newStyles(dark, noColor bool) styles {
	if dark {
		return themeStyles(ThemeDark, noColor)
	}
	return themeStyles(ThemeLight, noColor)
}

// themeStyles builds the styles of a theme; noColor (NO_COLOR) keeps bold
// and reverse, which carry meaning without colour, and drops every colour.
func themeStyles(t Theme, noColor bool) styles {
	dark := t != ThemeLight
	s := styles{dark: dark, noColor: noColor, highContr: t == ThemeHighContrast}
	plain := lipgloss.NewStyle()
	if noColor {
		s.title, s.dim, s.item, s.selected, s.accent = plain.Bold(true), plain, plain, plain.Bold(true), plain
		s.heading, s.good, s.bad, s.warn = plain.Bold(true), plain, plain.Bold(true), plain.Bold(true)
		s.key, s.rule, s.gutter, s.marker = plain.Bold(true), plain, plain, plain.Bold(true)
		s.codeLine = plain.Bold(true)
		s.barPG, s.barRedis, s.barOther = plain, plain, plain
		s.drift, s.selectedBg = plain.Bold(true), plain.Reverse(true)
		s.help = help.Styles{Ellipsis: plain, ShortKey: plain.Bold(true), ShortDesc: plain, ShortSeparator: plain,
			FullKey: plain.Bold(true), FullDesc: plain, FullSeparator: plain}
		s.glamour = "notty"
		s.buildFast()
		return s
	}
	ld := lipgloss.LightDark(dark)
	c := func(light, dark string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dark)) }
	accent, dim := c("#5A3FC0", "#B4A0FF"), c("#5F5F5F", "#9A9A9A")
	good, bad, warn := c("#1A7F37", "#56D364"), c("#CF222E", "#FF7B72"), c("#9A6700", "#E3B341")
	pg, redis, other := c("#336791", "#6CA6D9"), c("#C6302B", "#FF6B61"), c("#8C8C8C", "#7A7A7A")
	hlBg := c("#FFF3BF", "#3B3520")
	if s.highContr {
		accent, dim = lipgloss.Color("#FFFF00"), lipgloss.Color("#FFFFFF")
		good, bad, warn = lipgloss.Color("#00FF00"), lipgloss.Color("#FF5555"), lipgloss.Color("#FFFF00")
		pg, redis, other = lipgloss.Color("#00FFFF"), lipgloss.Color("#FF55FF"), lipgloss.Color("#FFFFFF")
		hlBg = lipgloss.Color("#000080")
	}
	s.title = plain.Bold(true).Foreground(accent)
	s.dim = plain.Foreground(dim)
	s.item = plain
	s.selected = plain.Bold(true).Foreground(accent)
	s.accent = plain.Foreground(accent)
	s.heading = plain.Bold(true)
	s.good, s.bad, s.warn = plain.Foreground(good), plain.Foreground(bad).Bold(true), plain.Foreground(warn)
	s.key = plain.Bold(true).Foreground(accent)
	s.rule = plain.Foreground(dim)
	s.gutter = plain.Foreground(dim)
	s.marker = plain.Bold(true).Foreground(warn)
	s.codeLine = plain.Background(hlBg)
	s.barPG, s.barRedis, s.barOther = plain.Foreground(pg), plain.Foreground(redis), plain.Foreground(other)
	s.drift = plain.Bold(true).Foreground(warn)
	s.selectedBg = plain.Reverse(true)
	s.help = help.DefaultStyles(dark)
	if s.highContr {
		s.help.ShortKey, s.help.FullKey = plain.Bold(true).Foreground(accent), plain.Bold(true).Foreground(accent)
		s.help.ShortDesc, s.help.FullDesc = plain.Foreground(dim), plain.Foreground(dim)
	}
	s.codeStyle, s.glamour = "github", "light"
	if dark {
		s.codeStyle, s.glamour = "github-dark", "dark"
	}
	if s.highContr {
		s.codeStyle = "hrdark"
	}
	s.buildFast()
	return s
}
