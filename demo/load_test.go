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
