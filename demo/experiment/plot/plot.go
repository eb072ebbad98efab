// Package plot draws an experiment's charts, the two that Jepsen's
// latency-raw and rate plots made standard: every write as a point by its
// intended start (coloured by outcome, the fault window shaded, p50 and p99
// over time), and writes per second attempted, completed and shed. The
// policies of one scenario sit side by side on one shared axis, so the eye
// compares them without reading the scales.
package plot

import (
	"fmt"
	"os"
	"path/filepath"

	"cqrslab/demo/experiment"
)

// File is one chart written, with what it drew.
type File struct {
	Path string
	// Points is the number of write markers drawn (latency charts; 0 for
	// rate charts), so a test or a reader can check it against the
	// report's attempted writes.
	Points int
}

// Write writes DIR/<scenario>-latency.{png,svg} and
// DIR/<scenario>-rate.{png,svg} for each scenario in reports, one panel per
// policy. Runs that measured nothing (unavailable) are left out.
func Write(dir string, reports []*experiment.Report) ([]File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	var files []File
	for _, group := range byScenario(reports) {
		name := filepath.Join(dir, safeName(group[0].Scenario))
		lat, err := latencyPanels(group)
		if err != nil {
			return files, err
		}
		for _, ext := range []string{"png", "svg"} {
			path := name + "-latency." + ext
			n, err := render(path, ext, lat.panels, lat.counter)
			if err != nil {
				return files, err
			}
			files = append(files, File{Path: path, Points: n})
		}
		rate, err := ratePanels(group)
		if err != nil {
			return files, err
		}
		for _, ext := range []string{"png", "svg"} {
			path := name + "-rate." + ext
			if _, err := render(path, ext, rate, nil); err != nil {
				return files, err
			}
			files = append(files, File{Path: path})
		}
	}
	return files, nil
}

// byScenario groups consecutive reports of one scenario, dropping those
// that measured nothing.
func byScenario(reports []*experiment.Report) [][]*experiment.Report {
	var groups [][]*experiment.Report
	for _, r := range reports {
		if r.Status == experiment.StatusUnavailable {
			continue
		}
		if n := len(groups); n > 0 && groups[n-1][0].Scenario == r.Scenario {
			groups[n-1] = append(groups[n-1], r)
			continue
		}
		groups = append(groups, []*experiment.Report{r})
	}
	return groups
}

// safeName keeps a scenario name to letters, digits, '-' and '_' for a file
// name (scenario names are already so; this is a guard, not a rewrite).
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}
