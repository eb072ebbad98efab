package experiment_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/demo/experiment"
	"cqrslab/demo/lab"
	"cqrslab/internal/labtest"
)

// TestClusterPrimaryLoss starts the cluster topology (three primaries, three
// replicas, formed by the lab), runs cluster-primary-loss under the seed
// policy, and holds the report to what the stores say: a primary was
// killed and the cluster elected its replica (the fault heals only after
// the promotion), every acknowledged ZADD is either in a feed or found
// missing by the reconciler (present + lost = acknowledged, from two
// separate reads), PostgreSQL lost nothing, the repair converges, and the
// client saw the Redis step fail for a while (the killed primary's slots
// answer nothing until the election). Then, on the same nodes, the
// rebuild's RENAME (a multi-key command) must work across the cluster, and
// an external lab given the nodes with RedisCluster must reach them through
// a ClusterClient. Nothing of the run may be left: no container, no
// network.
func TestClusterPrimaryLoss(t *testing.T) {
	// The replicated labs wait on Docker and on Sentinel or cluster
	// timeouts, not on the CPU: the three run side by side, after the
	// package's timing-sensitive tests, which do not run in parallel.
	t.Parallel()
	var lines []string
	ctx, l := labtest.Replicated(t, lab.TopologyCluster, 5*time.Minute, func(p lab.Progress) {
		lines = append(lines, fmt.Sprintf("%s %s %s", p.Service, p.Phase, p.Detail))
	})
	if l.Topology != lab.TopologyCluster || len(l.Redis.Cluster) != 6 {
		t.Fatalf("topology %q with %d cluster nodes; want cluster with 6", l.Topology, len(l.Redis.Cluster))
	}
	if !strings.Contains(strings.Join(lines, "\n"), "3/3 primaries have a synced replica") {
		t.Errorf("the progress never said the replicas were in sync:\n%s", strings.Join(lines, "\n"))
	}
	if err := l.Supports(lab.FaultPause); err == nil {
		t.Errorf("a cluster lab accepted pause, which names one Redis")
	}

	driver := experiment.LabFaults(l)
	sc, err := experiment.LookupFor("cluster-primary-loss", lab.TopologyCluster)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := experiment.Run(ctx, l.Info, driver, experiment.Config{Scenario: sc, Policy: demo.PolicySeed,
		Rate: 150, RecoveryAllowance: 15 * time.Second})
	if err != nil {
		t.Fatalf("cluster-primary-loss: %v", err)
	}
	r, c := rep.Redis, rep.Consistency
	t.Logf("cluster-primary-loss: %d attempted, %d acknowledged, %d ZADDs acknowledged: %d present, %d acknowledged then lost; "+
		"missing before repair %d; client saw the Redis step fail for %.0f ms (%d errors); repaired by %s in %.0f ms; "+
		"lost %d; status %s %s", rep.Writes.Attempted, rep.Writes.Acknowledged, r.ZAddAcknowledged, r.AcknowledgedPresent,
		r.AcknowledgedThenLost, c.MissingBeforeRepair, r.OutageMs, r.Errors, c.Repair, c.ConvergeMs, c.Lost, rep.Status, rep.Reason)
	if !rep.Fault.Injected {
		t.Fatalf("the fault was never injected (status %s: %s)", rep.Status, rep.Reason)
	}
	if r.ZAddAcknowledged == 0 {
		t.Fatalf("no ZADD was acknowledged at all")
	}
	if r.AcknowledgedPresent+r.AcknowledgedThenLost != r.ZAddAcknowledged {
		t.Errorf("accounting: %d present + %d lost != %d acknowledged", r.AcknowledgedPresent, r.AcknowledgedThenLost, r.ZAddAcknowledged)
	}
	if r.AcknowledgedThenLost > c.MissingBeforeRepair {
		t.Errorf("%d acknowledged then lost, but only %d missing before repair", r.AcknowledgedThenLost, c.MissingBeforeRepair)
	}
	if c.Lost != 0 || c.Unexpected != 0 || c.Duplicates != 0 || !c.Converged {
		t.Errorf("lost %d unexpected %d duplicates %d converged %v", c.Lost, c.Unexpected, c.Duplicates, c.Converged)
	}
	// A killed primary's slots answer nothing until its replica is
	// elected, after cluster-node-timeout (2 s): writes to those feeds fail.
	if r.Errors == 0 || r.OutageMs <= 0 {
		t.Errorf("the client never saw the Redis step fail (%d errors, outage %.0f ms), yet a primary was killed",
			r.Errors, r.OutageMs)
	}
	if n := len(l.CurrentInfo().Redis.Cluster); n != 6 {
		t.Errorf("after the heal the cluster has %d nodes; want 6 (a new replica in place of the killed primary)", n)
	}

	t.Run("rebuild renames within a slot", func(t *testing.T) {
		st, err := demo.Connect(ctx, l.CurrentInfo())
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if !demo.IsCluster(st.Redis) {
			t.Fatalf("the engine's client on a cluster lab is %T, not a ClusterClient", st.Redis)
		}
		svc := st.Service(demo.Options{})
		for i, a := range []string{"alice", "bob", "carol", "dave"} {
			if _, err := svc.CreatePost(ctx, demo.NewPost{ID: fmt.Sprintf("rb-%d", i), AuthorID: a, Title: "rebuild"}); err != nil {
				t.Fatal(err)
			}
		}
		rec := svc.Reconciler()
		rb, err := rec.Rebuild(ctx)
		if err != nil {
			t.Fatalf("rebuild on the cluster: %v", err)
		}
		d, err := rec.Check(ctx)
		if err != nil || !d.Converged() || rb.Authors < 4 {
			t.Fatalf("after the rebuild of %d authors: %+v (%v)", rb.Authors, d, err)
		}
		keys, err := demo.ScanKeys(ctx, st.Redis, "*")
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if demo.IsRebuildKey(k) {
				t.Errorf("temporary key %q left after the rebuild", k)
			}
		}
	})

	t.Run("external --redis-cluster", func(t *testing.T) {
		info := l.CurrentInfo()
		ext, err := lab.Start(ctx, lab.Options{Provider: lab.External, Topology: lab.TopologyCluster,
			PostgresDSN: info.Postgres.Direct().DSN(), RedisCluster: info.Redis.Cluster[:2],
			RedisPassword: info.Redis.Password}, nil)
		if err != nil {
			t.Fatalf("external lab on the cluster's nodes: %v", err)
		}
		defer ext.Close()
		if err := ext.Supports(lab.FaultClusterPrimaryKill); err == nil {
			t.Errorf("an external cluster accepted cluster_primary_kill: its nodes are not the lab's to kill")
		}
		st, err := demo.Connect(ctx, ext.Info)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if !demo.IsCluster(st.Redis) {
			t.Fatalf("external --redis-cluster gave a %T, not a ClusterClient", st.Redis)
		}
		svc := st.Service(demo.Options{})
		for i, a := range []string{"alice", "bob", "carol", "dave"} {
			if _, err := svc.CreatePost(ctx, demo.NewPost{ID: fmt.Sprintf("ext-%d", i), AuthorID: a, Title: "external"}); err != nil {
				t.Fatal(err)
			}
		}
		keys, err := demo.ScanKeys(ctx, st.Redis, "cqrslab:feed:*")
		if err != nil || len(keys) != 4 {
			t.Fatalf("the four feeds under cqrslab: on the cluster: %v (%v)", keys, err)
		}
		d, err := svc.Reconciler().Check(ctx)
		if err != nil || !d.Converged() {
			t.Fatalf("external cluster check: %+v (%v)", d, err)
		}
	})
}
