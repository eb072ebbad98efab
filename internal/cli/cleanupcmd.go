package cli

import (
	"context"
	"fmt"
	"os"

	"cqrslab/demo/lab"
)

func runCleanup(ctx context.Context, stdio Stdio, args []string) error {
	fs := newFlags("cleanup", "cleanup", stdio)
	if err := parse(fs, args, false); err != nil {
		return err
	}
	containers, err := lab.PurgeContainers(ctx, true)
	if err != nil {
		return fmt.Errorf("cleanup: %w", err)
	}
	runs, err := lab.CleanupLocal(true)
	if err != nil {
		return fmt.Errorf("cleanup: %w", err)
	}
	os.RemoveAll(labsDir())
	fmt.Fprintf(stdio.Out, "Removed %d container(s) and %d local server run(s).\n", containers, runs)
	return nil
}
