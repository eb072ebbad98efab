package main

import (
	"image"
	"image/color"
	"image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// canvas draws a cell grid: backgrounds first, then text, with box-drawing
// lines and block elements drawn as rectangles so that borders meet exactly
// whatever the font's own glyphs look like.
type canvas struct {
	img         *image.RGBA
	cw, ch, pad int
	ascent      int
	faces       *faceSet
}

func newCanvas(cols, rows int, faces *faceSet) *canvas {
	m := faces.regular[0].face.Metrics()
	adv, _ := faces.regular[0].face.GlyphAdvance('M')
	c := &canvas{
		cw:     adv.Ceil(),
		ch:     (m.Ascent + m.Descent).Ceil() + 2,
		ascent: m.Ascent.Ceil() + 1,
		pad:    12,
		faces:  faces,
	}
	c.img = image.NewRGBA(image.Rect(0, 0, cols*c.cw+2*c.pad, rows*c.ch+2*c.pad))
	draw.Draw(c.img, c.img.Bounds(), image.NewUniform(defaultBG), image.Point{}, draw.Src)
	return c
}

// colours resolves a cell's style to the two colours it is drawn with.
func colours(st style) (fg, bg color.Color) {
	fg, bg = st.fg, st.bg
	if fg == nil {
		fg = defaultFG
	}
	if bg == nil {
		bg = defaultBG
	}
	if st.reverse {
		fg, bg = bg, fg
	}
	if st.faint {
		fg = blend(fg, bg)
	}
	return fg, bg
}

func blend(a, b color.Color) color.Color {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	return color.RGBA{uint8((ar + br) >> 9), uint8((ag + bg) >> 9), uint8((ab + bb) >> 9), 255}
}

func (c *canvas) paint(grid [][]cell) {
	for y, row := range grid {
		for x := 0; x < len(row); x++ {
			cl := row[x]
			_, bg := colours(cl.st)
			w := max(cl.width, 1)
			c.fill(c.pad+x*c.cw, c.pad+y*c.ch, w*c.cw, c.ch, bg)
		}
	}
	for y, row := range grid {
		for x, cl := range row {
			if cl.width == 0 || cl.text == " " {
				continue
			}
			fg, _ := colours(cl.st)
			px, py := c.pad+x*c.cw, c.pad+y*c.ch
			r := []rune(cl.text)[0]
			if !c.drawShape(r, px, py, fg) {
				c.glyph(cl.text, r, px, py, fg, cl.st.bold)
			}
			if cl.st.underline {
				c.fill(px, py+c.ascent+2, cl.width*c.cw, 1, fg)
			}
		}
	}
}

func (c *canvas) glyph(text string, r rune, px, py int, fg color.Color, bold bool) {
	d := font.Drawer{
		Dst:  c.img,
		Src:  image.NewUniform(fg),
		Face: c.faces.pick(r, bold),
		Dot:  fixed.P(px, py+c.ascent),
	}
	d.DrawString(text)
}

func (c *canvas) fill(x, y, w, h int, col color.Color) {
	draw.Draw(c.img, image.Rect(x, y, x+w, y+h), image.NewUniform(col), image.Point{}, draw.Src)
}
