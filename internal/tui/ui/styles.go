package ui

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

// Styles are every style the screens use, built once per theme change, so
// View never decides a colour. The first five fields are what the quiz
// screen reads (it builds its own from newStyles).
type Styles struct {
	Title, Dim, Item, Selected, Accent lipgloss.Style

	Heading    lipgloss.Style // section titles inside a screen
	Good, Bad  lipgloss.Style // success, failure
	Warn       lipgloss.Style // stale, drift, attention
	Key        lipgloss.Style // a key named in running text
	Rule       lipgloss.Style // separators
	codeLine   lipgloss.Style // a seed code line the page is about
	gutter     lipgloss.Style // line numbers
	marker     lipgloss.Style // the ▶ beside a highlighted line
	BarPG      lipgloss.Style // a PostgreSQL step's bar in the trace
	BarRedis   lipgloss.Style // a Redis step's bar
	BarOther   lipgloss.Style // a step without I/O
	Help       help.Styles
	codeStyle  string // the theme whose code palette colours the seed code
	Glamour    string // the page style (see glamourStyle)
	NoColor    bool
	Dark       bool
	HighContr  bool
	Drift      lipgloss.Style
	SelectedBg lipgloss.Style

	// Fast are the styles drawn hundreds of times a frame (the trace bars,
	// the store columns) as plain prefixes and suffixes.
	Fast fastStyles
}

// fastStyles hold the hot styles pre-rendered.
type fastStyles struct{ Pg, Redis, Other, Dim, Good, Bad, Drift, Item ink }

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

// Paint styles one line of text (no newlines).
func (k ink) Paint(s string) string {
	if s == "" || k.pre == "" {
		return s
	}
	return k.pre + s + k.post
}

func (s *Styles) buildFast() {
	s.Fast = fastStyles{Pg: inkOf(s.BarPG), Redis: inkOf(s.BarRedis), Other: inkOf(s.BarOther), Dim: inkOf(s.Dim),
		Good: inkOf(s.Good), Bad: inkOf(s.Bad), Drift: inkOf(s.Drift), Item: inkOf(s.Item)}
}

// newStyles keeps the signature the quiz screen uses: the auto theme on a
// dark or light background.
func newStyles(dark, noColor bool) Styles {
	if dark {
		return ThemeStyles(ThemeDark, noColor)
	}
	return ThemeStyles(ThemeLight, noColor)
}

// ThemeStyles builds the styles of a theme; noColor (NO_COLOR) keeps bold
// and reverse, which carry meaning without colour, and drops every colour.
func ThemeStyles(t Theme, noColor bool) Styles {
	dark := t != ThemeLight
	s := Styles{Dark: dark, NoColor: noColor, HighContr: t == ThemeHighContrast}
	plain := lipgloss.NewStyle()
	if noColor {
		s.Title, s.Dim, s.Item, s.Selected, s.Accent = plain.Bold(true), plain, plain, plain.Bold(true), plain
		s.Heading, s.Good, s.Bad, s.Warn = plain.Bold(true), plain, plain.Bold(true), plain.Bold(true)
		s.Key, s.Rule, s.gutter, s.marker = plain.Bold(true), plain, plain, plain.Bold(true)
		s.codeLine = plain.Bold(true)
		s.BarPG, s.BarRedis, s.BarOther = plain, plain, plain
		s.Drift, s.SelectedBg = plain.Bold(true), plain.Reverse(true)
		s.Help = help.Styles{Ellipsis: plain, ShortKey: plain.Bold(true), ShortDesc: plain, ShortSeparator: plain,
			FullKey: plain.Bold(true), FullDesc: plain, FullSeparator: plain}
		s.Glamour = "notty"
		s.buildFast()
		return s
	}
	ld := lipgloss.LightDark(dark)
	c := func(light, dark string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dark)) }
	accent, dim := c("#5A3FC0", "#B4A0FF"), c("#5F5F5F", "#9A9A9A")
	good, bad, warn := c("#116329", "#56D364"), c("#CF222E", "#FF7B72"), c("#8A5C00", "#E3B341")
	pg, redis, other := c("#336791", "#6CA6D9"), c("#A8201A", "#FF6B61"), c("#6E6E6E", "#8C8C8C")
	helpKey := c("#3A3A3A", "#C8C8C8")
	hlBg := c("#FFF3BF", "#303030")
	if s.HighContr {
		accent, dim = lipgloss.Color("#FFFF00"), lipgloss.Color("#FFFFFF")
		good, bad, warn = lipgloss.Color("#00FF00"), lipgloss.Color("#FF5555"), lipgloss.Color("#FFFF00")
		pg, redis, other = lipgloss.Color("#00FFFF"), lipgloss.Color("#FF55FF"), lipgloss.Color("#FFFFFF")
		hlBg = lipgloss.Color("#000080")
	}
	s.Title = plain.Bold(true).Foreground(accent)
	s.Dim = plain.Foreground(dim)
	s.Item = plain
	s.Selected = plain.Bold(true).Foreground(accent)
	s.Accent = plain.Foreground(accent)
	s.Heading = plain.Bold(true)
	s.Good, s.Bad, s.Warn = plain.Foreground(good), plain.Foreground(bad).Bold(true), plain.Foreground(warn)
	s.Key = plain.Bold(true).Foreground(accent)
	s.Rule = plain.Foreground(dim)
	s.gutter = plain.Foreground(dim)
	s.marker = plain.Bold(true).Foreground(warn)
	s.codeLine = plain.Background(hlBg)
	s.BarPG, s.BarRedis, s.BarOther = plain.Foreground(pg), plain.Foreground(redis), plain.Foreground(other)
	s.Drift = plain.Bold(true).Foreground(warn)
	s.SelectedBg = plain.Reverse(true)
	// The help bar in the theme's own greys: bubbles' default greys are
	// 2.4:1 on black, too faint for the line that says which keys work.
	if s.HighContr {
		helpKey = accent
	}
	s.Help = help.Styles{Ellipsis: plain.Foreground(dim), ShortKey: plain.Bold(true).Foreground(helpKey),
		ShortDesc: plain.Foreground(dim), ShortSeparator: plain.Foreground(dim),
		FullKey: plain.Bold(true).Foreground(helpKey), FullDesc: plain.Foreground(dim), FullSeparator: plain.Foreground(dim)}
	s.codeStyle = string(ThemeLight)
	if dark {
		s.codeStyle = string(ThemeDark)
	}
	if s.HighContr {
		s.codeStyle = string(ThemeHighContrast)
	}
	s.Glamour = s.codeStyle
	s.buildFast()
	return s
}
