package demo_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/internal/labtest"
)

// TestRegistryNamesEveryPolicyOnce: front ends list the registry, so each
// entry needs a unique name, a one-line summary, and must parse back.
func TestRegistryNamesEveryPolicyOnce(t *testing.T) {
	seen := map[demo.PolicyName]bool{}
	for _, p := range demo.Registry {
		if seen[p.Name] {
			t.Errorf("%s registered twice", p.Name)
		}
		seen[p.Name] = true
		if p.Summary == "" || strings.Contains(p.Summary, "\n") {
			t.Errorf("%s: summary %q is not one line", p.Name, p.Summary)
		}
		got, err := demo.ParsePolicy(strings.ToUpper(string(p.Name)))
		if err != nil || got != p.Name {
			t.Errorf("ParsePolicy(%s) = %s, %v", p.Name, got, err)
		}
	}
	if _, err := demo.ParsePolicy("nope"); err == nil || !strings.Contains(err.Error(), demo.PolicyList(", ")) {
		t.Errorf("unknown policy error %v does not list the policies", err)
	}
	if len(demo.Policies) != len(demo.Registry) {
		t.Errorf("Policies %v, registry has %d", demo.Policies, len(demo.Registry))
	}
}

// TestPolicyStatusAndLifecycle: every policy reports a status without the
// caller knowing which it is, and Close stops whatever the policy started
// (the outbox relay), so no goroutine outlives the service.
func TestPolicyStatusAndLifecycle(t *testing.T) {
	env := labtest.New(t)
	ctx := context.Background()
	for _, p := range demo.Policies {
		t.Run(string(p), func(t *testing.T) {
			before := runtime.NumGoroutine()
			svc := env.Service(demo.Options{Policy: p})
			mustCreate(t, svc, "alice", "status of "+string(p))
			st := svc.PolicyStatus(ctx)
			if st.Name != p || !strings.HasPrefix(st.Summary, string(p)) || st.Err != nil {
				t.Fatalf("status %+v", st)
			}
			if (svc.Breaker() != nil) != (st.Breaker != "") {
				t.Errorf("breaker %v but status says %q", svc.Breaker() != nil, st.Breaker)
			}
			if p == demo.PolicyOutbox && st.Pending < 0 || p != demo.PolicyOutbox && st.Pending != -1 {
				t.Errorf("pending %d under %s", st.Pending, p)
			}
			if err := svc.Close(); err != nil {
				t.Fatal(err)
			}
			_ = svc.Close() // twice is harmless
			deadline := time.Now().Add(5 * time.Second)
			for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > before+2 {
				t.Errorf("%d goroutines after Close, %d before the service", n, before)
			}
		})
	}
}

// TestOutboxRelayRunsByItself: the outbox policy's relay is started by the
// service, not by its caller: a row left pending (the crash point) is
// projected without anyone calling RelayOnce.
func TestOutboxRelayRunsByItself(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{Policy: demo.PolicyOutbox, RelayEvery: 50 * time.Millisecond})
	ctx := context.Background()
	svc.SetCrashPoint(true)
	if _, err := svc.CreatePost(ctx, demo.NewPost{AuthorID: "bob", Title: "left in the outbox"}); err != demo.ErrCrashed {
		t.Fatalf("want ErrCrashed, got %v", err)
	}
	svc.SetCrashPoint(false)
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := svc.Reconciler().Check(ctx, "bob")
		if err == nil && d.Converged() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the relay did not project the pending row within 10 s: %+v %v", d, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if st := svc.PolicyStatus(ctx); st.Pending != 0 {
		t.Errorf("pending after the relay: %+v", st)
	}
}
