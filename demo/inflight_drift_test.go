package demo_test

import (
	"context"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/internal/labtest"
)

// A write paused between its commit and its ZADD is missing from the feed
// and counted as in flight, so the Lab can show it apart from drift; once
// its ZADD has returned it is neither.
func TestDriftShowsWritesInFlightApart(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{})
	rm := demo.NewReadModel(svc)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mustCreate(t, svc, "alice", "settled")
	st := demo.NewStepper()
	done := make(chan error, 1)
	go func() {
		_, err := svc.CreatePost(ctx, demo.NewPost{AuthorID: "alice", Title: "in flight"}, demo.WithGate(st))
		done <- err
	}()
	for {
		s := <-st.Paused()
		if s == demo.StepZAdd {
			break
		}
		if err := st.Next(ctx); err != nil {
			t.Fatal(err)
		}
	}
	d, err := rm.Drift(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if d.Missing != 1 || d.InFlight != 1 || len(d.Authors) != 1 || d.Authors[0].InFlight != 1 {
		t.Fatalf("paused before the ZADD: missing %d, in flight %d; want 1 and 1", d.Missing, d.InFlight)
	}
	for {
		if err := st.Next(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			d, err = rm.Drift(ctx, "alice")
			if err != nil || d.Missing != 0 || d.InFlight != 0 {
				t.Fatalf("after the ZADD: %+v, %v", d, err)
			}
			return
		case <-st.Paused():
		}
	}
}
