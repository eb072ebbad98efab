package lab

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ScheduledFault is a fault on a timeline: injected At after the start,
// healed For later (For 0: left until the schedule's context ends;
// restart_data_loss takes no For, it is instantaneous).
type ScheduledFault struct {
	Fault Fault
	At    time.Duration
	For   time.Duration
}

// String is the entry in ParseSchedule's syntax.
func (s ScheduledFault) String() string {
	out := s.Fault.String() + "@" + s.At.String()
	if s.For > 0 {
		out += "+" + s.For.String()
	}
	return out
}

// ScheduleSyntax describes ParseSchedule's input, for usage messages.
const ScheduleSyntax = "FAULT@START[+DURATION] entries separated by ';', e.g. latency=50ms@2s+3s;pause@6s+2s"

// ParseSchedule reads a timeline of faults: entries FAULT@START[+DURATION]
// separated by ';' (or new lines), e.g. "latency=50ms@2s+3s;pause@6s+2s".
// START is a duration from the schedule's start; without +DURATION the
// fault lasts until the schedule ends. Two entries of the same kind and
// target may not overlap (the second would replace the first, and the
// first's heal would end it).
func ParseSchedule(spec string) ([]ScheduledFault, error) {
	var out []ScheduledFault
	entries := strings.FieldsFunc(spec, func(r rune) bool { return r == ';' || r == '\n' })
	for i, raw := range entries {
		e := strings.TrimSpace(raw)
		if e == "" {
			continue
		}
		bad := func(format string, args ...any) error {
			for i, a := range args {
				if s, ok := a.(string); ok {
					args[i] = clip(s)
				}
			}
			return fmt.Errorf("%w: schedule entry %d %q: %s (want %s)", ErrBadFault, i+1, clip(e),
				fmt.Sprintf(format, args...), ScheduleSyntax)
		}
		at := strings.LastIndexByte(e, '@')
		if at < 0 {
			return nil, bad("no @START")
		}
		f, err := ParseFault(e[:at])
		if err != nil {
			return nil, fmt.Errorf("schedule entry %d: %w", i+1, err)
		}
		when, length, hasFor := strings.Cut(e[at+1:], "+")
		s := ScheduledFault{Fault: f}
		if s.At, err = time.ParseDuration(strings.TrimSpace(when)); err != nil || s.At < 0 {
			return nil, bad("start %q is not a duration of 0 or more", when)
		}
		if hasFor {
			if s.For, err = time.ParseDuration(strings.TrimSpace(length)); err != nil || s.For <= 0 {
				return nil, bad("duration %q is not a positive duration", length)
			}
			if f.Kind.Instant() {
				return nil, bad("%s is instantaneous: drop +%s", f.Kind, length)
			}
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: empty schedule (want %s)", ErrBadFault, ScheduleSyntax)
	}
	if err := checkOverlaps(out); err != nil {
		return nil, err
	}
	return out, nil
}

// healKey is what a heal of the fault ends.
func healKey(f Fault) string { return string(f.Kind) + "/" + f.Target }

func checkOverlaps(s []ScheduledFault) error {
	for i, a := range s {
		for _, b := range s[i+1:] {
			if a.Fault.Kind.Instant() || b.Fault.Kind.Instant() || healKey(a.Fault) != healKey(b.Fault) {
				continue
			}
			aEnd, bEnd := a.At+a.For, b.At+b.For
			open := func(x ScheduledFault) bool { return x.For == 0 }
			if (open(a) || b.At < aEnd) && (open(b) || a.At < bEnd) {
				return fmt.Errorf("%w: schedule entries %s and %s overlap", ErrBadFault, a, b)
			}
		}
	}
	return nil
}

// RunSchedule injects and heals the faults of s at their times counted from
// start, telling onChange (may be nil) of each step, e.g. "+2.000s inject
// latency=50ms". Every fault of the schedule is checked first: one the lab
// cannot do fails the whole run before anything is injected (an experiment
// must report it, not run without it). It returns once every entry has run
// and every timed fault is healed, or, when an entry has no end, when ctx
// ends; then (and whenever ctx ends early, or the lab closes) every fault
// is healed with HealAll. The error joins every failed step, and says how
// many steps did not run when ctx ended first.
func (l *Lab) RunSchedule(ctx context.Context, start time.Time, s []ScheduledFault, onChange func(string)) error {
	if onChange == nil {
		onChange = func(string) {}
	}
	for i := range s {
		f, err := s[i].Fault.normalize()
		if err != nil {
			return err
		}
		if err := l.SupportsFault(f); err != nil {
			return fmt.Errorf("schedule entry %s: %w", s[i], err)
		}
		s[i].Fault = f
	}
	if err := checkOverlaps(s); err != nil {
		return err
	}
	type step struct {
		at   time.Duration
		heal bool
		f    Fault
	}
	var steps []step
	openEnded := false
	for _, e := range s {
		steps = append(steps, step{at: e.At, f: e.Fault})
		switch {
		case e.Fault.Kind.Instant():
		case e.For > 0:
			steps = append(steps, step{at: e.At + e.For, heal: true, f: e.Fault})
		default:
			openEnded = true
		}
	}
	// Heals before injects at the same moment, so back-to-back entries of
	// one kind do not end each other.
	slices.SortStableFunc(steps, func(a, b step) int {
		if c := cmp.Compare(a.at, b.at); c != 0 {
			return c
		}
		if a.heal != b.heal {
			if a.heal {
				return -1
			}
			return 1
		}
		return 0
	})
	report := func(format string, args ...any) {
		onChange(fmt.Sprintf("+%.3fs ", time.Since(start).Seconds()) + fmt.Sprintf(format, args...))
	}
	healAll := func() error {
		hctx, cancel := context.WithTimeout(context.Background(), ProcessFaultTimeout)
		defer cancel()
		if err := l.checkOpen(); err != nil {
			return nil // the lab is gone, and its faults with it
		}
		err := l.HealAll(hctx)
		if err != nil {
			report("heal all failed: %v", err)
		} else {
			report("heal all")
		}
		return err
	}
	var errs []error
	for i, st := range steps {
		wait := time.Until(start.Add(st.at))
		timer := time.NewTimer(max(wait, 0))
		select {
		case <-timer.C:
		case <-ctx.Done():
		case <-l.faults.life.Done():
		}
		timer.Stop()
		if ctx.Err() != nil || l.faults.life.Err() != nil {
			report("schedule ended early: %d of %d steps not run", len(steps)-i, len(steps))
			errs = append(errs, fmt.Errorf("%d of %d scheduled steps not run: %w", len(steps)-i, len(steps), context.Cause(ctx)))
			if l.faults.life.Err() != nil {
				errs[len(errs)-1] = fmt.Errorf("%d of %d scheduled steps not run: the lab closed", len(steps)-i, len(steps))
			}
			errs = append(errs, healAll())
			return errors.Join(errs...)
		}
		var err error
		if st.heal {
			err = l.HealFault(ctx, Fault{Kind: st.f.Kind, Target: st.f.Target})
			if err == nil {
				report("heal %s", st.f)
			}
		} else {
			err = l.Inject(ctx, st.f)
			if err == nil {
				report("inject %s", st.f)
			}
		}
		if err != nil {
			report("%v", err)
			errs = append(errs, err)
		}
	}
	if openEnded {
		select {
		case <-ctx.Done():
		case <-l.faults.life.Done():
		}
		errs = append(errs, healAll())
	}
	return errors.Join(errs...)
}
