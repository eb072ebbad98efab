package experiment_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/demo/experiment"
	"cqrslab/internal/labtest"
)

func TestMain(m *testing.M) { os.Exit(labtest.Main(m)) }

// TestEveryScenarioUnderEveryPolicy is the accounting check of issue 3: for
// each named scenario and policy, nothing acknowledged is lost, nothing
// unexpected or duplicated remains, and the feed converges after repair.
// Timelines are shortened (see shortTimeline) so the whole matrix fits
// CI's budget.
func TestEveryScenarioUnderEveryPolicy(t *testing.T) {
	l := labtest.Lab(t)
	driver := experiment.LabFaults(l)
	for _, full := range experiment.Scenarios {
		sc := shortTimeline(full)
		for _, p := range demo.Policies {
			t.Run(sc.Name+"/"+string(p), func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				// The matrix checks the accounting, not the lesson's 20 ms
				// budget or its 3 s recovery allowance: under -race on a
				// busy 2-core runner ZADDs miss 20 ms, and a pool wait out
				// go-redis's dial backoff, for the machine's sake, and the
				// write-path check would rightly call that degraded. A path
				// still dead 10 s after the heal fails here all the same;
				// the budget and the allowance themselves are held by the
				// breaker and write-path tests.
				rep, err := experiment.Run(ctx, l.Info, driver, experiment.Config{Scenario: sc, Policy: p,
					Rate: 150, Budget: demo.Budget{Deadline: 250 * time.Millisecond},
					RecoveryAllowance: 10 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				c := rep.Consistency
				t.Logf("acked %d/%d failed %d unknown %d; p99 %.1f ms; redis errors %d; missing before repair %d; "+
					"repair %s; converged in %.0f ms; stale window %.0f ms",
					rep.Writes.Acknowledged, rep.Writes.Attempted, rep.Writes.Failed, rep.Writes.Unknown, rep.Latency.P99,
					rep.Redis.Errors, c.MissingBeforeRepair, c.Repair, c.ConvergeMs, c.StaleWindowMs)
				if rep.Status == "unavailable" {
					labtest.Unavailable(t, "fault %s unavailable: %s", sc.Fault, rep.Reason)
				}
				if !rep.Fault.Injected {
					t.Fatal("the fault was never injected")
				}
				if c.Lost != 0 || c.Unexpected != 0 || c.Duplicates != 0 || !c.Converged || rep.Status != "passed" {
					t.Fatalf("status %s: lost %d unexpected %d duplicates %d converged %v (missing %d)",
						rep.Status, c.Lost, c.Unexpected, c.Duplicates, c.Converged, c.Missing)
				}
				if got := rep.Writes.Acknowledged + rep.Writes.Failed + rep.Writes.Unknown; got != rep.Writes.Attempted {
					t.Fatalf("writes do not add up: %d of %d", got, rep.Writes.Attempted)
				}
				// The seed's stale window is measured, not hidden: faults
				// that always cost it ZADDs leave writes missing before the
				// repair (a reset may or may not, depending on whether the
				// seed's retries outlast it), and any failed projection
				// shows as a stale window.
				if p == demo.PolicySeed && (sc.Name == "redis-down" ||
					sc.Name == "crash-between-writes" || sc.Name == "redis-restart-data-loss") {
					if c.MissingBeforeRepair == 0 {
						t.Errorf("seed under %s reported no missing members before repair", sc.Name)
					}
				}
				if (rep.Redis.Errors > 0 || c.MissingBeforeRepair > 0) && c.StaleWindowMs <= 0 {
					t.Errorf("the feed went stale (%d errors, %d missing) but no stale window was measured",
						rep.Redis.Errors, c.MissingBeforeRepair)
				}
				if sc.Name == "postgres-down" && rep.Writes.Failed+rep.Writes.Unknown == 0 {
					t.Error("PostgreSQL was down but no write failed")
				}
			})
		}
	}
}

// shortTimeline is sc with the fault half a second into the load, at most a
// second long, and the load running half a second past the heal (the
// scenarios' own timelines are for a learner watching the chart: a second
// of calm, two of fault, one of recovery). What the matrix asserts does not
// depend on the lengths: 150 writes/s puts ~75 writes before the fault and
// ~150 inside it, so every policy meets the fault, the seed still loses
// ZADDs, and writes after the heal show whether the write path came back
// (the probes after the load check that too). The 32 runs went from ~4.5 s
// each to ~2.5 s (the matrix 146 s → 84 s under -race on the shared 2-core
// machine).
func shortTimeline(sc experiment.Scenario) experiment.Scenario {
	sc.At = min(sc.At, 500*time.Millisecond)
	sc.For = min(sc.For, time.Second)
	sc.Duration = sc.At + max(sc.For, 500*time.Millisecond) + 500*time.Millisecond
	return sc
}

// TestRandomFaultsThenRepairConverge is a property test: any sequence of
// writes, faults, crash points and repairs, once healed and repaired, leaves
// every feed equal to the projection of PostgreSQL.
func TestRandomFaultsThenRepairConverge(t *testing.T) {
	l := labtest.Lab(t)
	driver := experiment.LabFaults(l)
	// The lab is the package's shared one: a round that fails between an
	// inject and its heal must not leave the fault on for the tests after
	// it (in one CI run at load 26 a failed inject here left Redis
	// unanswerable, and five write-path tests failed on "i/o timeout").
	t.Cleanup(func() {
		hctx, hcancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer hcancel()
		if err := driver.HealAll(hctx); err != nil {
			t.Logf("healing the shared lab after the test: %v", err)
		}
	})
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	env := labtest.New(t)
	faults := []string{"down", "latency=20ms", "reset_peer", "timeout=100ms", "pause"}
	// A bound, not a target: at load 26 in one CI run the three rounds took
	// 97 s, and the old 90 s bound ran out mid-round, in an inject.
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	for round := range 3 {
		p := demo.Policies[rng.IntN(len(demo.Policies))]
		svc := env.Service(demo.Options{Policy: p, Budget: demo.Budget{Deadline: 50 * time.Millisecond}})
		var ops []string
		for step := range 12 {
			switch rng.IntN(5) {
			case 0, 1:
				n := 1 + rng.IntN(5)
				for i := range n {
					a := []string{"alice", "bob", "carol"}[rng.IntN(3)]
					wctx, wcancel := context.WithTimeout(ctx, 2*time.Second)
					_, _ = svc.CreatePost(wctx, demo.NewPost{ID: fmt.Sprintf("r%d-%d-%d", round, step, i), AuthorID: a, Title: "random"})
					wcancel()
				}
				ops = append(ops, fmt.Sprintf("write×%d", n))
			case 2:
				f := faults[rng.IntN(len(faults))]
				if driver.Supports(f) == nil {
					if err := driver.Inject(ctx, f); err != nil {
						t.Fatalf("inject %s: %v", f, err)
					}
					ops = append(ops, "inject "+f)
				}
			case 3:
				if err := driver.HealAll(ctx); err != nil {
					t.Fatal(err)
				}
				ops = append(ops, "heal")
			case 4:
				on := rng.IntN(2) == 0
				svc.SetCrashPoint(on)
				ops = append(ops, fmt.Sprintf("crash=%v", on))
			}
		}
		svc.SetCrashPoint(false)
		if err := driver.HealAll(ctx); err != nil {
			t.Fatal(err)
		}
		if p == demo.PolicyOutbox {
			for {
				if n, err := svc.RelayOnce(ctx, 0, 1000); err != nil || n == 0 {
					break
				}
			}
		}
		rec := svc.Reconciler()
		// After a "down", go-redis's pool answers with its last dial error
		// for up to a second after the heal (its dial back-off, see
		// demo.Breaker.Do): the repair is tried again until Redis is back,
		// for at most 10 s.
		healed := time.Now()
		for {
			_, err := rec.Repair(ctx)
			if err == nil {
				break
			}
			if time.Since(healed) > 10*time.Second {
				t.Fatalf("round %d (%s, %v): repair, 10 s after the heal: %v", round, p, ops, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		d, err := rec.Check(ctx)
		if err != nil || !d.Converged() {
			t.Fatalf("round %d (%s, %v): not converged: %+v %v", round, p, ops, d, err)
		}
		for _, a := range []string{"alice", "bob", "carol"} {
			feed, _ := svc.GetFeed(ctx, a, 1000)
			sqlFeed, _ := svc.GetFeedSQL(ctx, a, 1000)
			if fmt.Sprint(feed) != fmt.Sprint(sqlFeed) {
				t.Fatalf("round %d (%s, %v): %s's feed differs from PostgreSQL", round, p, ops, a)
			}
		}
		t.Logf("round %d (%s): %v", round, p, ops)
	}
}
