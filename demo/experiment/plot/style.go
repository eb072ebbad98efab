package plot

import (
	"image/color"
	"strconv"

	"cqrslab/demo"

	gonum "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Colours from the Okabe–Ito palette, which stays distinguishable to
// colour-blind readers and on a washed-out projector. Each outcome's colour
// is used, in the latency chart, for its markers and its legend swatch and
// nothing else, so the markers in an SVG can be counted by colour.
var (
	white      = color.White
	ackColour  = color.RGBA{R: 0, G: 114, B: 178, A: 255}   // blue
	failColour = color.RGBA{R: 213, G: 94, B: 0, A: 255}    // vermillion
	unkColour  = color.RGBA{R: 230, G: 159, B: 0, A: 255}   // orange
	faultShade = color.RGBA{R: 235, G: 230, B: 245, A: 255} // pale lilac
	p50Colour  = color.RGBA{R: 0, G: 0, B: 0, A: 255}
	p99Colour  = color.RGBA{R: 204, G: 121, B: 167, A: 255} // reddish purple
	shedColour = color.RGBA{R: 213, G: 94, B: 0, A: 255}
	doneColour = color.RGBA{R: 0, G: 158, B: 115, A: 255}  // bluish green
	tryColour  = color.RGBA{R: 86, G: 180, B: 233, A: 255} // sky blue
)

// outcomes in drawing order: the rare ones last, so they are not buried.
var outcomes = []struct {
	o      demo.Outcome
	name   string
	colour color.Color
}{
	{demo.Acknowledged, "acknowledged", ackColour},
	{demo.Unknown, "unknown", unkColour},
	{demo.Failed, "failed", failColour},
}

const markerRadius = vg.Length(1.3)

// swatch is a legend entry's marker. It is drawn with its own glyph, not
// the counted one, so the legend never adds to the point count.
type swatch struct{ colour color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	c.DrawGlyph(draw.GlyphStyle{Color: s.colour, Radius: 3, Shape: draw.CircleGlyph{}}, c.Center())
}

// plainTicks are gonum's default ticks labelled as plain numbers ("2500",
// not "2500.00"), so the axes read as counts and seconds.
type plainTicks struct{}

func (plainTicks) Ticks(lo, hi float64) []gonum.Tick {
	ticks := gonum.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', -1, 64)
		}
	}
	return ticks
}
