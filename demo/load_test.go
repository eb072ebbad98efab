package demo_test

import (
	"context"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/internal/labtest"
)

func TestOpenLoopLoadAccountsForEveryWrite(t *testing.T) {
	env := labtest.New(t)
	for _, p := range demo.Policies {
		t.Run(string(p), func(t *testing.T) {
			svc := env.Service(demo.Options{Policy: p})
			var ticks []demo.Tick
			res, err := demo.RunLoad(context.Background(), svc, demo.LoadConfig{Rate: 200, Duration: 2 * time.Second,
				IDPrefix: "load-" + string(p) + "-"}, func(tk demo.Tick) { ticks = append(ticks, tk) })
			if err != nil {
				t.Fatal(err)
			}
			if res.Attempted != 400 || res.Acknowledged+res.Failed+res.Unknown != res.Attempted {
				t.Fatalf("accounting: attempted %d, acked %d, failed %d, unknown %d",
					res.Attempted, res.Acknowledged, res.Failed, res.Unknown)
			}
			// Healthy stores acknowledge everything. The seed never gives up
			// on a ZADD; the other policies may miss their deadline on a
			// loaded machine, and then the relay or reconciler owes the member.
			if res.Acknowledged != 400 || (p == demo.PolicySeed && res.ProjectionErrors != 0) {
				t.Fatalf("healthy stores: acked %d, projection errors %d (%v)", res.Acknowledged, res.ProjectionErrors, res.Errors)
			}
			t.Logf("%s: %d projection errors", p, res.ProjectionErrors)
			if res.Latency.TotalCount() != 400 || len(ticks) < 2 {
				t.Fatalf("latency samples %d, ticks %d", res.Latency.TotalCount(), len(ticks))
			}
			if _, err := svc.RelayOnce(context.Background(), 0, 10000); err != nil {
				t.Fatal(err)
			}
			if p == demo.PolicyBudgeted {
				if _, err := svc.Reconciler().Repair(context.Background(), svc.TakeDirty()...); err != nil {
					t.Fatal(err)
				}
			}
			d, err := svc.Reconciler().Check(context.Background())
			if err != nil || !d.Converged() {
				t.Fatalf("feeds after load: %+v, %v", d, err)
			}
			t.Logf("%s: p50 %.2f ms, p99 %.2f ms, achieved %.1f/s", p,
				float64(res.Latency.ValueAtQuantile(50))/1000, float64(res.Latency.ValueAtQuantile(99))/1000, res.Achieved)
		})
	}
}

// TestShedWritesAreTheirOwnFigure: with room for two writes in flight, a
// 1,000/s load sheds most of its writes. They must not count as failed or
// attempted, must not enter the latency histogram, and Achieved must be the
// completed rate, not the target (on b3de247 it was the target).
func TestShedWritesAreTheirOwnFigure(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{Policy: demo.PolicySeed})
	var started int
	res, err := demo.RunLoad(context.Background(), svc, demo.LoadConfig{Rate: 1000, Duration: time.Second,
		MaxInFlight: 2, IDPrefix: "shed-"}, func(tk demo.Tick) { started += tk.Started })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("scheduled %d attempted %d shed %d not started %d; achieved %.1f/s; lag %v", res.Scheduled, res.Attempted,
		res.Shed, res.NotStarted, res.Achieved, res.MaxStartLag)
	if res.Shed == 0 || res.Scheduled != 1000 || res.Attempted+res.Shed+res.NotStarted != res.Scheduled {
		t.Fatalf("scheduled %d != attempted %d + shed %d + not started %d", res.Scheduled, res.Attempted, res.Shed, res.NotStarted)
	}
	if res.Failed != 0 || res.Acknowledged+res.Unknown != res.Attempted || started != res.Attempted {
		t.Fatalf("acked %d failed %d unknown %d of %d attempted (%d started by the ticks)",
			res.Acknowledged, res.Failed, res.Unknown, res.Attempted, started)
	}
	if res.Latency.TotalCount() != int64(res.Attempted) {
		t.Fatalf("latency holds %d writes, %d were attempted", res.Latency.TotalCount(), res.Attempted)
	}
	if want := float64(res.Attempted) / max(res.Elapsed.Seconds(), 1); res.Achieved > want+0.001 || res.Achieved >= 1000 {
		t.Fatalf("achieved %.2f/s, but %d writes completed in %v", res.Achieved, res.Attempted, res.Elapsed)
	}
}

// TestInterruptedLoadCountsWhatItNeverStarted: cancelling the context stops
// the schedule; the writes it never reached are counted, not dropped.
func TestInterruptedLoadCountsWhatItNeverStarted(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{Policy: demo.PolicyBudgeted})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	res, err := demo.RunLoad(ctx, svc, demo.LoadConfig{Rate: 100, Duration: 5 * time.Second, IDPrefix: "cut-"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.NotStarted < 400 || res.Attempted+res.Shed+res.NotStarted != 500 ||
		res.Acknowledged+res.Failed+res.Unknown != res.Attempted {
		t.Fatalf("scheduled %d: attempted %d (acked %d failed %d unknown %d) shed %d not started %d", res.Scheduled,
			res.Attempted, res.Acknowledged, res.Failed, res.Unknown, res.Shed, res.NotStarted)
	}
}
