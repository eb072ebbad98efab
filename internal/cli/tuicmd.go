package cli

import (
	"context"

	"cqrslab/internal/tui"
)

func runTUI(ctx context.Context, stdio Stdio, args []string) error {
	fs := newFlags("tui", "tui", stdio)
	if err := parse(fs, args, false); err != nil {
		return err
	}
	return tui.Run()
}
