package lab

// Reading and writing faults in the spec syntax.

import (
	"slices"
	"strings"
	"time"
)

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
	def, ok := faultDefOf(kind)
	if !ok {
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
	switch {
	case def.parse == nil:
		if hasValue {
			return Fault{}, badFault(spec, "%s takes no value", kind)
		}
	case !hasValue:
		if needValues && def.missing != "" {
			return Fault{}, badFault(spec, "%s", def.missing)
		}
	default:
		if err = def.parse(&f, value, spec, dur); err != nil {
			return Fault{}, err
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
			if opt := def.options[k]; opt != nil {
				if err = opt(&f, v, spec, dur); err != nil {
					return Fault{}, err
				}
				continue
			}
			if owners := optionOwners(k); len(owners) > 0 {
				return Fault{}, badFault(spec, "%s goes with %s only", k, strings.Join(owners, ", "))
			}
			return Fault{}, badFault(spec, "unknown option %q (options: %s)", k, strings.Join(optionNames(), ", "))
		}
	}
	if needValues {
		return f.normalizeAs(spec)
	}
	if f.Target != "" && f.Target != TargetRedis && f.Target != TargetPostgres {
		return Fault{}, badFault(spec, "target %q: want redis or postgres", f.Target)
	}
	return aliased(f), nil
}

// optionOwners lists the kinds that take the option k.
func optionOwners(k string) []string {
	var out []string
	for _, d := range faultDefsNow() {
		if d.options[k] != nil {
			out = append(out, string(d.Kind))
		}
	}
	return out
}

// optionNames lists every option: the kinds' own, then target and stream.
func optionNames() []string {
	var out []string
	for _, d := range faultDefsNow() {
		for k := range d.options {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return append(out, "target", "stream")
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
	f = aliased(f)
	def, _ := faultDefOf(f.Kind)
	switch {
	case def.Target == "":
		if f.Target == "" {
			f.Target = TargetRedis
		}
	case f.Target == "" || f.Target == def.Target:
		f.Target = def.Target
	case def.Target == TargetPostgres:
		return Fault{}, badFault(spec, "%s targets postgres", f.Kind)
	default:
		return Fault{}, badFault(spec, "%s is a Redis fault; for PostgreSQL use postgres_stop or postgres_down", f.Kind)
	}
	if def.toxic != nil {
		switch f.Stream {
		case "":
			f.Stream = def.toxic.stream
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
	if def.check != nil {
		err = def.check(f, ms, spec)
	}
	return f, err
}

// String is the fault in ParseFault's syntax.
func (f Fault) String() string {
	var b strings.Builder
	b.WriteString(string(f.Kind))
	def, _ := faultDefOf(f.Kind)
	if def.format != nil {
		b.WriteString(def.format(f))
	}
	if def.Needs == NeedProxy && def.Target != TargetPostgres && f.Target == TargetPostgres {
		b.WriteString(",target=postgres")
	}
	if def.toxic != nil && f.Stream != "" {
		if f.Stream != def.toxic.stream {
			b.WriteString(",stream=" + strings.TrimSuffix(f.Stream, "stream"))
		}
	}
	return b.String()
}
