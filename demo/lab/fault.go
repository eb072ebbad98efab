package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Faults break a running lab on purpose, one API for every provider:
//
//   - network faults between the clients and a server, through the lab's
//     in-process Toxiproxy (latency, timeout, reset_peer, bandwidth,
//     slow_close as toxics; down and postgres_down as a disabled proxy).
//     They work on every provider, external included;
//   - process faults on the servers themselves: pause, stop and
//     restart_data_loss for Redis, postgres_stop for PostgreSQL. The docker
//     provider does them through the Docker API, the local provider with
//     signals; an external lab cannot (it did not start the servers) and
//     says so with ErrFaultUnavailable.
//
// Every change is bounded by a timeout (NetworkFaultTimeout,
// ProcessFaultTimeout, or the caller's earlier deadline), so a fault change
// can never hang an experiment, even when Toxiproxy itself sticks.

// FaultAll is not a kind of fault: it names HealAll in a FaultEvent.
const FaultAll FaultKind = "all"

// Targets of a fault.
const (
	TargetRedis    = "redis"
	TargetPostgres = "postgres"
)

// Streams a toxic applies to (Toxiproxy's terms): downstream is the
// server's replies, upstream the client's requests.
const (
	StreamDownstream = "downstream"
	StreamUpstream   = "upstream"
	StreamBoth       = "both"
)

// Fault is one fault: what ParseFault reads, Inject takes and ActiveFaults
// reports.
type Fault struct {
	Kind FaultKind `json:"kind"`
	// Target is "redis" (the default) or "postgres", for network kinds.
	Target string `json:"target,omitempty"`
	// Stream is "downstream", "upstream" or "both"; empty means the kind's
	// default (downstream, both for timeout), as toxiproxy-cli does.
	Stream string `json:"stream,omitempty"`
	// Latency and Jitter for latency (whole milliseconds).
	Latency time.Duration `json:"latency,omitempty"`
	Jitter  time.Duration `json:"jitter,omitempty"`
	// Timeout for timeout (0 holds the connection forever) and reset_peer
	// (0 resets at once).
	Timeout time.Duration `json:"timeout,omitempty"`
	// RateKB for bandwidth, in KB/s.
	RateKB int64 `json:"rate_kb,omitempty"`
	// Delay for slow_close.
	Delay time.Duration `json:"delay,omitempty"`
	// Lag for redis_primary_kill: how long the replicas are cut off from
	// the primary's replication stream before it is killed (0: killed at
	// once). See FaultRedisPrimaryKill.
	Lag time.Duration `json:"lag,omitempty"`
	// For for redis_replica_pause: how long the replica stays frozen
	// before it is let go on its own. See FaultRedisReplicaPause.
	For time.Duration `json:"for,omitempty"`

	// Since is when the fault was injected (set by ActiveFaults; zero for a
	// toxic this process did not add itself, e.g. through the Toxiproxy
	// API).
	Since time.Time `json:"since,omitzero"`
	// Toxic is the Toxiproxy toxic's name, for toxic kinds in ActiveFaults.
	Toxic string `json:"toxic,omitempty"`
}

// MarshalJSON adds "spec", the fault in ParseFault's syntax.
func (f Fault) MarshalJSON() ([]byte, error) {
	type plain Fault
	return json.Marshal(struct {
		Spec string `json:"spec"`
		plain
	}{f.String(), plain(f)})
}

// ErrFaultUnavailable means the lab cannot do that fault: the provider does
// not support it (pause under external), or the machine does not (docker
// pause without cgroup freezer). It is wrapped with the reason; a fault
// that is unavailable was not injected and must be reported so, never
// counted as passed.
var ErrFaultUnavailable = errors.New("fault unavailable")

// ErrBadFault wraps errors of ParseFault and ParseSchedule, and of faults
// whose fields make no sense.
var ErrBadFault = errors.New("bad fault")

// Bounds on one fault change when the caller's context has no earlier
// deadline. A network change is one call into Toxiproxy; a process change
// may start a server and wait until it answers.
const (
	NetworkFaultTimeout = 5 * time.Second
	ProcessFaultTimeout = 60 * time.Second
)

// FaultAction says what a FaultEvent reports.
type FaultAction string

const (
	ActionInject FaultAction = "inject"
	ActionHeal   FaultAction = "heal"
	// ActionFailed: an inject or heal that did not happen (Err says why;
	// errors.Is(Err, ErrFaultUnavailable) when the lab cannot do it).
	ActionFailed FaultAction = "failed"
	// ActionAPI: something changed through the Toxiproxy API.
	ActionAPI FaultAction = "toxiproxy-api"
)

// Sources of a change.
const (
	SourceLab          = "lab"
	SourceToxiproxyAPI = "toxiproxy-api"
)

// FaultEvent reports one fault change to the observer (Options.OnFault,
// SetFaultObserver), so a TUI or an experiment can show "active faults".
type FaultEvent struct {
	Time   time.Time
	Action FaultAction
	// Op is "inject" or "heal" for ActionFailed too.
	Op     FaultAction
	Fault  Fault
	Source string
	// Detail is free text: the API request, or why a heal happened on its
	// own ("before stop").
	Detail string
	Err    error
	// Took is how long the change took.
	Took time.Duration
	// Active is the active faults after the change.
	Active []Fault
}

// faultState is a Lab's fault bookkeeping.
type faultState struct {
	lab *Lab
	// life ends when the lab closes: every fault change in flight stops.
	life     context.Context
	killLife context.CancelFunc
	observer atomic.Pointer[func(FaultEvent)]

	// One network change and one process change at a time. Separate, so a
	// slow restart never holds up switching a toxic.
	netSem  chan struct{}
	procSem chan struct{}

	mu sync.Mutex
	// process holds the active process faults (pause, stop, postgres_stop).
	process map[FaultKind]Fault
	// since remembers when this process added a toxic or disabled a proxy
	// ("proxy/toxic" or "proxy/" for down).
	since map[string]time.Time
	// lastNet is the last complete read of the proxies' faults, used when
	// Toxiproxy does not answer in time.
	lastNet []Fault
	// pauseUnavailable is why docker pause failed here, once it has.
	pauseUnavailable string

	control *controlServer
}

func (fs *faultState) init(l *Lab, opts Options) {
	fs.lab = l
	fs.life, fs.killLife = context.WithCancel(context.Background())
	fs.netSem = make(chan struct{}, 1)
	fs.procSem = make(chan struct{}, 1)
	fs.process = map[FaultKind]Fault{}
	fs.since = map[string]time.Time{}
	if opts.OnFault != nil {
		fs.observer.Store(&opts.OnFault)
	}
}

// SetFaultObserver sets (or, with nil, removes) the function told of every
// fault change. It is called from the goroutine that made the change and
// must not block.
func (l *Lab) SetFaultObserver(fn func(FaultEvent)) {
	if fn == nil {
		l.faults.observer.Store(nil)
		return
	}
	l.faults.observer.Store(&fn)
}

func (fs *faultState) emit(ev FaultEvent) {
	fn := fs.observer.Load()
	if fn == nil || fs.lab == nil {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	if ev.Source == "" {
		ev.Source = SourceLab
	}
	ev.Active = fs.lab.ActiveFaults()
	(*fn)(ev)
}

// opContext bounds one fault change: by the caller's context, by bound,
// and by the lab's life.
func (fs *faultState) opContext(ctx context.Context, bound time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, bound)
	stop := context.AfterFunc(fs.life, cancel)
	return ctx, func() { stop(); cancel() }
}

func acquire(ctx context.Context, sem chan struct{}, what string) (func(), error) {
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: another fault change is still running (%v)", what, context.Cause(ctx))
	}
}

func (l *Lab) checkOpen() error {
	if l.faults.life == nil || l.faults.life.Err() != nil {
		return errors.New("the lab is closed")
	}
	return nil
}

// Supports says whether the lab can inject faults of this kind (on its
// default target): nil, or an error wrapping ErrFaultUnavailable with the
// reason.
func (l *Lab) Supports(kind FaultKind) error {
	return l.SupportsFault(Fault{Kind: kind})
}

// SupportsFault is Supports for one fault, its target included: the
// provider has what the kind Needs, and the kind's own check agrees.
func (l *Lab) SupportsFault(f Fault) error {
	def, ok := faultDefOf(f.Kind)
	if !ok {
		return fmt.Errorf("%w: unknown fault kind %q", ErrBadFault, f.Kind)
	}
	if err := l.topologyRefuses(f); err != nil {
		return err
	}
	if err := l.clusterRefuses(f); err != nil {
		return err
	}
	switch def.Needs {
	case NeedProxy:
		target := def.Target
		if target == "" {
			target = f.Target
		}
		if target == "" {
			target = TargetRedis
		}
		if _, err := l.proxies.proxy(target); err != nil {
			return err
		}
	case NeedServers:
		if l.processFaults() == nil {
			return fmt.Errorf("%w: %s needs the docker or local provider; this lab is %s, "+
				"so cqrslab did not start its servers and will not pause or stop them (network faults work)",
				ErrFaultUnavailable, f.Kind, l.Provider)
		}
	}
	if def.supports != nil {
		return def.supports(l, f)
	}
	return nil
}

// Inject starts a fault. Injecting a kind that is active already replaces
// it (a toxic gets the new values; a paused Redis stays paused). The change
// is bounded by NetworkFaultTimeout or ProcessFaultTimeout even when ctx has
// no deadline; a fault the lab cannot do returns an error wrapping
// ErrFaultUnavailable and changes nothing.
func (l *Lab) Inject(ctx context.Context, f Fault) (err error) {
	start := time.Now()
	f, err = f.normalize()
	if err == nil {
		err = l.checkOpen()
	}
	if err == nil {
		err = l.SupportsFault(f)
	}
	if err == nil {
		if f.Kind.IsNetwork() {
			err = l.injectNetwork(ctx, f)
		} else {
			err = l.injectProcess(ctx, f)
		}
	}
	ev := FaultEvent{Action: ActionInject, Op: ActionInject, Fault: f, Took: time.Since(start), Err: err}
	if err != nil {
		ev.Action = ActionFailed
		err = fmt.Errorf("inject %s: %w", f, err)
		ev.Err = err
	}
	l.faults.emit(ev)
	return err
}

// Heal ends every active fault of the kind, on every target (latency on
// both proxies; down means Redis's proxy, postgres_down PostgreSQL's).
// Toxics of the kind's type are removed whoever added them (toxiproxy-cli
// included). Healing a fault that is not active is not an error;
// restart_data_loss has nothing to heal.
func (l *Lab) Heal(ctx context.Context, kind FaultKind) error {
	return l.HealFault(ctx, Fault{Kind: kind})
}

// HealFault ends the active faults of f.Kind on f.Target (every target when
// empty). Only Kind and Target are read.
func (l *Lab) HealFault(ctx context.Context, f Fault) (err error) {
	start := time.Now()
	if !slices.Contains(FaultKinds(), f.Kind) {
		return fmt.Errorf("%w: unknown fault kind %q (kinds: %s)", ErrBadFault, f.Kind, FaultSyntax)
	}
	f = aliased(f)
	if err = l.checkOpen(); err == nil {
		if f.Kind.IsNetwork() {
			err = l.healNetwork(ctx, f)
		} else {
			err = l.healProcess(ctx, f.Kind)
		}
	}
	ev := FaultEvent{Action: ActionHeal, Op: ActionHeal, Fault: f, Took: time.Since(start), Err: err}
	if err != nil {
		ev.Action = ActionFailed
		err = fmt.Errorf("heal %s: %w", f.Kind, err)
		ev.Err = err
	}
	l.faults.emit(ev)
	return err
}

// HealAll ends every fault: every toxic on every proxy is removed, every
// proxy enabled, and every active process fault healed by its kind (a
// paused server resumed, a stopped one started). It
// tries everything and returns every error.
func (l *Lab) HealAll(ctx context.Context) error {
	start := time.Now()
	if err := l.checkOpen(); err != nil {
		return err
	}
	var errs []error
	for _, d := range faultDefsNow() {
		if d.process == nil {
			continue
		}
		if err := l.healProcess(ctx, d.Kind); err != nil {
			errs = append(errs, fmt.Errorf("heal %s: %w", d.Kind, err))
		}
	}
	if err := l.resetNetwork(ctx); err != nil {
		errs = append(errs, err)
	}
	err := errors.Join(errs...)
	ev := FaultEvent{Action: ActionHeal, Op: ActionHeal, Fault: Fault{Kind: FaultAll}, Took: time.Since(start), Err: err}
	if err != nil {
		ev.Action = ActionFailed
	}
	l.faults.emit(ev)
	return err
}

// ActiveFaults lists the faults in force now: the proxies' toxics and
// disabled proxies (whoever set them, the Toxiproxy API included) and the
// process faults. It never blocks for long: when Toxiproxy does not answer
// within a second, the network part is the last one read.
func (l *Lab) ActiveFaults() []Fault {
	fs := &l.faults
	var out []Fault
	if l.proxies != nil {
		var net []Fault
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := runBounded(ctx, "read the proxies", func() error {
			net = l.readNetworkFaults()
			return nil
		})
		cancel()
		fs.mu.Lock()
		if err == nil {
			fs.lastNet = net
		} else {
			net = fs.lastNet
		}
		fs.mu.Unlock()
		out = append(out, net...)
	}
	fs.mu.Lock()
	for _, f := range fs.process {
		out = append(out, f)
	}
	fs.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Fault) int {
		if c := a.Since.Compare(b.Since); c != 0 && !a.Since.IsZero() && !b.Since.IsZero() {
			return c
		}
		return strings.Compare(a.Target+string(a.Kind)+a.Toxic, b.Target+string(b.Kind)+b.Toxic)
	})
	return out
}

// closeFaults ends fault work when the lab closes: it stops the control API,
// cancels changes in flight and waits (bounded) for them, then calls the
// onClose of every active process fault (a paused Redis is let go) so the
// servers can stop cleanly.
func (l *Lab) closeFaults() {
	fs := &l.faults
	if fs.life == nil {
		return
	}
	fs.killLife()
	fs.control.close()
	// Wait for a process change in flight (it was just cancelled) and keep
	// the slot: nothing may start or stop a server while Close does.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _ = acquire(ctx, fs.procSem, "close")
	fs.mu.Lock()
	active := make([]FaultKind, 0, len(fs.process))
	for k := range fs.process {
		active = append(active, k)
	}
	fs.mu.Unlock()
	pf := l.processFaults()
	for _, k := range active {
		if d, ok := faultDefOf(k); ok && d.process != nil && d.process.onClose != nil {
			uctx, ucancel := context.WithTimeout(context.Background(), NetworkFaultTimeout)
			d.process.onClose(uctx, l, pf)
			ucancel()
		}
	}
}
