package experiment

// Report is one experiment run: one scenario under one policy. Its JSON field
// names are part of the interface: checks and notebooks read them.
type Report struct {
	Scenario string `json:"scenario"`
	Policy   string `json:"policy"`
	// Status is "passed", "failed" (a consistency check failed) or
	// "unavailable" (the lab cannot do this fault; nothing was measured).
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`

	Fault struct {
		Spec     string  `json:"spec"`
		AtMs     int64   `json:"at_ms"`
		ForMs    int64   `json:"for_ms"`
		Injected bool    `json:"injected"`
		HealedMs float64 `json:"healed_after_ms"` // from the load's start
	} `json:"fault"`

	Writes struct {
		Attempted    int `json:"attempted"`
		Acknowledged int `json:"acknowledged"`
		Failed       int `json:"failed"`
		Unknown      int `json:"unknown"`
		// RolledBack are failed writes that PostgreSQL had committed and the
		// policy deleted again (the rollback anti-pattern): the price of
		// making the projection part of the write.
		RolledBack int `json:"rolled_back"`
	} `json:"writes"`

	Latency      Percentiles `json:"latency_ms"`
	FaultLatency Percentiles `json:"fault_window_latency_ms"` // writes whose intended start fell inside the fault

	Rate struct {
		Target   float64 `json:"target"`
		Achieved float64 `json:"achieved"`
	} `json:"rate"`

	Redis struct {
		Errors       int      `json:"errors"`
		PoolTimeouts uint32   `json:"pool_timeouts"`
		Breaker      []string `json:"breaker_changes,omitempty"`
	} `json:"redis"`

	Consistency struct {
		PGRows              int     `json:"pg_rows"`
		MissingBeforeRepair int     `json:"missing_before_repair"`
		Lost                int     `json:"lost"`
		Missing             int     `json:"missing"`
		Unexpected          int     `json:"unexpected"`
		Duplicates          int     `json:"duplicates"`
		Converged           bool    `json:"converged"`
		ConvergeMs          float64 `json:"converge_ms"`
		// StaleWindowMs is how long the feed was behind PostgreSQL: from the
		// first write whose projection failed (or, when none failed but the
		// feed lost members, from the fault) to convergence; 0 if never.
		StaleWindowMs float64 `json:"stale_window_ms"`
		Repair        string  `json:"repair"` // "diff", "rebuild" or "none"
	} `json:"consistency"`

	Series []Second       `json:"series,omitempty"`
	Errors map[string]int `json:"errors,omitempty"`
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
	P50Ms        float64 `json:"p50_ms"`
	P99Ms        float64 `json:"p99_ms"`
	InFlight     int64   `json:"in_flight"`
	RedisErrors  int     `json:"redis_errors"`
	PoolTimeouts uint32  `json:"pool_timeouts"`
	PoolTotal    uint32  `json:"pool_total_conns"`
	PoolIdle     uint32  `json:"pool_idle_conns"`
}

// Passed reports whether the run kept its promises: nothing acknowledged
// lost, nothing unexpected or duplicated, and the feed converged.
func (r *Report) Passed() bool { return r.Status == "passed" }

func (r *Report) judge() {
	c := r.Consistency
	switch {
	case r.Status == "unavailable":
	case c.Lost > 0 || c.Unexpected > 0 || c.Duplicates > 0 || !c.Converged:
		r.Status = "failed"
	default:
		r.Status = "passed"
	}
}
