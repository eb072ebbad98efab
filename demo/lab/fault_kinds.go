package lab

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Shopify/toxiproxy/v2/toxics"
)

// The fault registry: every kind of fault is declared once, as one faultDef
// handed to registerFault, with everything the program knows about it:
//
//   - what a front end shows (FaultInfo: name, target, needs, syntax,
//     example, help, menu place);
//   - how its spec is read, checked and written (parse, options, check,
//     format);
//   - for a network kind, either the Toxiproxy toxic that does it (toxic:
//     its default stream, its attributes both ways, a toxic type to
//     register when Toxiproxy has none, and conn: what the same toxic does
//     to the engine's direct connections) or disable (the proxy is
//     stopped);
//   - for a process kind, its action (process: inject, heal, and what the
//     lab's Close must undo).
//
// ParseFault, Fault.String, Inject, Heal, HealAll, ActiveFaults, the fault
// layer (faultconn.go), FaultSyntax, `fault list`, `fault --help`, shell
// completion and the Lab's fault menu all read the registry; no other code
// names a kind. The built-in kinds are in fault_kinds_net.go and
// fault_kinds_process.go.
//
// Adding a kind: write a file with an init that calls registerFault with
// the kind's declaration, and a test. A network kind that Toxiproxy already
// has a toxic for (or one given in toxic.register) needs no other file; a
// kind whose value needs a field Fault lacks adds that field to Fault. See
// TestRegisteredKindEndToEnd for a kind declared in a test alone. A process
// kind, for example:
//
//	func init() {
//		registerFault(faultDef{
//			FaultInfo: FaultInfo{Kind: "kill_primary", Target: TargetRedis, Needs: NeedServers,
//				Syntax: "kill_primary", Example: "kill_primary", Help: "kill the primary; a replica takes over"},
//			// optional: supports: func(l *Lab, f Fault) error { ... ErrFaultUnavailable ... },
//			process: &processDef{
//				inject: func(ctx context.Context, l *Lab, pf processFaulter, f Fault) error { ... },
//				heal:   func(ctx context.Context, l *Lab, pf processFaulter, f Fault) error { ... }, // nil: instant
//			},
//		})
//	}
//
// The dispatcher holds the process slot, bounds the call by
// ProcessFaultTimeout, records the fault as active (ActiveFaults, HealAll)
// and emits the FaultEvent; the action only acts. What a kind needs beyond
// Needs is checked in its supports; what the provider must do for it
// goes in an interface of its own that the action type-asserts pf (or
// l.servers) to, so processFaulter stays as small as it is.

// FaultKind names one kind of fault.
type FaultKind string

// The built-in fault kinds (declared in fault_kinds_net.go and
// fault_kinds_process.go). The network kinds take a Target ("redis" by
// default, or "postgres"); postgres_down is down with Target "postgres".
const (
	FaultLatency         FaultKind = "latency"
	FaultTimeout         FaultKind = "timeout"
	FaultResetPeer       FaultKind = "reset_peer"
	FaultBandwidth       FaultKind = "bandwidth"
	FaultSlowClose       FaultKind = "slow_close"
	FaultDown            FaultKind = "down"
	FaultPostgresDown    FaultKind = "postgres_down"
	FaultPause           FaultKind = "pause"
	FaultStop            FaultKind = "stop"
	FaultRestartDataLoss FaultKind = "restart_data_loss"
	FaultPostgresStop    FaultKind = "postgres_stop"
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
	// MenuDone is what the menu's fault did, in a learner's words, for the
	// screen to say once it is in ("" : the screen says the spec was done).
	MenuDone string
}

// faultDef declares one kind whole: FaultInfo plus how the kind behaves.
// Exactly one of toxic, disable and process is set.
type faultDef struct {
	FaultInfo

	// missing is the error when a value is required and absent; "" when
	// the value is optional.
	missing string
	// parse reads the value after "="; nil when the kind takes no value.
	parse valueParser
	// options are the kind's own "key=value" options after the value (the
	// lab adds target= and stream= for network kinds).
	options map[string]valueParser
	// check validates the values of a fault (ms checks Toxiproxy's units).
	check func(f Fault, ms msChecker, spec string) error
	// format writes the "=value,..." part of the spec (nil: no value).
	format func(f Fault) string
	// supports is an extra check of whether this lab can do the fault now,
	// after the provider has what Needs names (nil: nothing more).
	supports func(l *Lab, f Fault) error

	// toxic: the kind is a Toxiproxy toxic whose type is the kind's name.
	toxic *toxicDef
	// disable: the kind stops the target's proxy (down); healing starts it.
	disable bool
	// aliases: with target=T the fault is the kind aliases[T] instead
	// (down,target=postgres is postgres_down).
	aliases map[string]FaultKind

	// process: the kind acts on the servers themselves.
	process *processDef

	// rank orders the listing: built-in network kinds (0), built-in
	// process kinds (1), then kinds registered elsewhere (2), each group
	// in registration order, whatever order the files' inits run in.
	rank int
}

type valueParser func(f *Fault, value, spec string, dur durParser) error
type durParser func(what, s string) (time.Duration, error)
type msChecker func(what string, d, min time.Duration) error

// toxicDef is a network kind done as a Toxiproxy toxic.
type toxicDef struct {
	// stream is the toxic's default stream.
	stream string
	// attrs are the toxic's attributes, and read sets the fault's values
	// back from them (attr reads milliseconds, raw the number).
	attrs func(f Fault) map[string]int64
	read  func(f *Fault, attr func(string) time.Duration, raw func(string) float64)
	// register is a toxic type that Toxiproxy does not have, registered
	// under the kind's name (nil: Toxiproxy's own toxic of that name).
	register toxics.Toxic
	// conn is what the toxic does to the engine's direct connections
	// (faultconn.go), which skip the proxy.
	conn connEffect
}

// connEffect is what a toxic does to one direct connection, on the stream
// it is set on (downstream: the server's replies as Read hands them over;
// upstream: the client's requests as Write sends them). The fault layer
// combines the effects of every toxic in force; a zero connEffect lets the
// data through untouched.
type connEffect struct {
	// delay is how long a chunk of n bytes is held after it arrived
	// (latency, bandwidth). Several toxics' delays add up.
	delay func(f Fault, n int) time.Duration
	// chunk is the most bytes handed over at once (bandwidth); 0: no limit.
	chunk func(f Fault) int
	// drop: data is dropped, so requests hang (timeout). The connection is
	// held: closed when the fault ends, and after closeAfter when that is
	// set and not 0.
	drop       bool
	closeAfter func(f Fault) time.Duration
	// resetAfter, when set, resets the connection (TCP RST) that long after
	// data arrives (reset_peer).
	resetAfter func(f Fault) time.Duration
	// closeDelay delays the close: downstream, the server's close (EOF)
	// reaches the client that much later; upstream, the client's close
	// reaches the server later (slow_close).
	closeDelay func(f Fault) time.Duration
}

// processDef is a kind that acts on the servers. The dispatcher holds the
// lab's process slot around inject and heal, bounds them by
// ProcessFaultTimeout, and keeps the book of active faults: a kind with a
// heal is active from a successful inject until a successful heal, and
// injecting it again while active does nothing.
type processDef struct {
	// inject does the fault. pf is the provider's faulter, nil when the
	// provider did not start the servers (Needs NeedServers rules that out
	// before inject is called).
	inject func(ctx context.Context, l *Lab, pf processFaulter, f Fault) error
	// heal undoes it; nil for an instant kind (nothing to heal). HealAll
	// calls the heal of every active kind.
	heal func(ctx context.Context, l *Lab, pf processFaulter, f Fault) error
	// onClose, when set, is called for an active fault when the lab closes,
	// before the servers stop (a frozen server cannot shut down).
	onClose func(ctx context.Context, l *Lab, pf processFaulter)
}

// faultKindDefs is the registry: the built-ins first, then the others in
// the order they were registered. It is copied on write, so readers need
// no lock.
var (
	faultKindsMu  sync.Mutex
	faultKindDefs atomic.Pointer[[]faultDef]
)

// registerFault adds a kind to the registry and returns what removes it
// again (for tests). Call it from an init function. It panics on a
// declaration that is not whole (a programming error, caught by any test):
// no kind, a kind declared twice, or not exactly one of toxic, disable and
// process.
func registerFault(d faultDef) (unregister func()) {
	return registerRanked(d, 2)
}

func registerRanked(d faultDef, rank int) (unregister func()) {
	d.rank = rank
	ways := 0
	for _, set := range []bool{d.toxic != nil, d.disable, d.process != nil} {
		if set {
			ways++
		}
	}
	if d.Kind == "" || ways != 1 {
		panic("registerFault " + string(d.Kind) + ": a kind needs a name and exactly one of toxic, disable, process")
	}
	if d.toxic != nil && d.toxic.register != nil {
		toxics.Register(string(d.Kind), d.toxic.register)
	}
	faultKindsMu.Lock()
	defer faultKindsMu.Unlock()
	old := faultDefsNow()
	if slices.ContainsFunc(old, func(o faultDef) bool { return o.Kind == d.Kind }) {
		panic("registerFault: " + string(d.Kind) + " is declared twice")
	}
	defs := append(slices.Clip(old), d)
	slices.SortStableFunc(defs, func(a, b faultDef) int { return a.rank - b.rank })
	faultKindDefs.Store(&defs)
	FaultSyntax = faultSyntax(defs)
	return func() {
		faultKindsMu.Lock()
		defer faultKindsMu.Unlock()
		defs := slices.DeleteFunc(slices.Clone(faultDefsNow()), func(o faultDef) bool { return o.Kind == d.Kind })
		faultKindDefs.Store(&defs)
		FaultSyntax = faultSyntax(defs)
	}
}

// faultDefsNow is the registry now, in listing order.
func faultDefsNow() []faultDef {
	if p := faultKindDefs.Load(); p != nil {
		return *p
	}
	return nil
}

// faultDefOf returns the registry entry of a kind (ok false when unknown).
func faultDefOf(k FaultKind) (faultDef, bool) {
	for _, d := range faultDefsNow() {
		if d.Kind == k {
			return d, true
		}
	}
	return faultDef{}, false
}

// FaultKinds lists every kind, network kinds first.
func FaultKinds() []FaultKind {
	defs := faultDefsNow()
	out := make([]FaultKind, len(defs))
	for i, d := range defs {
		out[i] = d.Kind
	}
	return out
}

// FaultCatalog describes every kind, in FaultKinds order, for front ends
// (help texts, completion, menus).
func FaultCatalog() []FaultInfo {
	defs := faultDefsNow()
	out := make([]FaultInfo, len(defs))
	for i, d := range defs {
		out[i] = d.FaultInfo
	}
	return out
}

// IsNetwork reports whether the kind is done by the proxies (and so works on
// every provider).
func (k FaultKind) IsNetwork() bool {
	d, ok := faultDefOf(k)
	return ok && d.process == nil
}

// isToxic reports whether the kind is a Toxiproxy toxic.
func (k FaultKind) isToxic() bool {
	d, _ := faultDefOf(k)
	return d.toxic != nil
}

// Instant reports whether the kind happens at once and leaves nothing to
// heal (restart_data_loss).
func (k FaultKind) Instant() bool {
	d, _ := faultDefOf(k)
	return d.process != nil && d.process.heal == nil
}

// aliased returns f with its kind replaced when its target makes it another
// kind (down,target=postgres is postgres_down).
func aliased(f Fault) Fault {
	if d, ok := faultDefOf(f.Kind); ok {
		if k, ok := d.aliases[f.Target]; ok {
			f.Kind = k
		}
	}
	return f
}

// disableKind is the kind that a disabled proxy of target shows as.
func disableKind(target string) FaultKind {
	for _, d := range faultDefsNow() {
		if d.disable && (d.Target == target || d.Target == "") {
			return d.Kind
		}
	}
	return FaultKind(target + "_down")
}

// FaultSyntax describes ParseFault's input, for usage messages. It is
// rebuilt whenever a kind is registered.
var FaultSyntax string

func faultSyntax(defs []faultDef) string {
	var kinds []string
	for _, d := range defs {
		kinds = append(kinds, d.Syntax)
	}
	return strings.Join(kinds, ", ") + "; network kinds take target=redis|postgres and stream=down|up|both"
}
