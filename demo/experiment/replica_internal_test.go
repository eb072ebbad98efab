package experiment

import (
	"context"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/internal/labtest"
)

// A run whose periodic replica samples all came before the heal (CI at
// load 10: 8 samples in a whole pg-replica-lag run) still measures the
// catch-up: after the load it samples until the replica is seen with every
// post, instead of reporting "never seen". The lab's own PostgreSQL stands
// in for the replica here, so it is never behind.
func TestReplicaCatchUpIsSampledAfterTheLoad(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{Policy: demo.PolicySeed})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := svc.CreatePost(ctx, demo.NewPost{ID: "p1", AuthorID: "alice", Title: "t"}); err != nil {
		t.Fatal(err)
	}
	info := env.Info
	stand := info.Postgres.Direct()
	info.PostgresReplica = &stand
	start := time.Now()
	w, err := newReplicaWatch(info, env.Stores, svc, start)
	if err != nil {
		t.Fatal(err)
	}
	close(w.done) // run is never started: only awaitCatchUp samples

	w.awaitCatchUp(ctx) // not healed yet: nothing to wait for
	if w.rep.Samples != 0 {
		t.Fatalf("before the heal awaitCatchUp took %d samples", w.rep.Samples)
	}
	w.healedAt(time.Now())
	w.awaitCatchUp(ctx)
	rep, err := w.stop()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Samples == 0 || rep.ReplicaCaughtUpMs <= 0 {
		t.Fatalf("after the heal: %d samples, caught up at %.0f ms (last error %q)", rep.Samples,
			rep.ReplicaCaughtUpMs, rep.LastSampleError)
	}
	t.Logf("caught up seen at %.0f ms after %d sample(s)", rep.ReplicaCaughtUpMs, rep.Samples)
}
