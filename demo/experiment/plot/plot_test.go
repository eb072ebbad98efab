package plot_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/demo/experiment"
	"cqrslab/demo/experiment/plot"
	"cqrslab/internal/labtest"
)

func TestMain(m *testing.M) { os.Exit(labtest.Main(m)) }

// TestChartsOfARealRun runs latency-spike under two policies against a real
// lab, plots them, and checks that every file is a valid image, that the
// latency chart drew exactly one marker per attempted write (as the plotting
// code counted it and as the SVG holds it, by the outcome colours), and
// that the policies share one chart.
func TestChartsOfARealRun(t *testing.T) {
	l := labtest.Lab(t)
	sc, err := experiment.Lookup("latency-spike")
	if err != nil {
		t.Fatal(err)
	}
	sc.At, sc.For = 500*time.Millisecond, time.Second
	var reports []*experiment.Report
	attempted := 0
	for _, p := range []demo.PolicyName{demo.PolicySeed, demo.PolicyOutbox} {
		rep, err := experiment.Run(context.Background(), l.Info, experiment.LabFaults(l),
			experiment.Config{Scenario: sc, Policy: p, Rate: 100, Duration: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Status == experiment.StatusUnavailable {
			labtest.Unavailable(t, "fault unavailable: %s", rep.Reason)
		}
		if len(rep.Samples) != rep.Writes.Attempted {
			t.Fatalf("%s: %d samples for %d attempted writes", p, len(rep.Samples), rep.Writes.Attempted)
		}
		attempted += rep.Writes.Attempted
		reports = append(reports, rep)
	}
	dir := t.TempDir()
	files, err := plot.Write(dir, reports)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"latency-spike-latency.png", "latency-spike-latency.svg", "latency-spike-rate.png", "latency-spike-rate.svg"}
	if len(files) != len(want) {
		t.Fatalf("wrote %v, want %v", files, want)
	}
	for i, f := range files {
		if filepath.Base(f.Path) != want[i] {
			t.Fatalf("file %d is %s, want %s", i, f.Path, want[i])
		}
		b, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(f.Path) {
		case ".png":
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", f.Path, err)
			}
			// Two panels side by side: wider than tall.
			if r := img.Bounds(); r.Dx() < 2*r.Dy() {
				t.Errorf("%s is %v: not two panels side by side", f.Path, r)
			}
		case ".svg":
			markers := checkSVG(t, f.Path, b)
			if strings.HasSuffix(f.Path, "-latency.svg") {
				// The legend of the first panel adds one swatch per outcome.
				if markers-3 != attempted {
					t.Errorf("%s holds %d write markers; %d writes were attempted", f.Path, markers-3, attempted)
				}
			}
		}
		if strings.Contains(filepath.Base(f.Path), "-latency.") && f.Points != attempted {
			t.Errorf("%s: drew %d points; %d writes were attempted", f.Path, f.Points, attempted)
		}
	}
}

// checkSVG parses an SVG fully and counts the elements filled with an
// outcome's colour (acknowledged, unknown, failed).
func checkSVG(t *testing.T, path string, b []byte) int {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	root, markers := "", 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not valid XML: %v", path, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root == "" {
			root = se.Name.Local
		}
		for _, a := range se.Attr {
			if a.Name.Local == "style" && (strings.Contains(a.Value, "fill:#0072B2") ||
				strings.Contains(a.Value, "fill:#E69F00") || strings.Contains(a.Value, "fill:#D55E00")) {
				markers++
			}
		}
	}
	if root != "svg" {
		t.Fatalf("%s: root element %q, want svg", path, root)
	}
	return markers
}
