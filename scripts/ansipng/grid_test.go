package main

import (
	"bytes"
	"image/color"
	"image/png"
	"testing"
)

// A capture as tmux prints it: 24-bit, 256 and 16 colours, attributes,
// a reset, a wide character, and a sequence that is not SGR.
const capture = "\x1b[38;2;10;20;30mRGB\x1b[39m \x1b[38;5;200mP\x1b[1;4m\x1b[41mX\x1b[0m 語!\x1b[2J\n" +
	"\x1b[7mrev\x1b[27m─\n"

func TestParseScreenColoursAndWidths(t *testing.T) {
	g := parseScreen([]byte(capture), 12, 3)
	if len(g) != 3 || len(g[0]) != 12 || len(g[2]) != 12 {
		t.Fatalf("grid %d rows, first %d cols", len(g), len(g[0]))
	}
	if g[0][0].st.fg != (color.RGBA{10, 20, 30, 255}) || g[0][3].st.fg != nil {
		t.Errorf("24-bit fg %v, after 39 %v", g[0][0].st.fg, g[0][3].st.fg)
	}
	if g[0][4].st.fg != palette(200) || g[0][4].st.bold {
		t.Errorf("256-colour P: %+v", g[0][4].st)
	}
	x := g[0][5].st
	if x.fg != palette(200) || !x.bold || !x.underline || x.bg != basic16[1] {
		t.Errorf("X: %+v", x)
	}
	if g[0][7].text != "語" || g[0][7].width != 2 || g[0][8].width != 0 || g[0][9].text != "!" {
		t.Errorf("wide: %q %d, %d, %q", g[0][7].text, g[0][7].width, g[0][8].width, g[0][9].text)
	}
	if g[0][6].st != (style{}) {
		t.Errorf("after reset: %+v", g[0][6].st)
	}
	if !g[1][0].st.reverse || g[1][3].st.reverse || g[1][3].text != "─" {
		t.Errorf("reverse: %+v %+v", g[1][0], g[1][3])
	}
	if g[2][0].text != " " {
		t.Errorf("missing row not blank: %+v", g[2][0])
	}
}

// A line longer than the screen is cut at the last whole cell.
func TestParseScreenCutsAtWidth(t *testing.T) {
	g := parseScreen([]byte("abc語"), 4, 1)
	if g[0][3].text != " " || g[0][2].text != "c" {
		t.Errorf("cut: %+v", g[0])
	}
}

func TestPaletteCubeAndGreys(t *testing.T) {
	for n, want := range map[int]color.RGBA{16: {0, 0, 0, 255}, 21: {0, 0, 255, 255}, 196: {255, 0, 0, 255},
		232: {8, 8, 8, 255}, 255: {238, 238, 238, 255}, 9: {255, 0, 0, 255}} {
		if got := palette(n); got != want {
			t.Errorf("palette(%d) = %v, want %v", n, got, want)
		}
	}
}

// The picture has the grid's size and the colours drawn where the cells are.
func TestPaintDrawsBackgroundsAndLines(t *testing.T) {
	faces, err := loadFaces(t.TempDir(), 15) // no font files: Go Mono only
	if err != nil {
		t.Fatal(err)
	}
	g := parseScreen([]byte("\x1b[41m  \x1b[0m─"), 3, 1)
	c := newCanvas(3, 1, faces)
	c.paint(g)
	if b := c.img.Bounds(); b.Dx() != 3*c.cw+2*c.pad || b.Dy() != c.ch+2*c.pad {
		t.Errorf("size %v for cells %dx%d", b, c.cw, c.ch)
	}
	if got := c.img.At(c.pad+1, c.pad+1); got != color.Color(basic16[1]) {
		t.Errorf("red background drawn as %v", got)
	}
	if got := c.img.At(c.pad+2*c.cw+1, c.pad+c.ch/2); got != color.Color(defaultFG) {
		t.Errorf("box line drawn as %v", got)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.img); err != nil || buf.Len() == 0 {
		t.Errorf("png: %v", err)
	}
}
