package main

import (
	"image/color"

	"github.com/charmbracelet/x/ansi"
)

// applySGR returns st changed by one SGR sequence's parameters: the
// attributes a TUI uses (bold, faint, italic, underline, reverse) and the
// 16-colour, 256-colour and 24-bit forms of foreground and background.
func applySGR(st style, params ansi.Params) style {
	ps := make([]int, 0, len(params))
	for _, p := range params {
		ps = append(ps, p.Param(0))
	}
	if len(ps) == 0 {
		return style{}
	}
	for i := 0; i < len(ps); i++ {
		switch n := ps[i]; {
		case n == 0:
			st = style{}
		case n == 1:
			st.bold = true
		case n == 2:
			st.faint = true
		case n == 3:
			st.italic = true
		case n == 4:
			st.underline = true
		case n == 7:
			st.reverse = true
		case n == 22:
			st.bold, st.faint = false, false
		case n == 23:
			st.italic = false
		case n == 24:
			st.underline = false
		case n == 27:
			st.reverse = false
		case n >= 30 && n <= 37:
			st.fg = palette(n - 30)
		case n >= 90 && n <= 97:
			st.fg = palette(n - 90 + 8)
		case n >= 40 && n <= 47:
			st.bg = palette(n - 40)
		case n >= 100 && n <= 107:
			st.bg = palette(n - 100 + 8)
		case n == 39:
			st.fg = nil
		case n == 49:
			st.bg = nil
		case n == 38 || n == 48:
			c, used := extendedColour(ps[i+1:])
			i += used
			if n == 38 {
				st.fg = c
			} else {
				st.bg = c
			}
		}
	}
	return st
}

// extendedColour reads "5;N" or "2;R;G;B" after a 38 or 48, returning the
// colour and how many parameters it used (nil for a malformed one).
func extendedColour(ps []int) (color.Color, int) {
	switch {
	case len(ps) >= 2 && ps[0] == 5:
		return palette(ps[1]), 2
	case len(ps) >= 4 && ps[0] == 2:
		return color.RGBA{uint8(ps[1]), uint8(ps[2]), uint8(ps[3]), 255}, 4
	}
	return nil, len(ps)
}

// defaultFG and defaultBG are the picture's terminal: light grey on a dark
// background, like most terminals' dark profile.
var (
	defaultFG = color.RGBA{0xd0, 0xd0, 0xd0, 255}
	defaultBG = color.RGBA{0x1c, 0x1c, 0x1c, 255}
)

// basic16 is xterm's default palette for the 16 named colours.
var basic16 = [16]color.RGBA{
	{0x00, 0x00, 0x00, 255}, {0xcd, 0x00, 0x00, 255}, {0x00, 0xcd, 0x00, 255}, {0xcd, 0xcd, 0x00, 255},
	{0x00, 0x00, 0xee, 255}, {0xcd, 0x00, 0xcd, 255}, {0x00, 0xcd, 0xcd, 255}, {0xe5, 0xe5, 0xe5, 255},
	{0x7f, 0x7f, 0x7f, 255}, {0xff, 0x00, 0x00, 255}, {0x00, 0xff, 0x00, 255}, {0xff, 0xff, 0x00, 255},
	{0x5c, 0x5c, 0xff, 255}, {0xff, 0x00, 0xff, 255}, {0x00, 0xff, 0xff, 255}, {0xff, 0xff, 0xff, 255},
}

// palette maps a 256-colour index to RGB the way xterm does: 16 named
// colours, a 6×6×6 cube, then 24 greys.
func palette(n int) color.Color {
	switch {
	case n < 0 || n > 255:
		return nil
	case n < 16:
		return basic16[n]
	case n < 232:
		n -= 16
		level := func(v int) uint8 {
			if v == 0 {
				return 0
			}
			return uint8(55 + 40*v)
		}
		return color.RGBA{level(n / 36), level(n / 6 % 6), level(n % 6), 255}
	default:
		g := uint8(8 + 10*(n-232))
		return color.RGBA{g, g, g, 255}
	}
}
