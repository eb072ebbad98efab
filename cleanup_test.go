package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"cqrslab/demo/lab"
)

// TestCleanupLeavesOtherStateDirsLabs: `cqrslab cleanup` used to remove
// every cqrslab container on the engine, so cleaning up in one state
// directory silently killed a live lab started from another (another
// terminal's, another user's, another test's). Now lab A survives a
// cleanup from B and a refused `--all`, and goes with a cleanup from A.
func TestCleanupLeavesOtherStateDirsLabs(t *testing.T) {
	envA := []string{"CQRSLAB_STATE_DIR=" + t.TempDir()}
	envB := []string{"CQRSLAB_STATE_DIR=" + t.TempDir()}
	up := startLabUp(t, envA, labUpArgs(t))
	ctx := context.Background()
	containers := func() int {
		n, err := lab.CountContainers(ctx, up.RunID)
		if err != nil {
			return -1 // not a docker lab: no containers to count
		}
		return n
	}
	before := containers()

	out, errOut, code := cqrslab(t, envB, "cleanup")
	if code != 0 {
		t.Fatalf("cleanup from B: exit %d: %s %s", code, out, errOut)
	}
	if n := containers(); n != before {
		t.Fatalf("cleanup from B removed lab A's containers: %d before, %d after (%s)", before, n, out)
	}
	if before > 0 && !strings.Contains(out, "Left ") {
		t.Errorf("cleanup from B does not say it left other labs running: %q", out)
	}
	// --all without a terminal to ask on and without --yes: a usage error
	// that lists what it would remove, and removes nothing.
	if before > 0 {
		out, errOut, code = cqrslab(t, envB, "cleanup", "--all")
		if code != 2 || !strings.Contains(errOut, "--yes") || !strings.Contains(out, up.RunID) {
			t.Errorf("cleanup --all without --yes: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if n := containers(); n != before {
			t.Fatalf("cleanup --all without --yes removed containers: %d before, %d after", before, n)
		}
	}
	if _, errOut, code := cqrslab(t, envA, "feed", "--author", "alice"); code != 0 {
		t.Fatalf("lab A does not answer after cleanups from B: exit %d: %s", code, errOut)
	}
	if out, _, _ := cqrslab(t, envA, "lab", "status"); !strings.Contains(out, up.RunID) {
		t.Errorf("lab status in A no longer lists the lab: %q", out)
	}

	out, errOut, code = cqrslab(t, envA, "cleanup")
	if code != 0 {
		t.Fatalf("cleanup from A: exit %d: %s %s", code, out, errOut)
	}
	if n := containers(); before > 0 && n != 0 {
		t.Errorf("cleanup from A left %d of its own lab's containers (%s)", n, out)
	}
	if _, _, code := cqrslab(t, envA, "feed", "--author", "alice"); code == 0 {
		t.Errorf("lab A still answers after its own cleanup")
	}
	up.cmd.Process.Signal(os.Interrupt)
	select {
	case <-up.exited:
	case <-time.After(60 * time.Second):
		t.Fatal("lab up did not end after its lab was cleaned up and Ctrl-C")
	}
	up.cmd.Wait()
}

func TestCleanupUsage(t *testing.T) {
	wantUsageErrors(t, []usageCase{
		{[]string{"cleanup", "--yes"}, "--yes goes with --all"},
		{[]string{"cleanup", "extra"}, "unexpected argument"},
	})
}
