package experiment

import (
	"fmt"
	"strings"
	"time"

	"cqrslab/demo"
)

// Status values of a Report, most serious first after the two that measured
// nothing (or not everything): a consistency failure outranks a write path
// that stayed dead, which outranks a load smaller than asked.
const (
	StatusUnavailable = "unavailable"
	StatusInterrupted = "interrupted"
	StatusFailed      = "failed"
	StatusDegraded    = "degraded"
	StatusOverloaded  = "overloaded"
	StatusPassed      = "passed"
)

// maxStartLag is how late the generator may start a write before the load
// no longer counts as the one asked for. Open-loop latency is measured from
// the intended start, so lateness is not hidden; beyond a second, though,
// the writes arrive in bursts the schedule never asked for.
const maxStartLag = time.Second

// LoadCheck says whether the load generator produced the load asked for.
type LoadCheck struct {
	KeptUp        bool    `json:"kept_up"`
	MaxStartLagMs float64 `json:"max_start_lag_ms"`
	// Note says, in words, how the generator fell short (empty when it
	// kept up).
	Note string `json:"note,omitempty"`
}

func checkLoad(res *demo.LoadResult, target float64) LoadCheck {
	lc := LoadCheck{KeptUp: true, MaxStartLagMs: ms(res.MaxStartLag)}
	var short []string
	if res.Shed > 0 {
		short = append(short, fmt.Sprintf("%d of %d scheduled writes were shed (too many in flight)", res.Shed, res.Scheduled))
	}
	if res.NotStarted > 0 {
		short = append(short, fmt.Sprintf("%d of %d scheduled writes were never started (interrupted, or still "+
			"behind schedule 1 s after the load's end)", res.NotStarted, res.Scheduled))
	}
	if res.MaxStartLag > maxStartLag {
		short = append(short, fmt.Sprintf("writes started up to %.1f s late", res.MaxStartLag.Seconds()))
	}
	if len(short) > 0 {
		lc.KeptUp = false
		lc.Note = fmt.Sprintf("the load generator could not keep up: %s; %.0f writes/s completed of %.0f asked",
			strings.Join(short, ", "), res.Achieved, target)
	}
	return lc
}

// judge sets Status and Reason from the figures. Every reason is kept, so
// a failed run that also overloaded its generator says both.
func (r *Report) judge() {
	if r.Status == StatusUnavailable || r.Status == StatusInterrupted {
		return
	}
	var why []string
	status := StatusPassed
	worse := func(s, reason string) {
		if status == StatusPassed {
			status = s
		}
		why = append(why, reason)
	}
	c := r.Consistency
	if c.Lost > 0 || c.Unexpected > 0 || c.Duplicates > 0 || !c.Converged {
		worse(StatusFailed, fmt.Sprintf("consistency: %d lost, %d unexpected, %d duplicates, converged %v",
			c.Lost, c.Unexpected, c.Duplicates, c.Converged))
	}
	if wp := r.WritePath; !wp.ok() {
		allowance := wp.AllowanceMs / 1000
		if wp.Recovered {
			worse(StatusDegraded, fmt.Sprintf("the write path missed ZADDs until %.1f s after the heal (allowance %.1f s)",
				*wp.RecoveredAfterHealMs/1000, allowance))
		} else {
			last := allowance
			if wp.LastMissAfterHealMs != nil {
				last = max(last, *wp.LastMissAfterHealMs/1000)
			}
			worse(StatusDegraded, fmt.Sprintf("the write path was still missing ZADDs %.1f s after the heal and never "+
				"recovered (allowance %.1f s; %d missed after the heal, %d probe(s))", last, allowance, wp.MissedAfterHeal, wp.Probes))
		}
	}
	if !r.Load.KeptUp {
		worse(StatusOverloaded, r.Load.Note)
	}
	r.Status, r.Reason = status, strings.Join(why, "; ")
}

// interrupted marks a run stopped by a signal: the figures so far stand,
// but nothing was repaired or checked.
func (r *Report) interrupted(start time.Time, dur time.Duration, stage string) {
	r.Status = StatusInterrupted
	if start.IsZero() {
		r.Reason = "interrupted " + stage + "; nothing was measured"
		return
	}
	r.Reason = fmt.Sprintf("interrupted %s, %.1f s after a %v load started; figures so far, no repair or consistency check",
		stage, time.Since(start).Seconds(), dur)
}
