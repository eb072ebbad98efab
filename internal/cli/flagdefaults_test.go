package cli

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// A flag whose usage says its default in words shows no other: help
// printed "(default: the scenario's) (0s)" for experiment --duration, two
// defaults for one flag.
func TestNoFlagShowsTwoDefaults(t *testing.T) {
	root := newRoot(Stdio{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if strings.Contains(f.Usage, "(default") && f.DefValue != "" && f.DefValue != "false" {
				t.Errorf("%s --%s: usage %q and default %q", c.CommandPath(), f.Name, f.Usage, f.DefValue)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
