package demo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/internal/labtest"
)

func waitStep(t *testing.T, s *demo.Stepper) demo.Step {
	t.Helper()
	select {
	case st := <-s.Paused():
		return st
	case <-time.After(10 * time.Second):
		t.Fatal("no step paused within 10s")
		return ""
	}
}

func TestStepThroughPausesInOrder(t *testing.T) {
	env := labtest.New(t)
	var trace []demo.Event
	svc := env.Service(demo.Options{})
	s := demo.NewStepper()
	ctx := context.Background()
	type out struct {
		res demo.Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := svc.CreatePost(ctx, demo.NewPost{ID: "stepped", AuthorID: "carol", Title: "one step at a time"},
			demo.WithGate(s), demo.WithObserver(func(e demo.Event) { trace = append(trace, e) }))
		done <- out{res, err}
	}()
	for _, want := range demo.Steps {
		got := waitStep(t, s)
		if got != want {
			t.Fatalf("paused at %s, want %s", got, want)
		}
		if want == demo.StepZAdd {
			// Between the INSERT and the ZADD: in PostgreSQL, not yet in Redis.
			sqlFeed, _ := svc.GetFeedSQL(ctx, "carol", 0)
			feed, _ := svc.GetFeed(ctx, "carol", 0)
			if len(sqlFeed) != 1 || len(feed) != 0 {
				t.Fatalf("before ZADD: %d rows, %d feed items; want 1 and 0", len(sqlFeed), len(feed))
			}
		}
		if err := s.Next(ctx); err != nil {
			t.Fatal(err)
		}
	}
	r := <-done
	if r.err != nil || r.res.ProjectionErr != nil {
		t.Fatalf("CreatePost: %v / %v", r.err, r.res.ProjectionErr)
	}
	if len(trace) != len(demo.Steps) {
		t.Fatalf("trace has %d events, want %d", len(trace), len(demo.Steps))
	}
	for i, e := range trace {
		if e.Step != demo.Steps[i] || e.Err != nil || e.PostID != "stepped" {
			t.Errorf("trace[%d] = %+v", i, e)
		}
	}
	if feed, _ := svc.GetFeed(ctx, "carol", 0); len(feed) != 1 {
		t.Fatalf("after the walk the feed has %d items", len(feed))
	}
}

func TestStepThroughCancelBeforeInsertWritesNothing(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{})
	s := demo.NewStepper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := svc.CreatePost(ctx, demo.NewPost{AuthorID: "dave", Title: "abandoned"}, demo.WithGate(s))
		done <- err
	}()
	waitStep(t, s) // validate
	_ = s.Next(ctx)
	if st := waitStep(t, s); st != demo.StepInsert {
		t.Fatalf("paused at %s", st)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want context.Canceled, got %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancel did not release the paused CreatePost")
	}
	if rows, _ := svc.GetFeedSQL(context.Background(), "dave", 0); len(rows) != 0 {
		t.Fatalf("cancelled before INSERT but %d rows exist", len(rows))
	}
}

func TestStepThroughCancelBeforeZAddLeavesStaleFeed(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{})
	s := demo.NewStepper()
	ctx, cancel := context.WithCancel(context.Background())
	type out struct {
		res demo.Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := svc.CreatePost(ctx, demo.NewPost{AuthorID: "dave", Title: "half way"}, demo.WithGate(s))
		done <- out{res, err}
	}()
	for st := waitStep(t, s); st != demo.StepZAdd; st = waitStep(t, s) {
		_ = s.Next(ctx)
	}
	cancel()
	r := <-done
	if r.err != nil || r.res.ProjectionErr == nil {
		t.Fatalf("committed post must succeed with a projection error; got %v / %v", r.err, r.res.ProjectionErr)
	}
	bg := context.Background()
	rows, _ := svc.GetFeedSQL(bg, "dave", 0)
	feed, _ := svc.GetFeed(bg, "dave", 0)
	if len(rows) != 1 || len(feed) != 0 {
		t.Fatalf("want 1 row and a stale feed, got %d and %d", len(rows), len(feed))
	}
}

// A write without an ID, the usual case, is named from its first event:
// the one-event trace of a rejected post, and every event of an accepted
// one, carry the ID the engine chose, so observers can group them with
// many writes in flight.
func TestTraceNamesEveryWriteFromValidate(t *testing.T) {
	env := labtest.New(t)
	svc := env.Service(demo.Options{})
	ctx := context.Background()
	var trace []demo.Event
	obs := demo.WithObserver(func(e demo.Event) { trace = append(trace, e) })

	_, err := svc.CreatePost(ctx, demo.NewPost{AuthorID: "carol", Title: "  "}, obs)
	var verr *demo.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("a blank title: err = %v, want a validation error", err)
	}
	if len(trace) != 1 || trace[0].Step != demo.StepValidate || trace[0].Err == nil || trace[0].PostID == "" {
		t.Fatalf("rejected write's trace = %+v, want one failed validate event with a post ID", trace)
	}

	trace = nil
	res, err := svc.CreatePost(ctx, demo.NewPost{AuthorID: "carol", Title: "named from the start"}, obs)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range trace {
		if e.PostID != res.Post.ID {
			t.Errorf("trace[%d] (%s) names %q, the post is %q", i, e.Step, e.PostID, res.Post.ID)
		}
	}
}
