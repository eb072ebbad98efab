package experiment_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"cqrslab/demo"
	"cqrslab/demo/experiment"
	"cqrslab/demo/lab"
	"cqrslab/internal/labtest"
)

// TestHAReplicaAndSentinel starts one ha lab and runs on it the two
// checks of the PostgreSQL replica and of --redis-sentinel (one lab:
// each ha start is 8 containers).
//
// replicaLag runs pg-replica-lag on the real ha lab: WAL replay is
// paused on the PostgreSQL replica for 3 s under 150 writes/s. Both facts
// of the lesson are measured on the real servers, not assumed: the SQL
// feed read from the replica lacks posts the primary has committed (reads
// that came back stale, a count of posts behind, a replay lag of most of
// the pause, and a reconciler reading the replica that would have deleted
// live members), while the run's reconciler, which reads the primary,
// leaves nothing lost and converges; after the heal the replica catches
// up.
func TestHAReplicaAndSentinel(t *testing.T) {
	// The replicated labs wait on Docker and on Sentinel or cluster
	// timeouts, not on the CPU: the three run side by side, after the
	// package's timing-sensitive tests, which do not run in parallel.
	t.Parallel()
	ctx, l := labtest.Replicated(t, lab.TopologyHA, 4*time.Minute, nil)
	t.Run("pg-replica-lag", func(t *testing.T) { replicaLag(ctx, t, l) })
	t.Run("external-sentinel", func(t *testing.T) { externalSentinel(ctx, t, l) })
}

func replicaLag(ctx context.Context, t *testing.T, l *lab.Lab) {
	if l.PostgresReplica == nil || l.PostgresReplica.Host == "" {
		t.Fatal("the ha lab reports no PostgreSQL replica")
	}
	sc, err := experiment.LookupFor("pg-replica-lag", lab.TopologyHA)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := experiment.Run(ctx, l.Info, experiment.LabFaults(l), experiment.Config{Scenario: sc,
		Policy: demo.PolicySeed, Rate: 150, RecoveryAllowance: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p, c := rep.Postgres, rep.Consistency
	if p == nil {
		t.Fatalf("no postgres part in the report (status %s %s)", rep.Status, rep.Reason)
	}
	t.Logf("replica: %d samples, %d failed (last: %s)", p.Samples, p.SampleErrors, p.LastSampleError)
	t.Logf("replica: %d of %d SQL feed reads stale (at most %d posts missing from one), %d posts behind at most, "+
		"replay lag %.0f ms, caught up %.0f ms after the load started (healed at %.0f); a reconciler reading it "+
		"saw %d live members as unexpected; primary reconciler: lost %d, missing before repair %d, converged %v "+
		"by %s in %.0f ms; status %s %s", p.ReplicaFeedStale, p.ReplicaFeedReads, p.ReplicaFeedMissingMax,
		p.ReplicaBehindMax, p.ReplicaLagMs, p.ReplicaCaughtUpMs, rep.Fault.HealedMs, p.ReplicaReconcilerUnexpectedMax,
		c.Lost, c.MissingBeforeRepair, c.Converged, c.Repair, c.ConvergeMs, rep.Status, rep.Reason)
	if !rep.Fault.Injected {
		t.Fatal("the fault was never injected")
	}
	// Behind: 3 s of commits at 150/s that the replica did not apply.
	if p.ReplicaFeedStale == 0 || p.ReplicaFeedMissingMax == 0 {
		t.Errorf("no SQL feed read from the replica lacked a post the primary had (%d reads)", p.ReplicaFeedReads)
	}
	if p.ReplicaBehindMax < 50 {
		t.Errorf("replica at most %d posts behind; 3 s of paused replay at 150 writes/s should leave hundreds", p.ReplicaBehindMax)
	}
	if p.ReplicaLagMs < 1000 {
		t.Errorf("replay lag at most %.0f ms over a 3 s pause", p.ReplicaLagMs)
	}
	if p.ReplicaReconcilerUnexpectedMax <= 0 {
		t.Errorf("a reconciler reading the paused replica saw no live member as unexpected (%d)", p.ReplicaReconcilerUnexpectedMax)
	}
	if p.ReplicaCaughtUpMs == 0 || p.ReplicaCaughtUpMs < rep.Fault.HealedMs {
		t.Errorf("replica caught up at %.0f ms, heal at %.0f ms", p.ReplicaCaughtUpMs, rep.Fault.HealedMs)
	}
	// Correct: the run's reconciler reads the primary.
	if c.Lost != 0 || c.Missing != 0 || c.Unexpected != 0 || c.Duplicates != 0 || !c.Converged {
		t.Errorf("lost %d missing %d unexpected %d duplicates %d converged %v", c.Lost, c.Missing, c.Unexpected,
			c.Duplicates, c.Converged)
	}
}

// externalSentinel points an external lab at the ha lab's own Sentinels
// (--redis-sentinel MASTER@HOST:PORT,...): the engine's client is a
// FailoverClient that finds the primary through them, its writes land on
// the ha primary, a network fault of the external lab reaches its
// connections, and a chapter-one experiment runs and converges on it.
func externalSentinel(ctx context.Context, t *testing.T, ha *lab.Lab) {
	hi := ha.CurrentInfo()
	ext, err := lab.Start(ctx, lab.Options{Provider: lab.External, PostgresDSN: hi.Postgres.Direct().DSN(),
		RedisSentinels: hi.Redis.Sentinels, RedisMasterName: hi.Redis.MasterName, RedisPassword: hi.Redis.Password}, nil)
	if err != nil {
		t.Fatalf("external lab on the ha lab's Sentinels %v: %v", hi.Redis.Sentinels, err)
	}
	defer ext.Close()
	ei := ext.CurrentInfo()
	if len(ei.Redis.Sentinels) != 3 || ei.Redis.MasterName != hi.Redis.MasterName {
		t.Fatalf("external lab's Redis: sentinels %v master %q", ei.Redis.Sentinels, ei.Redis.MasterName)
	}
	st, err := demo.Connect(ctx, ei)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if rc, ok := st.Redis.(*redis.Client); !ok || rc.Options().Addr != "FailoverClient" {
		t.Fatalf("the engine's Redis client is not go-redis's FailoverClient (%T)", st.Redis)
	}
	svc := st.Service(demo.Options{Policy: demo.PolicySeed})
	res, err := svc.CreatePost(ctx, demo.NewPost{ID: "sentinel-1", AuthorID: "alice", Title: "through the Sentinels"})
	if err != nil || res.ProjectionErr != nil {
		t.Fatalf("create through the Sentinels: %v / %v", err, res.ProjectionErr)
	}
	own, err := demo.Connect(ctx, hi)
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	if n, err := own.Redis.ZCard(ctx, ei.Redis.KeyPrefix+"feed:alice").Result(); err != nil || n != 1 {
		t.Fatalf("the ha primary's feed of alice under %q has %d members (%v), want the one written", ei.Redis.KeyPrefix, n, err)
	}

	// A network fault of the external lab reaches the FailoverClient.
	if err := ext.Inject(ctx, lab.Fault{Kind: lab.FaultDown}); err != nil {
		t.Fatal(err)
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	perr := st.Redis.Ping(pctx).Err()
	cancel()
	if err := ext.HealAll(ctx); err != nil {
		t.Fatal(err)
	}
	if perr == nil {
		t.Error("PING through the Sentinels succeeded while the external lab's Redis was down")
	}
	if err := st.Redis.Ping(ctx).Err(); err != nil {
		t.Errorf("PING after the heal: %v", err)
	}

	sc, err := experiment.Lookup("redis-down")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := experiment.Run(ctx, ei, experiment.LabFaults(ext), experiment.Config{Scenario: sc,
		Policy: demo.PolicySeed, Rate: 100, Duration: 3 * time.Second, RecoveryAllowance: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Consistency
	t.Logf("redis-down through the Sentinels: %d acknowledged, %d Redis errors, missing before repair %d, "+
		"lost %d, converged %v; status %s %s", rep.Writes.Acknowledged, rep.Redis.Errors, c.MissingBeforeRepair,
		c.Lost, c.Converged, rep.Status, rep.Reason)
	// The seed's client has no deadline: go-redis may retry through a
	// 2 s outage, so the fault shows as errors or as waits.
	t.Logf("fault window latency p99 %.0f ms max %.0f ms", rep.FaultLatency.P99, rep.FaultLatency.Max)
	if !rep.Fault.Injected || (rep.Redis.Errors == 0 && rep.FaultLatency.Max < 500) {
		t.Errorf("the down fault (injected %v) was not felt: %d Redis errors, fault window max %.0f ms",
			rep.Fault.Injected, rep.Redis.Errors, rep.FaultLatency.Max)
	}
	if c.Lost != 0 || !c.Converged {
		t.Errorf("lost %d converged %v", c.Lost, c.Converged)
	}
}
