package experiment

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"cqrslab/demo"
	"cqrslab/internal/ctxsleep"
)

// DefaultRecoveryAllowance is how long after the heal the write path may
// still miss ZADDs before a run is "degraded": the breaker's 1 s cool-down,
// its probe, and 2 s of slack for reconnecting on a busy two-core laptop.
// A policy that recovers at all recovers well inside it; one that keeps
// skipping ZADDs (a breaker that never closes) does not.
const DefaultRecoveryAllowance = 3 * time.Second

// WritePath says whether the Redis step of the write path came back after
// the heal. A run can converge after repair while its write path is dead
// (the reconciler papers over every skipped ZADD), so consistency alone
// cannot tell.
type WritePath struct {
	AllowanceMs float64 `json:"allowance_ms"`
	// MissedAfterHeal counts writes started after the heal whose ZADD
	// failed or was skipped (or that died between the two writes).
	MissedAfterHeal int `json:"zadd_missed_after_heal"`
	// LastMissAfterHealMs is when the last write whose ZADD missed started,
	// from the heal (negative: before it); absent when none missed.
	LastMissAfterHealMs *float64 `json:"last_miss_after_heal_ms,omitempty"`
	// Recovered: a ZADD succeeded after the last miss.
	Recovered bool `json:"recovered"`
	// RecoveredAfterHealMs is from the heal to the start of the first write
	// whose ZADD succeeded with no miss after it (0 when the path was
	// already working at the heal); null when it never recovered.
	RecoveredAfterHealMs *float64 `json:"recovered_after_heal_ms"`
	// Probes counts writes made after the load (IDs "probe-N") because the
	// load ended before the path was seen working again.
	Probes int `json:"probes"`
}

// ok reports whether the path recovered within its allowance.
func (w WritePath) ok() bool {
	return w.Recovered && w.RecoveredAfterHealMs != nil && *w.RecoveredAfterHealMs <= w.AllowanceMs
}

// pathEvent is one write that reached the Redis step.
type pathEvent struct {
	started time.Time
	missed  bool
}

// writeLog keeps what an experiment needs of each write: a sample for the
// charts and, for writes that reached the Redis step, whether the ZADD
// happened. Safe for concurrent use (OnWrite is called from every writer).
type writeLog struct {
	start time.Time

	mu      sync.Mutex
	samples []Sample
	path    []pathEvent
	zadd    zaddLog // acknowledged ZADDs, for failover.go
}

func (l *writeLog) add(w demo.Write) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.samples = append(l.samples, Sample{At: w.Intended.Sub(l.start), Latency: w.Latency, Outcome: w.Outcome})
	l.zadd.note(w)
	if w.Outcome == demo.Acknowledged || w.ZAddMissed() {
		l.path = append(l.path, pathEvent{started: w.Started, missed: w.ZAddMissed()})
	}
}

func (l *writeLog) addProbe(started time.Time, missed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.path = append(l.path, pathEvent{started: started, missed: missed})
}

// assess judges the write path from the writes so far; settled is false
// when the writes do not show the path working again after its last miss.
func (l *writeLog) assess(healed time.Time, allowance time.Duration) (wp WritePath, settled bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	wp.AllowanceMs = ms(allowance)
	var lastMiss time.Time
	for _, e := range l.path {
		if !e.missed {
			continue
		}
		if e.started.After(healed) {
			wp.MissedAfterHeal++
		}
		if e.started.After(lastMiss) {
			lastMiss = e.started
		}
	}
	if lastMiss.IsZero() {
		wp.Recovered, wp.RecoveredAfterHealMs = true, new(0.0)
		return wp, true
	}
	last := ms(lastMiss.Sub(healed))
	wp.LastMissAfterHealMs = &last
	var firstOK time.Time
	for _, e := range l.path {
		if !e.missed && e.started.After(lastMiss) && (firstOK.IsZero() || e.started.Before(firstOK)) {
			firstOK = e.started
		}
	}
	if firstOK.IsZero() {
		return wp, false
	}
	wp.Recovered, wp.RecoveredAfterHealMs = true, new(max(0, ms(firstOK.Sub(healed))))
	return wp, true
}

// checkWritePath judges the write path after the load. When the load ended
// before the path was seen working again, it writes probe posts (through
// the same CreatePost, every 100 ms) until one's ZADD succeeds or the
// allowance has run out; at least one, so a path that recovers after the
// load is not called dead.
func checkWritePath(ctx context.Context, svc *demo.PostService, log *writeLog, healed time.Time,
	allowance time.Duration) WritePath {
	wp, settled := log.assess(healed, allowance)
	deadline := healed.Add(allowance)
	for probes := 0; !settled; {
		if probes > 0 && (time.Now().After(deadline) || !ctxsleep.Sleep(ctx, 100*time.Millisecond)) {
			break
		}
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		started := time.Now()
		r, err := svc.CreatePost(pctx, demo.NewPost{ID: fmt.Sprintf("probe-%d", probes), AuthorID: "alice",
			Title: "write-path probe"})
		cancel()
		probes++
		if err == nil || errors.Is(err, demo.ErrCrashed) {
			log.addProbe(started, r.ProjectionErr != nil || err != nil)
		}
		wp, settled = log.assess(healed, allowance)
		wp.Probes = probes
	}
	return wp
}
