package plot

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"time"

	"cqrslab/demo/experiment"

	gonum "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// quantileBucket is the width of the windows the p50 and p99 lines are
// computed over: fine enough to show a 50 ms spike's edges, coarse enough
// to hold a few dozen writes at the scenarios' rates.
const quantileBucket = 250 * time.Millisecond

type latencyChart struct {
	panels  []*gonum.Plot
	counter *glyphCounter
}

// latencyPanels builds one latency-over-time panel per report, all on the
// same (log) latency axis and the same time axis.
func latencyPanels(group []*experiment.Report) (latencyChart, error) {
	counter := &glyphCounter{shape: draw.CircleGlyph{}}
	lo, hi, end := math.Inf(1), 0.0, 0.0
	for _, r := range group {
		for _, s := range r.Samples {
			ms := latencyMs(s)
			lo, hi = min(lo, ms), max(hi, ms)
			end = max(end, s.At.Seconds())
		}
		end = max(end, float64(r.Fault.AtMs+r.Fault.ForMs)/1000, r.Fault.HealedMs/1000)
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0.1, 10
	}
	// Room below, so no marker sits on the frame (the canvas drops markers
	// outside it), and above for the legend: a decade and a half on the log
	// axis.
	lo, hi = lo/1.5, hi*30
	var panels []*gonum.Plot
	for i, r := range group {
		p := gonum.New()
		p.Title.Text = fmt.Sprintf("%s / %s: %s", r.Scenario, r.Policy, r.Status)
		p.X.Label.Text = "intended start (s)"
		p.Y.Label.Text = "latency (ms, log)"
		p.Y.Scale, p.Y.Tick.Marker = gonum.LogScale{}, gonum.LogTicks{Prec: -1}
		p.X.Tick.Marker = plainTicks{}
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, end, lo, hi
		p.Add(plotter.NewGrid())
		if err := addFaultWindow(p, r, lo, hi, i == 0); err != nil {
			return latencyChart{}, err
		}
		for _, oc := range outcomes {
			var xys plotter.XYs
			for _, s := range r.Samples {
				if s.Outcome == oc.o {
					xys = append(xys, plotter.XY{X: s.At.Seconds(), Y: latencyMs(s)})
				}
			}
			sc := &plotter.Scatter{XYs: xys,
				GlyphStyle: draw.GlyphStyle{Color: oc.colour, Radius: markerRadius, Shape: counter}}
			p.Add(sc)
			if i == 0 {
				p.Legend.Add(oc.name, swatch{oc.colour})
			}
		}
		p50, p99 := quantileLines(r.Samples)
		for _, q := range []struct {
			name   string
			xys    plotter.XYs
			colour color.Color
		}{{"p50", p50, p50Colour}, {"p99", p99, p99Colour}} {
			if len(q.xys) == 0 {
				continue
			}
			l, err := plotter.NewLine(q.xys)
			if err != nil {
				return latencyChart{}, err
			}
			l.LineStyle.Width, l.LineStyle.Color = vg.Points(1.5), q.colour
			p.Add(l)
			if i == 0 {
				p.Legend.Add(q.name, l)
			}
		}
		p.Legend.Top = true
		panels = append(panels, p)
	}
	return latencyChart{panels: panels, counter: counter}, nil
}

// latencyMs is a sample's latency for a log axis (never 0).
func latencyMs(s experiment.Sample) float64 {
	return max(float64(s.Latency.Microseconds())/1000, 0.001)
}

// addFaultWindow shades the fault from its injection to its heal; an
// instant fault (a restart) gets a thin band where it happened.
func addFaultWindow(p *gonum.Plot, r *experiment.Report, lo, hi float64, legend bool) error {
	if !r.Fault.Injected {
		return nil
	}
	from := float64(r.Fault.AtMs) / 1000
	to := max(r.Fault.HealedMs/1000, from+0.05)
	poly, err := plotter.NewPolygon(plotter.XYs{{X: from, Y: lo}, {X: to, Y: lo}, {X: to, Y: hi}, {X: from, Y: hi}})
	if err != nil {
		return err
	}
	poly.Color = faultShade
	poly.LineStyle.Width = 0
	p.Add(poly)
	if legend {
		p.Legend.Add("fault "+r.Fault.Spec, poly)
	}
	return nil
}

// quantileLines computes p50 and p99 of the samples in windows of
// quantileBucket by intended start, each plotted at its window's middle.
func quantileLines(samples []experiment.Sample) (p50, p99 plotter.XYs) {
	buckets := map[int][]float64{}
	for _, s := range samples {
		b := int(s.At / quantileBucket)
		buckets[b] = append(buckets[b], latencyMs(s))
	}
	keys := make([]int, 0, len(buckets))
	for k := range buckets {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := buckets[k]
		slices.Sort(v)
		x := (time.Duration(k)*quantileBucket + quantileBucket/2).Seconds()
		p50 = append(p50, plotter.XY{X: x, Y: quantile(v, 0.50)})
		p99 = append(p99, plotter.XY{X: x, Y: quantile(v, 0.99)})
	}
	return p50, p99
}

// quantile of sorted values, nearest rank.
func quantile(sorted []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
