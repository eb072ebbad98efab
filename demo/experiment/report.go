package experiment

import (
	"time"

	"cqrslab/demo"
)

// Report is one experiment run: one scenario under one policy. Its JSON field
// names are part of the interface: checks and notebooks read them.
type Report struct {
	Scenario string `json:"scenario"`
	Policy   string `json:"policy"`
	// RedisWait is the run's WAIT after each ZADD ("1,50ms"; "" without).
	RedisWait string `json:"redis_wait,omitempty"`
	// Status is "passed"; "failed" (a consistency check failed);
	// "degraded" (consistent, but the write path still missed ZADDs after
	// the heal plus its allowance); "overloaded" (the load generator could
	// not produce the load asked for, so the figures describe a smaller
	// one); "interrupted" (stopped by a signal; figures so far, no
	// consistency check); or "unavailable" (the lab cannot do this fault;
	// nothing was measured). See judge for the order.
	Status string `json:"status"`
	// Reason says in a sentence why a run did not pass (every reason, when
	// there are several).
	Reason string `json:"reason,omitempty"`

	Fault struct {
		Spec     string  `json:"spec"`
		AtMs     int64   `json:"at_ms"`
		ForMs    int64   `json:"for_ms"`
		Injected bool    `json:"injected"`
		HealedMs float64 `json:"healed_after_ms"` // from the load's start
	} `json:"fault"`

	// Writes: scheduled = attempted + shed + not_started; attempted =
	// acknowledged + failed + unknown.
	Writes struct {
		Attempted    int `json:"attempted"`
		Acknowledged int `json:"acknowledged"`
		Failed       int `json:"failed"`
		Unknown      int `json:"unknown"`
		Scheduled    int `json:"scheduled"`
		Shed         int `json:"shed"`        // refused at once: too many in flight
		NotStarted   int `json:"not_started"` // never reached: interrupted, or the generator fell behind
		// RolledBack are failed writes that PostgreSQL had committed and the
		// policy deleted again (the rollback anti-pattern): the price of
		// making the projection part of the write.
		RolledBack int `json:"rolled_back"`
	} `json:"writes"`

	// Latency is of attempted writes only: a shed write never ran.
	Latency      Percentiles `json:"latency_ms"`
	FaultLatency Percentiles `json:"fault_window_latency_ms"` // writes whose intended start fell inside the fault

	Rate struct {
		Target float64 `json:"target"`
		// Achieved is writes completed per second (returned with any
		// outcome), from the load's start until the last one returned.
		Achieved float64 `json:"achieved"`
		Started  float64 `json:"started"` // writes started per second of the schedule
		Shed     float64 `json:"shed"`    // writes shed per second of the schedule
	} `json:"rate"`

	Load      LoadCheck `json:"load"`
	WritePath WritePath `json:"write_path"`

	Redis struct {
		Errors       int      `json:"errors"`
		PoolTimeouts uint32   `json:"pool_timeouts"`
		Breaker      []string `json:"breaker_changes,omitempty"`
		// ZAddAcknowledged counts writes whose ZADD Redis answered OK;
		// AcknowledgedThenLost those of them the reconciler found missing
		// after the fault, before repair (a failover lost them);
		// AcknowledgedPresent those found in the feed. See failover.go.
		ZAddAcknowledged     int `json:"zadd_acknowledged"`
		AcknowledgedThenLost int `json:"acknowledged_then_lost"`
		AcknowledgedPresent  int `json:"acknowledged_present"`
		// OutageMs is how long the Redis step failed as the client saw it
		// (a failover's duration from the write path; 0 if it never did).
		OutageMs float64 `json:"outage_ms"`
		// FailoverMs is the longest time no ZADD succeeded while writes
		// kept coming: a failover's duration as the client saw it, errors
		// or none (failover.go); on a single Redis, how long its step
		// stalled.
		FailoverMs float64 `json:"failover_ms"`
	} `json:"redis"`

	// Postgres is the PostgreSQL replica's part (scenarios that read it,
	// e.g. pg-replica-lag); absent elsewhere.
	Postgres *PostgresReport `json:"postgres,omitempty"`

	Consistency struct {
		PGRows              int     `json:"pg_rows"`
		MissingBeforeRepair int     `json:"missing_before_repair"`
		Lost                int     `json:"lost"`
		Missing             int     `json:"missing"`
		Unexpected          int     `json:"unexpected"`
		Duplicates          int     `json:"duplicates"`
		Converged           bool    `json:"converged"`
		ConvergeMs          float64 `json:"converge_ms"`
		// StaleWindowMs is how long the feed was behind PostgreSQL: the
		// longest commit-to-visible lag of any write (Lag.Max) or, when Redis
		// lost members it had shown, from the first missed ZADD (or the
		// fault) to convergence, whichever is longer; 0 if never converged.
		StaleWindowMs float64 `json:"stale_window_ms"`
		Repair        string  `json:"repair"` // "diff", "rebuild" or "none"

		lossWindowMs float64
	} `json:"consistency"`

	// Lag is each write's commit-to-visible lag: from the PostgreSQL
	// commit to its member being in the feed.
	Lag Lag `json:"commit_to_visible_ms"`

	Series []Second       `json:"series,omitempty"`
	Errors map[string]int `json:"errors,omitempty"`

	// Samples are the attempted writes one by one, for charts; too many
	// for the JSON report.
	Samples []Sample `json:"-"`
}

// Sample is one attempted write, for the latency-over-time chart.
type Sample struct {
	At      time.Duration // intended start, from the load's start
	Latency time.Duration // from the intended start
	Outcome demo.Outcome
}

// Percentiles of write latency, in milliseconds.
type Percentiles struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	Max   float64 `json:"max"`
}

// Second is one second of the run.
type Second struct {
	Second       int     `json:"second"`
	Started      int     `json:"started"`
	Completed    int     `json:"completed"`
	Shed         int     `json:"shed"`
	P50Ms        float64 `json:"p50_ms"`
	P99Ms        float64 `json:"p99_ms"`
	InFlight     int64   `json:"in_flight"`
	RedisErrors  int     `json:"redis_errors"`
	PoolTimeouts uint32  `json:"pool_timeouts"`
	PoolTotal    uint32  `json:"pool_total_conns"`
	PoolIdle     uint32  `json:"pool_idle_conns"`
}

// Passed reports whether the run kept its promises: nothing acknowledged
// lost, nothing unexpected or duplicated, the feed converged, the write
// path recovered after the heal, and the load was the one asked for.
func (r *Report) Passed() bool { return r.Status == "passed" }
