package ui

import (
	"image/color"

	"charm.land/lipgloss/v2"
	"github.com/alecthomas/chroma/v2"
)

// The colours of code, in the seed's code view and in the pages' code
// blocks, are ours rather than a stock chroma or glamour style: stock
// styles are drawn on their own background, and on a terminal's they can
// vanish (hrdark's punctuation on the high-contrast highlight was navy on
// blue). Every colour here is checked by TestThemeContrast against every
// background the theme is drawn on, at WCAG AA (4.5:1).

// codePalette is one theme's colours for Go and SQL source.
type codePalette struct {
	Text, Comment, Keyword, Function, String, Number, Type, Operator, Error string
}

var codePalettes = map[Theme]codePalette{
	ThemeDark: {Text: "#E6EDF3", Comment: "#A0A8B0", Keyword: "#FF7B72", Function: "#D2A8FF", String: "#A5D6FF",
		Number: "#79C0FF", Type: "#FFA657", Operator: "#FF7B72", Error: "#FFA198"},
	ThemeLight: {Text: "#1F2328", Comment: "#57606A", Keyword: "#A40E26", Function: "#6639BA", String: "#0A3069",
		Number: "#0550AE", Type: "#953800", Operator: "#A40E26", Error: "#82071E"},
	ThemeHighContrast: {Text: "#FFFFFF", Comment: "#D0D0D0", Keyword: "#FF8080", Function: "#FFFF00", String: "#00FF00",
		Number: "#00FFFF", Type: "#FF80FF", Operator: "#FF8080", Error: "#FF8080"},
}

// themeBackgrounds are the terminal backgrounds a theme is drawn on: the
// app never paints the whole screen, so a colour has to read on the
// darkest and the lightest background a terminal of that kind commonly
// has (pure black and VS Code's #1E1E1E for dark; white and a warm
// off-white for light).
var themeBackgrounds = map[Theme][]string{
	ThemeDark:         {"#000000", "#1E1E1E"},
	ThemeLight:        {"#FFFFFF", "#F5F5F5"},
	ThemeHighContrast: {"#000000"},
}

// themeForeground is the terminal's own text colour assumed under a theme,
// for styles that set a background and leave the text colour alone.
var themeForeground = map[Theme]string{ThemeDark: "#D0D0D0", ThemeLight: "#1F1F1F", ThemeHighContrast: "#FFFFFF"}

// chromaStyle is the palette as a chroma style, for the seed's code view.
func (p codePalette) chromaStyle(name string) *chroma.Style {
	s, err := chroma.NewStyle(name, chroma.StyleEntries{
		chroma.Background:        p.Text,
		chroma.Text:              p.Text,
		chroma.Error:             p.Error,
		chroma.Comment:           "italic " + p.Comment,
		chroma.CommentPreproc:    p.Comment,
		chroma.Keyword:           "bold " + p.Keyword,
		chroma.KeywordType:       p.Type,
		chroma.Name:              p.Text,
		chroma.NameFunction:      p.Function,
		chroma.NameBuiltin:       p.Type,
		chroma.NameOther:         p.Text,
		chroma.Literal:           p.String,
		chroma.LiteralString:     p.String,
		chroma.LiteralNumber:     p.Number,
		chroma.Operator:          p.Operator,
		chroma.Punctuation:       p.Text,
		chroma.GenericDeleted:    p.Error,
		chroma.GenericInserted:   p.String,
		chroma.GenericSubheading: p.Comment,
	})
	if err != nil { // the entries above are constants; a typo fails every test
		panic(err)
	}
	return s
}

// colorOf reads a colour as lipgloss does: "#RRGGBB" or an ANSI index.
func colorOf(s string) color.Color { return lipgloss.Color(s) }
