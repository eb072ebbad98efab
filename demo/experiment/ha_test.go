package experiment_test

import (
	"context"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/demo/experiment"
	"cqrslab/demo/lab"
	"cqrslab/internal/labtest"
)

// TestHAFailoverAccounting runs chapter two's scenarios on a real ha lab
// (primary, two replicas, three Sentinels) and checks the accounting of
// writes Redis acknowledged and then lost, all counted from the stores:
// every acknowledged ZADD is either in the feed or found missing by the
// reconciler (zadd_acknowledged = present + lost, from two separate
// reads), PostgreSQL lost nothing, and the repair converges. The split
// brain must lose some: the engine keeps writing to the cut-off primary
// for at least Sentinel's down-after (1 s) at 150 writes/s, and every one
// of those is thrown away when it rejoins. Whether a kill loses any
// depends on a write being acknowledged in the microseconds before the
// replicas got it, so there only the accounting is held.
func TestHAFailoverAccounting(t *testing.T) {
	// The replicated labs wait on Docker and on Sentinel or cluster
	// timeouts, not on the CPU: the three run side by side, after the
	// package's timing-sensitive tests, which do not run in parallel.
	t.Parallel()
	opts := labtest.Ready(t)
	labtest.DockerOnly(t, opts, "topology ha")
	opts.Topology = lab.TopologyHA
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	start := time.Now()
	l, err := lab.Start(ctx, opts, nil)
	if err != nil {
		t.Fatalf("start the ha lab: %v", err)
	}
	t.Logf("ha lab ready in %v", time.Since(start).Round(100*time.Millisecond))
	runID := l.RunID
	defer func() {
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
	}()
	driver := experiment.LabFaults(l)
	for _, name := range []string{"redis-failover", "redis-split-brain"} {
		sc, err := experiment.LookupFor(name, lab.TopologyHA)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := experiment.Run(ctx, l.Info, driver, experiment.Config{Scenario: sc, Policy: demo.PolicySeed,
			Rate: 150, RecoveryAllowance: 10 * time.Second})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		r, c := rep.Redis, rep.Consistency
		t.Logf("%s: %d writes acknowledged, %d ZADDs acknowledged: %d present, %d acknowledged then lost; "+
			"client saw the Redis step fail for %.0f ms (%d errors); repaired by %s in %.0f ms; status %s %s",
			name, rep.Writes.Acknowledged, r.ZAddAcknowledged, r.AcknowledgedPresent, r.AcknowledgedThenLost,
			r.OutageMs, r.Errors, c.Repair, c.ConvergeMs, rep.Status, rep.Reason)
		if !rep.Fault.Injected {
			t.Fatalf("%s: the fault was never injected", name)
		}
		if r.ZAddAcknowledged == 0 {
			t.Fatalf("%s: no ZADD was acknowledged at all", name)
		}
		if r.AcknowledgedPresent+r.AcknowledgedThenLost != r.ZAddAcknowledged {
			t.Errorf("%s: accounting: %d present + %d lost != %d acknowledged", name,
				r.AcknowledgedPresent, r.AcknowledgedThenLost, r.ZAddAcknowledged)
		}
		if r.AcknowledgedThenLost > c.MissingBeforeRepair {
			t.Errorf("%s: %d acknowledged then lost, but only %d missing before repair", name,
				r.AcknowledgedThenLost, c.MissingBeforeRepair)
		}
		if c.Lost != 0 || c.Unexpected != 0 || c.Duplicates != 0 || !c.Converged {
			t.Errorf("%s: lost %d unexpected %d duplicates %d converged %v", name, c.Lost, c.Unexpected, c.Duplicates, c.Converged)
		}
		if name == "redis-split-brain" && r.AcknowledgedThenLost == 0 {
			t.Errorf("%s: the cut-off primary acknowledged writes for at least a second, yet none was lost", name)
		}
	}
}
