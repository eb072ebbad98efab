package lab

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// The fault layer lets the engine's own connections skip the lab's proxies
// and still feel every network fault.
//
// A proxy in front of a server costs a round trip's worth of copying on
// every request, fault or not: measured on the docker lab, the embedded
// Toxiproxy turned a 22 µs ZADD into 178 µs. So the engine (the process
// that started the lab: the TUI, `bench`, `experiment`) dials the servers'
// own addresses through Info's Dial funcs, and each connection it gets is a
// faultConn that reads the proxies' state: while no toxic is set and the
// proxy is enabled (the usual case) a Read or Write is one atomic load and
// the socket call; when a toxic is added (by Inject, a schedule, or
// toxiproxy-cli through the Toxiproxy API) the connections already open
// apply it from their next byte on, as Toxiproxy's links would.
//
// The proxies stay the one source of truth: the layer copies their toxics
// and enabled flag after every change (sync), so a fault shows the same way
// to the engine here and to clients in other terminals, which keep going
// through the proxies.

// faultLayerState is the faults in force on one target, compiled from its
// proxy. A nil *faultLayerState means "nothing": the fast path.
type faultLayerState struct {
	disabled bool
	up, down []toxicSpec
	// changed is closed when this state is replaced, waking every
	// connection that waits on one of its toxics.
	changed chan struct{}
}

// toxicSpec is one toxic, read from the proxy: its values as a Fault and
// what its kind does to a direct connection (from the registry).
type toxicSpec struct {
	name     string
	toxicity float32
	f        Fault
	eff      *connEffect
}

// targetLayer is the fault layer of one server (redis or postgres).
type targetLayer struct {
	name  string
	state atomic.Pointer[faultLayerState]
	// addr is the server's own address now (it moves when a fault
	// restarts the server).
	addr func() string

	mu    sync.Mutex
	conns map[*faultConn]struct{}
}

// faultLayer holds one targetLayer per proxied server.
type faultLayer struct {
	targets map[string]*targetLayer
}

// newFaultLayer builds the layer for the proxies the lab has. It runs once
// the proxies exist and Info has its direct addresses.
func (l *Lab) newFaultLayer() *faultLayer {
	fl := &faultLayer{targets: map[string]*targetLayer{}}
	if l.proxies.byName[ProxyRedis] != nil {
		fl.targets[TargetRedis] = &targetLayer{name: TargetRedis, conns: map[*faultConn]struct{}{},
			addr: func() string { return l.CurrentInfo().Redis.DirectAddr }}
	}
	if l.proxies.byName[ProxyPostgres] != nil {
		fl.targets[TargetPostgres] = &targetLayer{name: TargetPostgres, conns: map[*faultConn]struct{}{},
			addr: func() string {
				pg := l.CurrentInfo().Postgres
				return net.JoinHostPort(pg.DirectHost, strconv.Itoa(pg.DirectPort))
			}}
	}
	return fl
}

// syncFaultLayer copies the proxies' faults into the layer. Every path that
// changes a proxy calls it afterwards: Inject, Heal, HealAll, a re-point
// and the Toxiproxy API.
func (l *Lab) syncFaultLayer() {
	// Bounded like every call into Toxiproxy (see runBounded).
	ctx, cancel := context.WithTimeout(context.Background(), NetworkFaultTimeout)
	defer cancel()
	_ = runBounded(ctx, "follow the proxies' faults", func() error { l.syncFaultLayerNow(); return nil })
}

func (l *Lab) syncFaultLayerNow() {
	fl := l.faultLayer.Load()
	if fl == nil || l.proxies == nil {
		return
	}
	for name, t := range fl.targets {
		p := l.proxies.byName[name]
		if p == nil {
			continue
		}
		_, _, enabled := proxyState(p)
		st := &faultLayerState{disabled: !enabled, changed: make(chan struct{})}
		for _, tv := range readToxics(p) {
			// Toxic types no kind declares (slicer, limit_data added
			// through the API) shape bytes, not the lesson's faults: they
			// apply to clients of the proxy only.
			def, ok := faultDefOf(FaultKind(tv.Type))
			if !ok || def.toxic == nil {
				continue
			}
			spec := toxicSpec{name: tv.Name, toxicity: tv.Toxicity, f: toxicFault(name, tv), eff: &def.toxic.conn}
			if tv.Stream == StreamUpstream {
				st.up = append(st.up, spec)
			} else {
				st.down = append(st.down, spec)
			}
		}
		t.set(st)
	}
}

// set installs a new state: nil when nothing is in force, so connections
// take the fast path again.
func (t *targetLayer) set(st *faultLayerState) {
	if !st.disabled && len(st.up) == 0 && len(st.down) == 0 {
		st = nil
	}
	old := t.state.Swap(st)
	if old != nil {
		close(old.changed)
	}
	t.mu.Lock()
	conns := make([]*faultConn, 0, len(t.conns))
	for c := range t.conns {
		conns = append(conns, c)
	}
	t.mu.Unlock()
	for _, c := range conns {
		c.stateChanged(old, st)
	}
}

func (t *targetLayer) add(c *faultConn) {
	t.mu.Lock()
	t.conns[c] = struct{}{}
	t.mu.Unlock()
}

func (t *targetLayer) remove(c *faultConn) {
	t.mu.Lock()
	delete(t.conns, c)
	t.mu.Unlock()
}

// dial connects to the server's own address, wherever it is now; addr (the
// proxy's, which clients are configured with) is ignored. A disabled proxy
// refuses, as Toxiproxy's closed listener does.
func (t *targetLayer) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	return t.dialAddr(ctx, network, t.addr())
}

// dialAddr is dial to a given address: a Sentinel-managed Redis, whose
// client dials whichever Sentinel or node it is told (external_sentinel.go).
func (t *targetLayer) dialAddr(ctx context.Context, network, target string) (net.Conn, error) {
	if st := t.state.Load(); st != nil && st.disabled {
		return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("connection refused: the %s proxy is down (fault)", t.name)}
	}
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", target)
	if err != nil {
		return nil, err
	}
	if tc, ok := raw.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	c := &faultConn{Conn: raw, t: t, seed: rand.Uint64(), done: make(chan struct{})}
	t.add(c)
	// A fault set while dialling applies too.
	c.stateChanged(nil, t.state.Load())
	return c, nil
}

// Dial is the dial function of a target, for Info: nil when the target has
// no proxy (then there is no fault to feel and clients use the DSN).
func (fl *faultLayer) dialFunc(target string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if fl == nil || fl.targets[target] == nil {
		return nil
	}
	return fl.targets[target].dial
}

// closeAll closes every connection of the layer (the lab is closing).
func (fl *faultLayer) closeAll() {
	if fl == nil {
		return
	}
	for _, t := range fl.targets {
		t.mu.Lock()
		conns := make([]*faultConn, 0, len(t.conns))
		for c := range t.conns {
			conns = append(conns, c)
		}
		t.mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	}
}

// pqDialer adapts a Dial func to lib/pq's Dialer interfaces.
type pqDialer func(ctx context.Context, network, addr string) (net.Conn, error)

func (d pqDialer) Dial(network, addr string) (net.Conn, error) {
	return d(context.Background(), network, addr)
}

func (d pqDialer) DialTimeout(network, addr string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d(ctx, network, addr)
}

func (d pqDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return d(ctx, network, addr)
}

// OpenDB opens a database handle on this PostgreSQL: through Dial (the
// lab's fault layer) when set, else through the DSN's address.
func (p PostgresInfo) OpenDB() (*sql.DB, error) {
	if p.Dial == nil {
		return sql.Open("postgres", p.DSN())
	}
	c, err := pq.NewConnector(p.DSN())
	if err != nil {
		return nil, err
	}
	c.Dialer(pqDialer(p.Dial))
	return sql.OpenDB(c), nil
}
