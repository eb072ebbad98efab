package demo_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/labtest"
)

// Claim (c): with Redis down, the seed tells the caller "saved" and keeps
// every post; the rollback policy tells the caller "failed" about posts
// PostgreSQL had committed, and deletes them. Claim (e): the read race
// returns the same feed both ways and measures both (the ratio is printed,
// not asserted: timing belongs to benchmarks).
func TestClaimsRollbackTallyAndReadRace(t *testing.T) {
	env := labtest.New(t)
	rc := env.Stores.RenewableRedis()
	logger := slog.New(slog.NewTextHandler(env.Logs, nil))
	seed := env.Stores.ServiceOver(rc, demo.Options{Logger: logger})
	rb := env.Stores.ServiceOver(rc, demo.Options{Logger: logger, Policy: demo.PolicyRollback})
	ctx := context.Background()
	for i := range 25 {
		mustCreate(t, seed, "alice", fmt.Sprintf("post %d", i))
	}
	race := demo.NewReadModel(seed).RaceReads(ctx, "alice", 20, 20)
	if race.Err != nil || race.Items != 20 || race.Redis <= 0 || race.SQL <= 0 {
		t.Fatalf("read race: %+v", race)
	}
	t.Logf("GetFeed median %.2f ms, SQL join %.2f ms: %.1f×", race.RedisMs, race.SQLMs, race.Ratio)

	t.Cleanup(func() { _ = env.Lab.HealAll(context.Background()) })
	if err := env.Lab.Inject(ctx, lab.Fault{Kind: lab.FaultDown}); err != nil {
		t.Fatal(err)
	}
	s, err := demo.TallyWrites(ctx, seed, "alice", "seed", 2)
	if err != nil {
		t.Fatal(err)
	}
	r, err := demo.TallyWrites(ctx, rb, "alice", "rollback", 2)
	if err != nil {
		t.Fatal(err)
	}
	if s.Succeeded != 2 || s.StaleFeed != 2 || s.InPG != 2 || s.Failed != 0 {
		t.Errorf("seed with Redis down: %+v; want 2 told success, 2 stale, 2 kept", s)
	}
	if r.Failed != 2 || r.RolledBack != 2 || r.InPG != 0 || r.Succeeded != 0 {
		t.Errorf("rollback with Redis down: %+v; want 2 told failure, 2 rolled back, none kept", r)
	}
}
