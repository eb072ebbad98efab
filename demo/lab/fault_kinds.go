package lab

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// The fault registry: every kind of fault is declared once, here, with its
// name, its target, what it needs from the provider, its value syntax, how
// its value is read, checked, shown and handed to Toxiproxy, and its help
// text. ParseFault, Fault.String, the toxics, HealAll, FaultSyntax,
// `fault list`, `fault --help`, shell completion and the Lab's fault menu
// all read this table, so a new network fault (a Toxiproxy toxic) is one
// entry here and a test: nothing else in the program lists kinds.

// FaultKind names one kind of fault.
type FaultKind string

// The fault kinds. The network kinds take a Target ("redis" by default, or
// "postgres"); postgres_down is down with Target "postgres".
const (
	// FaultLatency delays data by Latency ± Jitter (downstream: the
	// replies, so a round trip takes at least Latency longer).
	FaultLatency FaultKind = "latency"
	// FaultTimeout lets no data through, in both directions by default:
	// requests hang. With Timeout > 0 the connection is closed after that
	// long; 0 holds it until healed. Healing closes the held connections.
	FaultTimeout FaultKind = "timeout"
	// FaultResetPeer resets connections (TCP RST) when data arrives
	// (downstream: after the server has answered, so the request ran but
	// the client cannot know), after Timeout if set.
	FaultResetPeer FaultKind = "reset_peer"
	// FaultBandwidth limits the data rate to RateKB kilobytes per second.
	FaultBandwidth FaultKind = "bandwidth"
	// FaultSlowClose delays the close of a connection by Delay.
	FaultSlowClose FaultKind = "slow_close"
	// FaultDown disables the Redis proxy: connections are refused and open
	// ones are closed. The server keeps running and keeps its data.
	FaultDown FaultKind = "down"
	// FaultPostgresDown disables the PostgreSQL proxy.
	FaultPostgresDown FaultKind = "postgres_down"
	// FaultPause freezes the Redis server (docker pause, or SIGSTOP): it
	// accepts connections but answers nothing, so requests hang until the
	// client's own timeout. Healing resumes it; nothing is lost.
	FaultPause FaultKind = "pause"
	// FaultStop stops the Redis server. The lab's Redis keeps no data on
	// disk, so a stopped Redis comes back EMPTY when healed (on a new port,
	// behind the same proxy address).
	FaultStop FaultKind = "stop"
	// FaultRestartDataLoss is stop and start at once: Redis comes back at
	// the same proxy address with no data. It is instantaneous: there is
	// nothing to heal.
	FaultRestartDataLoss FaultKind = "restart_data_loss"
	// FaultPostgresStop stops PostgreSQL (a fast shutdown). Healing starts
	// it again on the same data: PostgreSQL is the source of truth and
	// keeps every committed row.
	FaultPostgresStop FaultKind = "postgres_stop"
)

// FaultNeed says what a fault kind needs from the lab's provider.
type FaultNeed string

const (
	// NeedProxy: the lab's in-process Toxiproxy, which every provider has.
	NeedProxy FaultNeed = "proxy"
	// NeedServers: a provider that started the servers and can pause,
	// stop and start them (docker, local), not external.
	NeedServers FaultNeed = "servers"
)

// FaultInfo is what a front end may show about a kind.
type FaultInfo struct {
	Kind FaultKind
	// Target is the server the kind always acts on, or "" when the fault's
	// target= option chooses (Redis by default).
	Target string
	Needs  FaultNeed
	// Syntax is how to write the kind in a spec: "latency=DUR[,jitter=DUR]";
	// Example is one such spec that parses.
	Syntax, Example string
	// Help is one line for --help and the README.
	Help string
	// MenuKey and MenuLabel place the kind in the Lab's fault menu ("" when
	// the lesson does not offer it there); MenuFault is the fault the menu
	// injects.
	MenuKey, MenuLabel string
	MenuFault          Fault
}

// faultDef is one registry entry: FaultInfo plus how the kind behaves.
type faultDef struct {
	FaultInfo
	// toxic: done as a Toxiproxy toxic whose type is the kind's name.
	toxic bool
	// stream is a toxic's default stream.
	stream string
	// instant: happens at once and leaves nothing to heal.
	instant bool
	// healAll: HealAll heals it one by one (the process faults; the
	// network ones are reset together).
	healAll bool
	// missing is the error when a value is required and absent; "" when
	// the value is optional.
	missing string
	// parse reads the value after "="; nil when the kind takes no value.
	parse func(f *Fault, value, spec string, dur durParser) error
	// check validates the values of a fault (ms checks Toxiproxy's units).
	check func(f Fault, ms msChecker, spec string) error
	// format writes the "=value,..." part of the spec.
	format func(f Fault) string
	// attrs are the toxic's attributes, and read sets the fault's values
	// back from them.
	attrs func(f Fault) map[string]int64
	read  func(f *Fault, attr func(string) time.Duration, raw func(string) float64)
	// supports, inject and heal, when set, do a process kind themselves
	// instead of the provider's switch (the ha kinds, fault_ha.go):
	// supports says whether this lab can, inject runs under the process
	// slot, heal undoes it (nil: nothing to heal).
	supports func(l *Lab) error
	inject   func(l *Lab, ctx context.Context, f Fault) error
	heal     func(l *Lab, ctx context.Context) error
}

type durParser func(what, s string) (time.Duration, error)
type msChecker func(what string, d, min time.Duration) error

func ms(d time.Duration) int64 { return d.Milliseconds() }

// timeoutValue is the optional "=DUR" of timeout and reset_peer.
var timeoutValue = struct {
	parse  func(f *Fault, value, spec string, dur durParser) error
	check  func(f Fault, ms msChecker, spec string) error
	format func(f Fault) string
	attrs  func(f Fault) map[string]int64
	read   func(f *Fault, attr func(string) time.Duration, raw func(string) float64)
}{
	parse: func(f *Fault, v, _ string, dur durParser) (err error) {
		f.Timeout, err = dur(string(f.Kind), v)
		return err
	},
	check: func(f Fault, ms msChecker, _ string) error { return ms("timeout", f.Timeout, 0) },
	format: func(f Fault) string {
		if f.Timeout > 0 {
			return "=" + f.Timeout.String()
		}
		return ""
	},
	attrs: func(f Fault) map[string]int64 { return map[string]int64{"timeout": ms(f.Timeout)} },
	read: func(f *Fault, attr func(string) time.Duration, _ func(string) float64) {
		f.Timeout = attr("timeout")
	},
}

// faultDefs is the registry, in the order kinds are listed (network kinds
// first, as the lesson meets them). It is filled by init because its
// parsers' errors quote FaultSyntax, which is made from it.
var faultDefs []faultDef

func init() { faultDefs = append(faultRegistry(), haFaultDefs()...) }

func faultRegistry() []faultDef {
	return []faultDef{
		{
			FaultInfo: FaultInfo{Kind: FaultLatency, Needs: NeedProxy, Syntax: "latency=DUR[,jitter=DUR]", Example: "latency=50ms,jitter=10ms",
				Help:    "delay every reply by DUR, give or take jitter",
				MenuKey: "l", MenuLabel: "latency 50ms on every Redis reply",
				MenuFault: Fault{Kind: FaultLatency, Latency: 50 * time.Millisecond}},
			toxic: true, stream: StreamDownstream,
			missing: "latency needs a value, e.g. latency=50ms",
			parse: func(f *Fault, v, _ string, dur durParser) (err error) {
				f.Latency, err = dur("latency", v)
				return err
			},
			check: func(f Fault, ms msChecker, _ string) error {
				if err := ms("latency", f.Latency, time.Millisecond); err != nil {
					return err
				}
				return ms("jitter", f.Jitter, 0)
			},
			format: func(f Fault) string {
				s := "=" + f.Latency.String()
				if f.Jitter > 0 {
					s += ",jitter=" + f.Jitter.String()
				}
				return s
			},
			attrs: func(f Fault) map[string]int64 {
				return map[string]int64{"latency": ms(f.Latency), "jitter": ms(f.Jitter)}
			},
			read: func(f *Fault, attr func(string) time.Duration, _ func(string) float64) {
				f.Latency, f.Jitter = attr("latency"), attr("jitter")
			},
		},
		{
			FaultInfo: FaultInfo{Kind: FaultTimeout, Needs: NeedProxy, Syntax: "timeout[=DUR]", Example: "timeout=2s",
				Help:    "let no data through; close after DUR (0: hold)",
				MenuKey: "t", MenuLabel: "timeout: Redis answers nothing until healed",
				MenuFault: Fault{Kind: FaultTimeout}},
			toxic: true, stream: StreamBoth,
			parse: timeoutValue.parse, check: timeoutValue.check, format: timeoutValue.format,
			attrs: timeoutValue.attrs, read: timeoutValue.read,
		},
		{
			FaultInfo: FaultInfo{Kind: FaultResetPeer, Needs: NeedProxy, Syntax: "reset_peer[=DUR]", Example: "reset_peer=100ms",
				Help:    "reset connections (TCP RST) after DUR",
				MenuKey: "e", MenuLabel: "reset: connections reset after Redis answers",
				MenuFault: Fault{Kind: FaultResetPeer}},
			toxic: true, stream: StreamDownstream,
			parse: timeoutValue.parse, check: timeoutValue.check, format: timeoutValue.format,
			attrs: timeoutValue.attrs, read: timeoutValue.read,
		},
		{
			FaultInfo: FaultInfo{Kind: FaultBandwidth, Needs: NeedProxy, Syntax: "bandwidth=KB/s", Example: "bandwidth=64",
				Help: "limit data to KB/s kilobytes per second"},
			toxic: true, stream: StreamDownstream,
			missing: "bandwidth needs a rate in KB/s, e.g. bandwidth=64",
			parse: func(f *Fault, v, spec string, _ durParser) error {
				n, err := strconv.ParseInt(strings.TrimSuffix(strings.ToLower(v), "kb/s"), 10, 64)
				if err != nil || n < 1 {
					return badFault(spec, "bandwidth: %q is not a rate of at least 1 KB/s", v)
				}
				f.RateKB = n
				return nil
			},
			check: func(f Fault, _ msChecker, spec string) error {
				if f.RateKB < 1 {
					return badFault(spec, "bandwidth needs a rate of at least 1 KB/s")
				}
				return nil
			},
			format: func(f Fault) string { return "=" + strconv.FormatInt(f.RateKB, 10) },
			attrs:  func(f Fault) map[string]int64 { return map[string]int64{"rate": f.RateKB} },
			read: func(f *Fault, _ func(string) time.Duration, raw func(string) float64) {
				f.RateKB = int64(raw("rate"))
			},
		},
		{
			FaultInfo: FaultInfo{Kind: FaultSlowClose, Needs: NeedProxy, Syntax: "slow_close=DUR", Example: "slow_close=1s",
				Help: "delay the close of every connection by DUR"},
			toxic: true, stream: StreamDownstream,
			missing: "slow_close needs a delay, e.g. slow_close=1s",
			parse: func(f *Fault, v, _ string, dur durParser) (err error) {
				f.Delay, err = dur("slow_close", v)
				return err
			},
			check:  func(f Fault, ms msChecker, _ string) error { return ms("delay", f.Delay, 0) },
			format: func(f Fault) string { return "=" + f.Delay.String() },
			attrs:  func(f Fault) map[string]int64 { return map[string]int64{"delay": ms(f.Delay)} },
			read: func(f *Fault, attr func(string) time.Duration, _ func(string) float64) {
				f.Delay = attr("delay")
			},
		},
		{FaultInfo: FaultInfo{Kind: FaultDown, Target: TargetRedis, Needs: NeedProxy, Syntax: "down", Example: "down",
			Help:    "refuse Redis connections; Redis keeps its data",
			MenuKey: "d", MenuLabel: "down: connections to Redis refused",
			MenuFault: Fault{Kind: FaultDown}}},
		{FaultInfo: FaultInfo{Kind: FaultPostgresDown, Target: TargetPostgres, Needs: NeedProxy, Syntax: "postgres_down", Example: "postgres_down",
			Help: "refuse PostgreSQL connections; it keeps its data"}},
		{FaultInfo: FaultInfo{Kind: FaultPause, Target: TargetRedis, Needs: NeedServers, Syntax: "pause", Example: "pause",
			Help:    "freeze Redis: requests hang, nothing is lost",
			MenuKey: "p", MenuLabel: "pause Redis (requests hang)",
			MenuFault: Fault{Kind: FaultPause}},
			healAll: true},
		{FaultInfo: FaultInfo{Kind: FaultStop, Target: TargetRedis, Needs: NeedServers, Syntax: "stop", Example: "stop",
			Help:    "stop Redis; it comes back EMPTY when healed",
			MenuKey: "s", MenuLabel: "stop Redis (comes back empty when healed)",
			MenuFault: Fault{Kind: FaultStop}},
			healAll: true},
		{FaultInfo: FaultInfo{Kind: FaultRestartDataLoss, Target: TargetRedis, Needs: NeedServers, Syntax: "restart_data_loss", Example: "restart_data_loss",
			Help:    "restart Redis now, empty (nothing to heal)",
			MenuKey: "x", MenuLabel: "restart Redis now, losing its data",
			MenuFault: Fault{Kind: FaultRestartDataLoss}},
			instant: true},
		{FaultInfo: FaultInfo{Kind: FaultPostgresStop, Target: TargetPostgres, Needs: NeedServers, Syntax: "postgres_stop", Example: "postgres_stop",
			Help: "stop PostgreSQL; it restarts on the same data"},
			healAll: true},
	}
}

// faultDefOf returns the registry entry of a kind (ok false when unknown).
func faultDefOf(k FaultKind) (faultDef, bool) {
	for _, d := range faultDefs {
		if d.Kind == k {
			return d, true
		}
	}
	return faultDef{}, false
}

// FaultKinds lists every kind, network kinds first.
func FaultKinds() []FaultKind {
	out := make([]FaultKind, len(faultDefs))
	for i, d := range faultDefs {
		out[i] = d.Kind
	}
	return out
}

// FaultCatalog describes every kind, in FaultKinds order, for front ends
// (help texts, completion, menus).
func FaultCatalog() []FaultInfo {
	out := make([]FaultInfo, len(faultDefs))
	for i, d := range faultDefs {
		out[i] = d.FaultInfo
	}
	return out
}

// IsNetwork reports whether the kind is done by the proxies (and so works on
// every provider).
func (k FaultKind) IsNetwork() bool {
	d, ok := faultDefOf(k)
	return ok && d.Needs == NeedProxy
}

// isToxic reports whether the kind is a Toxiproxy toxic (every network
// kind but down).
func (k FaultKind) isToxic() bool {
	d, _ := faultDefOf(k)
	return d.toxic
}

// Instant reports whether the kind happens at once and leaves nothing to
// heal (restart_data_loss).
func (k FaultKind) Instant() bool {
	d, _ := faultDefOf(k)
	return d.instant
}

// defaultStream is a toxic kind's stream when none is given.
func (k FaultKind) defaultStream() string {
	d, _ := faultDefOf(k)
	return d.stream
}

// FaultSyntax describes ParseFault's input, for usage messages.
var FaultSyntax string

func init() { FaultSyntax = faultSyntax() }

func faultSyntax() string {
	var kinds []string
	for _, d := range faultDefs {
		kinds = append(kinds, d.Syntax)
	}
	return strings.Join(kinds, ", ") + "; network kinds take target=redis|postgres and stream=down|up|both"
}
