package plot

import (
	"bytes"
	"fmt"
	"os"

	gonum "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Panel size: wide enough for a few seconds of writes to separate, small
// enough that three side by side fit a slide.
const (
	panelWidth  = 14 * vg.Centimeter
	panelHeight = 10 * vg.Centimeter
	dpi         = 110
)

// render draws the panels side by side into one file of the given format
// and returns how many write markers counter saw drawn (0 without one).
func render(path, format string, panels []*gonum.Plot, counter *glyphCounter) (int, error) {
	w, h := panelWidth*vg.Length(len(panels)), panelHeight
	var c vg.CanvasWriterTo
	switch format {
	case "png":
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(white))}
	case "svg":
		c = vgsvg.New(w, h)
	default:
		return 0, fmt.Errorf("plot: unknown format %q", format)
	}
	if counter != nil {
		counter.n = 0
	}
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Centimeter / 2,
		PadTop: vg.Centimeter / 4, PadBottom: vg.Centimeter / 4, PadLeft: vg.Centimeter / 4, PadRight: vg.Centimeter / 4}
	canvases := gonum.Align([][]*gonum.Plot{panels}, tiles, dc)
	for i, p := range panels {
		p.Draw(canvases[0][i])
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return 0, fmt.Errorf("plot: render %s: %w", path, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return 0, fmt.Errorf("plot: %w", err)
	}
	if counter == nil {
		return 0, nil
	}
	return counter.n, nil
}

// glyphCounter wraps a glyph shape and counts the markers actually drawn
// (the canvas skips those outside the plot area), so the count a caller
// checks is what the image holds, not what was handed to the plotter.
type glyphCounter struct {
	shape draw.GlyphDrawer
	n     int
}

func (g *glyphCounter) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	g.n++
	g.shape.DrawGlyph(c, sty, pt)
}
