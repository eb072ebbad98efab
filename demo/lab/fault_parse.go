package lab

// Reading and writing faults in the spec syntax.

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// FaultSyntax describes ParseFault's input, for usage messages.
const FaultSyntax = "latency=DUR[,jitter=DUR], timeout[=DUR], reset_peer[=DUR], bandwidth=KB/s, slow_close=DUR, " +
	"down, postgres_down, pause, stop, restart_data_loss, postgres_stop; " +
	"network kinds take target=redis|postgres and stream=down|up|both"

// ParseFault reads a fault: "latency=50ms", "latency=50ms,jitter=10ms",
// "timeout", "timeout=2s", "reset_peer", "bandwidth=64", "slow_close=1s",
// "down", "pause", "stop", "restart_data_loss", "postgres_stop",
// "postgres_down", with target=postgres and stream=up|down|both options for
// the network kinds ("latency=20ms,target=postgres"). Errors name the bad
// part and list the kinds.
func ParseFault(spec string) (Fault, error) {
	return parseFault(spec, true)
}

// ParseFaultKind reads what to heal: a kind alone, optionally with a
// target ("latency", "latency,target=postgres"); values are allowed and
// ignored, so a fault's spec heals that fault.
func ParseFaultKind(spec string) (Fault, error) {
	return parseFault(spec, false)
}

func parseFault(spec string, needValues bool) (Fault, error) {
	parts := strings.Split(strings.TrimSpace(spec), ",")
	head := strings.TrimSpace(parts[0])
	if head == "" {
		return Fault{}, badFault(spec, "empty")
	}
	name, value, hasValue := strings.Cut(head, "=")
	kind := FaultKind(strings.ToLower(strings.TrimSpace(name)))
	value = strings.TrimSpace(value)
	if !slices.Contains(FaultKinds(), kind) {
		return Fault{}, badFault(spec, "unknown kind %q", name)
	}
	f := Fault{Kind: kind}
	dur := func(what, s string) (time.Duration, error) {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, badFault(spec, "%s: %q is not a duration (e.g. 50ms, 2s)", what, s)
		}
		if d < 0 {
			return 0, badFault(spec, "%s: %q is negative", what, s)
		}
		return d, nil
	}
	var err error
	switch kind {
	case FaultLatency:
		if !hasValue {
			if needValues {
				return Fault{}, badFault(spec, "latency needs a value, e.g. latency=50ms")
			}
			break
		}
		if f.Latency, err = dur("latency", value); err != nil {
			return Fault{}, err
		}
	case FaultTimeout, FaultResetPeer:
		if hasValue {
			if f.Timeout, err = dur(string(kind), value); err != nil {
				return Fault{}, err
			}
		}
	case FaultBandwidth:
		if !hasValue {
			if needValues {
				return Fault{}, badFault(spec, "bandwidth needs a rate in KB/s, e.g. bandwidth=64")
			}
			break
		}
		n, perr := strconv.ParseInt(strings.TrimSuffix(strings.ToLower(value), "kb/s"), 10, 64)
		if perr != nil || n < 1 {
			return Fault{}, badFault(spec, "bandwidth: %q is not a rate of at least 1 KB/s", value)
		}
		f.RateKB = n
	case FaultSlowClose:
		if !hasValue {
			if needValues {
				return Fault{}, badFault(spec, "slow_close needs a delay, e.g. slow_close=1s")
			}
			break
		}
		if f.Delay, err = dur("slow_close", value); err != nil {
			return Fault{}, err
		}
	default:
		if hasValue {
			return Fault{}, badFault(spec, "%s takes no value", kind)
		}
	}
	seen := map[string]bool{}
	for _, opt := range parts[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(opt), "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || v == "" {
			return Fault{}, badFault(spec, "option %q: want key=value", opt)
		}
		// A repeated option is a mistake, not "the last one wins":
		// target=postgres,target=redis would silently break Redis.
		if seen[k] {
			return Fault{}, badFault(spec, "option %s is given twice; give it once", k)
		}
		seen[k] = true
		switch k {
		case "jitter":
			if kind != FaultLatency {
				return Fault{}, badFault(spec, "jitter goes with latency only")
			}
			if f.Jitter, err = dur("jitter", v); err != nil {
				return Fault{}, err
			}
		case "target":
			f.Target = strings.ToLower(v)
		case "stream":
			switch strings.ToLower(v) {
			case "down", "downstream":
				f.Stream = StreamDownstream
			case "up", "upstream":
				f.Stream = StreamUpstream
			case "both":
				f.Stream = StreamBoth
			default:
				return Fault{}, badFault(spec, "stream %q: want down, up or both", v)
			}
		default:
			return Fault{}, badFault(spec, "unknown option %q (options: jitter, target, stream)", k)
		}
	}
	if needValues {
		return f.normalizeAs(spec)
	}
	if f.Target != "" && f.Target != TargetRedis && f.Target != TargetPostgres {
		return Fault{}, badFault(spec, "target %q: want redis or postgres", f.Target)
	}
	if f.Kind == FaultDown && f.Target == TargetPostgres {
		f.Kind = FaultPostgresDown
	}
	return f, nil
}

// normalize checks a fault and fills its defaults: the target, the stream,
// postgres down as postgres_down.
func (f Fault) normalize() (Fault, error) { return f.normalizeAs(f.String()) }

// normalizeAs is normalize with errors naming spec, the fault as given.
func (f Fault) normalizeAs(spec string) (Fault, error) {
	if !slices.Contains(FaultKinds(), f.Kind) {
		return Fault{}, badFault(string(f.Kind), "unknown kind %q", f.Kind)
	}
	switch f.Target {
	case "", TargetRedis, TargetPostgres:
	default:
		return Fault{}, badFault(spec, "target %q: want redis or postgres", f.Target)
	}
	switch f.Kind {
	case FaultDown:
		if f.Target == TargetPostgres {
			f.Kind = FaultPostgresDown
		}
	case FaultPostgresDown, FaultPostgresStop:
		if f.Target == TargetRedis {
			return Fault{}, badFault(spec, "%s targets postgres", f.Kind)
		}
	case FaultPause, FaultStop, FaultRestartDataLoss:
		if f.Target == TargetPostgres {
			return Fault{}, badFault(spec, "%s is a Redis fault; for PostgreSQL use postgres_stop or postgres_down", f.Kind)
		}
	}
	switch f.Kind {
	case FaultPostgresDown, FaultPostgresStop:
		f.Target = TargetPostgres
	case FaultDown, FaultPause, FaultStop, FaultRestartDataLoss:
		f.Target = TargetRedis
	default:
		if f.Target == "" {
			f.Target = TargetRedis
		}
	}
	if f.Kind.isToxic() {
		switch f.Stream {
		case "":
			f.Stream = StreamDownstream
			if f.Kind == FaultTimeout {
				f.Stream = StreamBoth
			}
		case StreamDownstream, StreamUpstream, StreamBoth:
		default:
			return Fault{}, badFault(spec, "stream %q: want downstream, upstream or both", f.Stream)
		}
	} else if f.Stream != "" {
		return Fault{}, badFault(spec, "%s has no stream", f.Kind)
	}
	ms := func(what string, d time.Duration, min time.Duration) error {
		if d < 0 {
			return badFault(spec, "%s is negative", what)
		}
		if d > 0 && d < time.Millisecond || d < min {
			return badFault(spec, "%s %v: Toxiproxy works in whole milliseconds, at least %v", what, d, max(min, time.Millisecond))
		}
		return nil
	}
	var err error
	switch f.Kind {
	case FaultLatency:
		if err = ms("latency", f.Latency, time.Millisecond); err == nil {
			err = ms("jitter", f.Jitter, 0)
		}
	case FaultTimeout, FaultResetPeer:
		err = ms("timeout", f.Timeout, 0)
	case FaultBandwidth:
		if f.RateKB < 1 {
			err = badFault(spec, "bandwidth needs a rate of at least 1 KB/s")
		}
	case FaultSlowClose:
		err = ms("delay", f.Delay, 0)
	}
	return f, err
}

// String is the fault in ParseFault's syntax.
func (f Fault) String() string {
	var b strings.Builder
	b.WriteString(string(f.Kind))
	switch f.Kind {
	case FaultLatency:
		b.WriteString("=" + f.Latency.String())
		if f.Jitter > 0 {
			b.WriteString(",jitter=" + f.Jitter.String())
		}
	case FaultTimeout, FaultResetPeer:
		if f.Timeout > 0 {
			b.WriteString("=" + f.Timeout.String())
		}
	case FaultBandwidth:
		b.WriteString("=" + strconv.FormatInt(f.RateKB, 10))
	case FaultSlowClose:
		b.WriteString("=" + f.Delay.String())
	}
	if f.Kind.IsNetwork() && f.Kind != FaultPostgresDown && f.Target == TargetPostgres {
		b.WriteString(",target=postgres")
	}
	if f.Kind.isToxic() && f.Stream != "" {
		def := StreamDownstream
		if f.Kind == FaultTimeout {
			def = StreamBoth
		}
		if f.Stream != def {
			b.WriteString(",stream=" + strings.TrimSuffix(f.Stream, "stream"))
		}
	}
	return b.String()
}
