package ui

import (
	"fmt"
	"image/color"
	"math"
	"reflect"
	"strings"
	"testing"

	"charm.land/glamour/v2/ansi"
	"charm.land/lipgloss/v2"
	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	xansi "github.com/charmbracelet/x/ansi"

	"cqrslab/lessons"
)

// WCAG 2 contrast: relative luminance of sRGB, (L1+0.05)/(L2+0.05).
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func TestContrastFormula(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{{"#000000", "#FFFFFF", 21}, {"#FFFFFF", "#FFFFFF", 1}, {"#777777", "#FFFFFF", 4.48}, {"17", "18", 1.2}} {
		if got := contrast(colorOf(c.a), colorOf(c.b)); math.Abs(got-c.want) > 0.05 {
			t.Errorf("contrast(%s, %s) = %.2f, want %.2f", c.a, c.b, got, c.want)
		}
	}
}

// pair is one foreground drawn on one background somewhere in a theme.
type pair struct {
	where  string
	fg, bg color.Color
}

func isSet(c color.Color) bool {
	if c == nil {
		return false
	}
	_, none := c.(lipgloss.NoColor)
	return !none
}

// stylePairs are the pairs of the app's lipgloss styles: a foreground on
// each of the theme's terminal backgrounds (or on its own background when
// it has one), and a background under the terminal's own text colour.
func stylePairs(th Theme) []pair {
	st := ThemeStyles(th, false)
	var out []pair
	add := func(where string, s lipgloss.Style) {
		if s.GetReverse() {
			return // reverse video swaps the terminal's own pair
		}
		fg, bg := s.GetForeground(), s.GetBackground()
		switch {
		case isSet(fg) && isSet(bg):
			out = append(out, pair{where, fg, bg})
		case isSet(fg):
			for _, b := range themeBackgrounds[th] {
				out = append(out, pair{where + " on " + b, fg, colorOf(b)})
			}
		case isSet(bg):
			out = append(out, pair{where + " (terminal text)", colorOf(themeForeground[th]), bg})
		}
	}
	v := reflect.ValueOf(st)
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		if s, ok := v.Field(i).Interface().(lipgloss.Style); ok {
			add(f.Name, s)
		}
	}
	add("codeLine", st.codeLine)
	add("gutter", st.gutter)
	add("marker", st.marker)
	h := reflect.ValueOf(st.Help)
	for i := range h.NumField() {
		if s, ok := h.Field(i).Interface().(lipgloss.Style); ok {
			add("Help."+h.Type().Field(i).Name, s)
		}
	}
	return out
}

// codePairs are every token colour of the seed's code view, on the
// terminal's backgrounds and on the highlight of the lines a page marks.
func codePairs(th Theme) []pair {
	st := ThemeStyles(th, false)
	style := codePalettes[Theme(st.codeStyle)].chromaStyle("test")
	it, err := lexers.Get("go").Tokenise(nil, lessons.SeedCode())
	if err != nil {
		panic(err)
	}
	bgs := append([]string{}, themeBackgrounds[th]...)
	hl := st.codeLine.GetBackground()
	seen := map[chroma.TokenType]bool{}
	var out []pair
	for _, tok := range it.Tokens() {
		if seen[tok.Type] || strings.TrimSpace(tok.Value) == "" {
			continue
		}
		seen[tok.Type] = true
		e := style.Get(tok.Type)
		if !e.Colour.IsSet() {
			out = append(out, pair{where: "code " + tok.Type.String() + " has no colour"})
			continue
		}
		fg := colorOf(e.Colour.String())
		for _, b := range bgs {
			out = append(out, pair{fmt.Sprintf("code %s on %s", tok.Type, b), fg, colorOf(b)})
		}
		out = append(out, pair{fmt.Sprintf("code %s on the marked-line highlight", tok.Type), fg, hl})
	}
	return out
}

// markdownPairs walk the page style: every primitive's colour on its own
// background, or on the terminal's.
func markdownPairs(th Theme) []pair {
	cfg := glamourStyle(string(th))
	var out []pair
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
			return
		case reflect.Struct:
		default:
			return
		}
		if p, ok := v.Interface().(ansi.StylePrimitive); ok {
			if p.Color != nil {
				fg := colorOf(*p.Color)
				if p.BackgroundColor != nil {
					out = append(out, pair{path, fg, colorOf(*p.BackgroundColor)})
				} else {
					for _, b := range themeBackgrounds[th] {
						out = append(out, pair{path + " on " + b, fg, colorOf(b)})
					}
				}
			} else if p.BackgroundColor != nil {
				out = append(out, pair{path + " (document text)", colorOf(*cfg.Document.Color), colorOf(*p.BackgroundColor)})
			}
			return
		}
		for i := range v.NumField() {
			walk(path+"."+v.Type().Field(i).Name, v.Field(i))
		}
	}
	walk("page", reflect.ValueOf(cfg))
	return out
}

// TestThemeContrast holds every theme to WCAG AA: each foreground/
// background pair the screens draw (the app's styles, the seed code's
// syntax colours, on the terminal and on the marked-line highlight, and
// every colour of the pages' markdown style) at 4.5:1 or better.
func TestThemeContrast(t *testing.T) {
	const aa = 4.5
	for _, th := range []Theme{ThemeDark, ThemeLight, ThemeHighContrast} {
		pairs := append(append(stylePairs(th), codePairs(th)...), markdownPairs(th)...)
		if len(pairs) < 40 {
			t.Errorf("%s: only %d pairs found; the walk over the styles missed some", th, len(pairs))
		}
		worst := math.Inf(1)
		for _, p := range pairs {
			if p.fg == nil || p.bg == nil {
				t.Errorf("%s: %s", th, p.where)
				continue
			}
			c := contrast(p.fg, p.bg)
			worst = min(worst, c)
			if c < aa {
				t.Errorf("%s: %s: contrast %.2f:1, below %.1f:1", th, p.where, c, aa)
			}
			// A 256-colour terminal (tmux's default, many projectors'
			// laptops) shows the nearest palette colours: the pair must
			// survive that too (colour 17 on 18 was where this began).
			f256, b256 := xansi.Convert256(p.fg), xansi.Convert256(p.bg)
			if c := contrast(f256, b256); c < aa {
				t.Errorf("%s: %s: in 256 colours (%d on %d) contrast %.2f:1, below %.1f:1", th, p.where, f256, b256, c, aa)
			}
		}
		t.Logf("%s: %d pairs, lowest contrast %.2f:1", th, len(pairs), worst)
	}
}
