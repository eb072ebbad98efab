package demo

import (
	"fmt"
	"math"
	"time"
)

// InFlight is Little's law for the Redis step: writes arriving at Rate per
// second, each holding a pool connection for Latency, keep Rate × Latency
// ZADDs in flight on average. The lesson's budgeted page does this
// arithmetic with the learner's own pool size, because whether a spike is
// survivable depends on it: go-redis's default pool is 10 connections per
// GOMAXPROCS, so the same spike fits on one machine and queues on another.
type InFlight struct {
	Rate     float64       // writes per second
	Latency  time.Duration // how long each ZADD holds a connection
	PoolSize int           // connections in the client's pool
	// PoolTimeout is how long a write waits for a connection before it
	// fails (the client's option; 0: not known).
	PoolTimeout time.Duration
}

// Writes is the average number of ZADDs in flight.
func (f InFlight) Writes() float64 { return f.Rate * f.Latency.Seconds() }

// Fits reports whether the pool has a connection for every ZADD in flight.
func (f InFlight) Fits() bool { return f.Writes() <= float64(f.PoolSize) }

// Verdict is the arithmetic in words, with its numbers: what the spike
// does to writes given this pool. No fixed verdict: it follows the pool.
func (f InFlight) Verdict() string {
	n := f.Writes()
	ms := float64(f.Latency) / float64(time.Millisecond)
	head := fmt.Sprintf("%s writes/s × %s ms = %s ZADDs in flight, against a pool of %d connections: ",
		trimFloat(f.Rate), trimFloat(ms), trimFloat(n), f.PoolSize)
	if f.Fits() {
		return head + fmt.Sprintf("%s ≤ %d, so the pool has room (%d spare). Every write waits about %s ms longer "+
			"while the spike lasts, and that is all: survivable with this pool.",
			trimFloat(n), f.PoolSize, f.PoolSize-int(math.Ceil(n)), trimFloat(ms))
	}
	limit := ""
	if f.PoolTimeout > 0 {
		limit = fmt.Sprintf(" (a write waits up to the pool timeout, %s, then fails)", f.PoolTimeout)
	}
	return head + fmt.Sprintf("%s > %d, so about %s writes at a time wait for a connection%s. The wait adds to "+
		"each write's latency, which puts more writes in flight, so the queue grows for as long as the spike "+
		"lasts: not survivable with this pool.",
		trimFloat(n), f.PoolSize, trimFloat(n-float64(f.PoolSize)), limit)
}

// trimFloat prints a number with at most one decimal, none when whole.
func trimFloat(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}
