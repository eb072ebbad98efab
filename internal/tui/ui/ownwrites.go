package ui

import (
	"sync"
	"time"
)

// OwnWrites remembers which posts this process's engine wrote, so that the
// Lab can tell them from writes made by another client (a second cqrslab,
// psql, redis-cli) that it finds in the stores.
//
// Why IDs recorded at the source, and not the trace's events: the trace
// travels over the event bus, which drops events when full (hundreds of
// writes a second under load), and a dropped event must not turn one of the
// engine's own writes into an "external" one. Every PostService of the app
// gets EngineOptions' observer, which notes the ID synchronously at the
// write's first step (validate), before its INSERT can commit, so a poll can
// never see an own row before it is noted. Cost: one map insert per write.
//
// The set is a ring of the last ownKeep IDs: at 1,000 writes/s that covers
// a minute, far longer than a write stays among the newest rows the Lab
// compares (a write older than that has left the window and is never
// judged). Repairs are the engine's too, but write members for posts it did
// not create (a row inserted from psql, then reconciled): Repairing marks
// them so the Lab does not call a repaired member an external ZADD.
type OwnWrites struct {
	mu        sync.Mutex
	ring      []string
	next      int
	set       map[string]struct{}
	repairs   int       // repairs running now
	repairEnd time.Time // when the last one ended
}

// ownKeep is how many recent own post IDs are remembered.
const ownKeep = 1 << 16

func NewOwnWrites() *OwnWrites {
	return &OwnWrites{ring: make([]string, 0, 1024), set: map[string]struct{}{}}
}

// Note records a post ID the engine is writing.
func (o *OwnWrites) Note(id string) {
	if o == nil || id == "" {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.set[id]; ok {
		return
	}
	if len(o.ring) < ownKeep {
		o.ring = append(o.ring, id)
	} else {
		delete(o.set, o.ring[o.next])
		o.ring[o.next] = id
		o.next = (o.next + 1) % ownKeep
	}
	o.set[id] = struct{}{}
}

// Has reports whether the engine wrote the post.
func (o *OwnWrites) Has(id string) bool {
	if o == nil {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	_, ok := o.set[id]
	return ok
}

// Repairing marks a repair (reconcile or rebuild) as running; the returned
// func marks it ended.
func (o *OwnWrites) Repairing() func() {
	if o == nil {
		return func() {}
	}
	o.mu.Lock()
	o.repairs++
	o.mu.Unlock()
	return func() {
		o.mu.Lock()
		o.repairs--
		o.repairEnd = time.Now()
		o.mu.Unlock()
	}
}

// RepairedSince reports whether a repair ran at any time after t (or runs
// now): members that appeared since may be the repair's.
func (o *OwnWrites) RepairedSince(t time.Time) bool {
	if o == nil {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.repairs > 0 || !o.repairEnd.Before(t)
}
