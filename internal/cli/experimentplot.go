package cli

import (
	"fmt"

	"cqrslab/demo/experiment"
	"cqrslab/demo/experiment/plot"
)

// writePlots writes the charts of --plot and lists them on stderr, with the
// number of writes each latency chart drew, so a reader can match it
// against the report's attempted writes.
func writePlots(stdio Stdio, dir string, reports []*experiment.Report) error {
	files, err := plot.Write(dir, reports)
	for _, f := range files {
		if f.Points > 0 {
			fmt.Fprintf(stdio.Err, "chart %s (%d writes)\n", f.Path, f.Points)
		} else {
			fmt.Fprintf(stdio.Err, "chart %s\n", f.Path)
		}
	}
	if err != nil {
		return fmt.Errorf("experiment --plot: %w", err)
	}
	return nil
}
