package ui

import (
	"charm.land/glamour/v2/ansi"
	"charm.land/glamour/v2/styles"
)

// mdColors are one theme's colours for a page's prose.
type mdColors struct {
	Text, Heading, Strong, Link, Rule, CodeFG, CodeBG, Quote string
}

var mdPalettes = map[Theme]mdColors{
	ThemeDark: {Text: "#D0D0D0", Heading: "#B4A0FF", Strong: "#FFFFFF", Link: "#6CB6FF", Rule: "#9A9A9A",
		CodeFG: "#FFC978", CodeBG: "#303030", Quote: "#B0B0B0"},
	ThemeLight: {Text: "#1F1F1F", Heading: "#5A3FC0", Strong: "#000000", Link: "#0550AE", Rule: "#5F5F5F",
		CodeFG: "#8A2A00", CodeBG: "#EAEAEA", Quote: "#4A4A4A"},
	ThemeHighContrast: {Text: "#FFFFFF", Heading: "#FFFF00", Strong: "#FFFFFF", Link: "#00FFFF", Rule: "#FFFFFF",
		CodeFG: "#00FFFF", CodeBG: "#000000", Quote: "#FFFFFF"},
}

// glamourStyle is the page style of a theme: glamour's own layout (lists,
// margins, tables) with headings shown as headings, not as "### " (glamour's
// standard styles print the markdown's hashes), inline code on a tinted
// background instead of between backticks, and the colours above. The
// "notty" style (NO_COLOR) is glamour's own, with the heading hashes taken
// off too.
func glamourStyle(theme string) ansi.StyleConfig {
	t := Theme(theme)
	p, ok := mdPalettes[t]
	if !ok {
		c := styles.NoTTYStyleConfig
		noHeadingHashes(&c)
		c.Code.Prefix, c.Code.Suffix, c.Code.BlockPrefix, c.Code.BlockSuffix = "", "", "", ""
		return c
	}
	c := styles.DarkStyleConfig
	if t == ThemeLight {
		c = styles.LightStyleConfig
	}
	str := func(s string) *string { return &s }
	yes := func() *bool { b := true; return &b }
	c.Document.Color = str(p.Text)
	c.Heading.Color, c.Heading.BackgroundColor, c.Heading.Bold = str(p.Heading), nil, yes()
	noHeadingHashes(&c)
	c.H1.Color, c.H1.BackgroundColor = str(p.Heading), nil
	c.H6.Color = str(p.Heading)
	c.Strong.Color = str(p.Strong)
	c.HorizontalRule.Color = str(p.Rule)
	c.BlockQuote.Color = str(p.Quote)
	c.Link.Color, c.LinkText.Color = str(p.Link), str(p.Link)
	c.Image.Color, c.ImageText.Color = str(p.Link), str(p.Rule)
	c.Code.Color, c.Code.BackgroundColor = str(p.CodeFG), str(p.CodeBG)
	if t == ThemeHighContrast { // no tint: bold cyan on the black itself
		c.Code.BackgroundColor, c.Code.Bold = nil, yes()
	}
	c.CodeBlock.Color = str(codePalettes[t].Text)
	c.CodeBlock.Chroma = glamourChroma(codePalettes[t])
	return c
}

func noHeadingHashes(c *ansi.StyleConfig) {
	for _, h := range []*ansi.StyleBlock{&c.H1, &c.H2, &c.H3, &c.H4, &c.H5, &c.H6} {
		h.Prefix, h.Suffix = "", ""
	}
}

// glamourChroma is a code palette in glamour's terms, with no background of
// its own: code blocks sit on the terminal's background like the rest.
func glamourChroma(p codePalette) *ansi.Chroma {
	fg := func(s string) ansi.StylePrimitive { return ansi.StylePrimitive{Color: &s} }
	return &ansi.Chroma{
		Text: fg(p.Text), Error: fg(p.Error), Comment: fg(p.Comment), CommentPreproc: fg(p.Comment),
		Keyword: fg(p.Keyword), KeywordReserved: fg(p.Keyword), KeywordNamespace: fg(p.Keyword), KeywordType: fg(p.Type),
		Operator: fg(p.Operator), Punctuation: fg(p.Text), Name: fg(p.Text), NameBuiltin: fg(p.Type),
		NameTag: fg(p.Keyword), NameAttribute: fg(p.Number), NameClass: fg(p.Type), NameConstant: fg(p.Number),
		NameDecorator: fg(p.Function), NameException: fg(p.Error), NameFunction: fg(p.Function), NameOther: fg(p.Text),
		Literal: fg(p.String), LiteralNumber: fg(p.Number), LiteralDate: fg(p.Number), LiteralString: fg(p.String),
		LiteralStringEscape: fg(p.Number), GenericDeleted: fg(p.Error), GenericEmph: fg(p.Text),
		GenericInserted: fg(p.String), GenericStrong: fg(p.Text), GenericSubheading: fg(p.Comment),
	}
}
