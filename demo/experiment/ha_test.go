package experiment_test

import (
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
// reads), PostgreSQL lost nothing, the repair converges, and the
// failover's client saw it (a gap with no successful ZADD of at least
// Sentinel's down-after, 1 s).
//
// Both scenarios must lose acknowledged writes under seed. The failover
// cuts the replicas off the replication stream for 500 ms before the kill
// while the engine writes 150 a second to the primary, which acknowledges
// every one; the replica Sentinel promotes has none of them. The split
// brain's cut-off primary takes writes for at least the down-after, and
// every one is thrown away when it rejoins. The failover runs again with
// WAIT 1,50ms: during the lag no replica confirms, so ZADDs fail visibly
// (errors > 0) instead, and the repair still converges with nothing lost.
func TestHAFailoverAccounting(t *testing.T) {
	// The replicated labs wait on Docker and on Sentinel or cluster
	// timeouts, not on the CPU: the three run side by side, after the
	// package's timing-sensitive tests, which do not run in parallel.
	t.Parallel()
	ctx, l := labtest.Replicated(t, lab.TopologyHA, 4*time.Minute, nil)
	driver := experiment.LabFaults(l)
	wait := demo.RedisWait{Replicas: 1, Timeout: 50 * time.Millisecond}
	for _, run := range []struct {
		name string
		wait demo.RedisWait
	}{{"redis-failover", demo.RedisWait{}}, {"redis-split-brain", demo.RedisWait{}}, {"redis-failover", wait}} {
		name := run.name
		sc, err := experiment.LookupFor(name, lab.TopologyHA)
		if err != nil {
			t.Fatal(err)
		}
		if run.wait.Replicas > 0 {
			name += " with WAIT " + run.wait.String()
		}
		rep, err := experiment.Run(ctx, l.Info, driver, experiment.Config{Scenario: sc, Policy: demo.PolicySeed,
			Rate: 150, RecoveryAllowance: 10 * time.Second, RedisWait: run.wait})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		r, c := rep.Redis, rep.Consistency
		t.Logf("%s: %d writes acknowledged, %d ZADDs acknowledged: %d present, %d acknowledged then lost; "+
			"no ZADD succeeded for %.0f ms, the Redis step failed for %.0f ms (%d errors); p99 %.0f ms; "+
			"repaired by %s in %.0f ms; status %s %s",
			name, rep.Writes.Acknowledged, r.ZAddAcknowledged, r.AcknowledgedPresent, r.AcknowledgedThenLost,
			r.FailoverMs, r.OutageMs, r.Errors, rep.Latency.P99, c.Repair, c.ConvergeMs, rep.Status, rep.Reason)
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
		// A split brain's client sees no failover: it keeps writing to
		// the old primary, which answers until it rejoins.
		if run.name == "redis-failover" && r.FailoverMs < 1000 {
			t.Errorf("%s: the client saw no ZADD fail or wait for %.0f ms at most, shorter than Sentinel's "+
				"down-after (1 s): the failover went unseen", name, r.FailoverMs)
		}
		switch {
		case run.wait.Replicas > 0:
			if r.Errors == 0 {
				t.Errorf("%s: no replica could confirm a ZADD during the 500 ms lag, yet WAIT failed none", name)
			}
		case r.AcknowledgedThenLost == 0:
			t.Errorf("%s: the primary acknowledged writes its replicas never received (the lag, or the "+
				"partition), yet none was lost", name)
		}
	}
}
