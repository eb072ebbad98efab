package cli

import (
	"fmt"

	mango "github.com/muesli/mango-cobra"
	"github.com/muesli/roff"
	"github.com/spf13/cobra"
)

// manCmd prints the man page, generated from the same command tree as the
// help and completions (fang's own writes to os.Stdout; this one to the
// command's stdout, so a test can read it).
func manCmd(stdio Stdio) *cobra.Command {
	c := leaf("man\n\nPrints cqrslab's man page (roff), made from the commands and flags of this binary:\n"+
		"  cqrslab man | man -l -\n"+
		"  cqrslab man > ~/.local/share/man/man1/cqrslab.1",
		"print the man page (cqrslab man | man -l -)")
	c.RunE = func(c *cobra.Command, _ []string) error {
		page, err := mango.NewManPage(1, c.Root())
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(stdio.Out, page.Build(roff.NewDocument()))
		return err
	}
	return c
}
