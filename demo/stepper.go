package demo

import (
	"context"
	"sync"
)

// Gate pauses CreatePost before each step. The lesson's walk through
// CreatePost uses it: the learner looks at both stores (or breaks Redis)
// between the INSERT and the ZADD, then lets the next step run.
type Gate interface {
	// Before blocks until the step may run, or returns ctx's error.
	Before(ctx context.Context, step Step) error
}

// Stepper is a Gate driven by a person: Paused tells which step is waiting,
// Next lets it run.
type Stepper struct {
	paused  chan Step
	release chan struct{}

	mu      sync.Mutex
	current Step
}

// NewStepper makes a Stepper. Each step is announced on Paused() and waits
// for one Next().
func NewStepper() *Stepper {
	return &Stepper{paused: make(chan Step, 1), release: make(chan struct{})}
}

// Paused delivers the step that is waiting to run.
func (s *Stepper) Paused() <-chan Step { return s.paused }

// Current is the step waiting now ("" when none).
func (s *Stepper) Current() Step {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// Next lets the waiting step run. It blocks until a step is waiting or ctx
// ends.
func (s *Stepper) Next(ctx context.Context) error {
	select {
	case s.release <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Before implements Gate.
func (s *Stepper) Before(ctx context.Context, step Step) error {
	s.mu.Lock()
	s.current = step
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.current = ""
		s.mu.Unlock()
	}()
	select {
	case s.paused <- step:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-s.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
