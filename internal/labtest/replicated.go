package labtest

import (
	"context"
	"testing"
	"time"

	"cqrslab/demo/lab"
)

// Replicated starts a lab of one of the replicated topologies (ha,
// cluster) of the test's own, for tests of chapter two: it skips or fails
// as DockerOnly says when the run has no docker provider, bounds the whole
// test by timeout (the returned context), logs how long the lab took to be
// ready, and when the test ends closes the lab and fails the test if any
// container or network of the run is left. progress may be nil.
func Replicated(t *testing.T, topo lab.Topology, timeout time.Duration, progress lab.ProgressFunc) (context.Context, *lab.Lab) {
	t.Helper()
	opts := Ready(t)
	DockerOnly(t, opts, "topology "+string(topo))
	opts.Topology = topo
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel) // cleanups run last-first: after the lab's Close below
	start := time.Now()
	l, err := lab.Start(ctx, opts, progress)
	if err != nil {
		t.Fatalf("start the %s lab: %v", topo, err)
	}
	t.Logf("%s lab ready in %v", topo, time.Since(start).Round(100*time.Millisecond))
	runID := l.RunID
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if n, err := lab.CountContainers(cctx, runID); err != nil || n != 0 {
			t.Errorf("after Close: %d containers of run %s left (%v)", n, runID, err)
		}
		if n, err := lab.CountNetworks(cctx, runID); err != nil || n != 0 {
			t.Errorf("after Close: %d networks of run %s left (%v)", n, runID, err)
		}
	})
	return ctx, l
}
