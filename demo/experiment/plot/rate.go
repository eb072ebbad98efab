package plot

import (
	"fmt"
	"image/color"

	"cqrslab/demo/experiment"

	gonum "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ratePanels builds one writes-per-second panel per report: attempted
// (started), completed and shed in each second of the run, on one shared
// axis. A completed line under the attempted one is a system falling
// behind; a shed line above zero is a generator that could not keep up.
func ratePanels(group []*experiment.Report) ([]*gonum.Plot, error) {
	hi, end := 1.0, 1.0
	for _, r := range group {
		for _, s := range r.Series {
			hi = max(hi, float64(s.Started), float64(s.Completed), float64(s.Shed))
			end = max(end, float64(s.Second))
		}
	}
	var panels []*gonum.Plot
	for i, r := range group {
		p := gonum.New()
		p.Title.Text = fmt.Sprintf("%s / %s: %.0f of %.0f writes/s completed", r.Scenario, r.Policy, r.Rate.Achieved, r.Rate.Target)
		p.X.Label.Text = "second of the run"
		p.Y.Label.Text = "writes per second"
		// The top third is the legend's.
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, end, 0, hi*1.5
		p.X.Tick.Marker, p.Y.Tick.Marker = plainTicks{}, plainTicks{}
		p.Add(plotter.NewGrid())
		if r.Fault.Injected {
			from, to := float64(r.Fault.AtMs)/1000, max(r.Fault.HealedMs/1000, float64(r.Fault.AtMs)/1000+0.05)
			poly, err := plotter.NewPolygon(plotter.XYs{{X: from, Y: 0}, {X: to, Y: 0}, {X: to, Y: hi * 1.5}, {X: from, Y: hi * 1.5}})
			if err != nil {
				return nil, err
			}
			poly.Color, poly.LineStyle.Width = faultShade, 0
			p.Add(poly)
			if i == 0 {
				p.Legend.Add("fault "+r.Fault.Spec, poly)
			}
		}
		for _, series := range []struct {
			name   string
			colour color.Color
			get    func(experiment.Second) int
		}{
			{"attempted", tryColour, func(s experiment.Second) int { return s.Started }},
			{"completed", doneColour, func(s experiment.Second) int { return s.Completed }},
			{"shed", shedColour, func(s experiment.Second) int { return s.Shed }},
		} {
			xys := plotter.XYs{}
			for _, s := range r.Series {
				// A tick counts the second that ends at its number: plot it at
				// that second's middle, under the fault window it belongs to.
				xys = append(xys, plotter.XY{X: float64(s.Second) - 0.5, Y: float64(series.get(s))})
			}
			if len(xys) == 0 {
				continue
			}
			l, pts, err := plotter.NewLinePoints(xys)
			if err != nil {
				return nil, err
			}
			l.LineStyle.Color, l.LineStyle.Width = series.colour, vg.Points(1.5)
			pts.GlyphStyle = draw.GlyphStyle{Color: series.colour, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
			p.Add(l, pts)
			if i == 0 {
				p.Legend.Add(series.name, l, pts)
			}
		}
		p.Legend.Top = true
		panels = append(panels, p)
	}
	return panels, nil
}
