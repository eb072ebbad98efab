package lab

import (
	"errors"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// faultConn is one engine connection to a server's own address. With no
// fault in force it is the socket plus one atomic load per call. Under a
// toxic it does what Toxiproxy's link would do to the same bytes, as the
// toxic's kind declares it in the registry (connEffect, fault_kinds.go):
// data held for a delay and handed over in chunks (latency, bandwidth),
// dropped while the connection is held (timeout), the connection reset
// when data arrives (reset_peer), its close delayed (slow_close). A
// disabled proxy (down) closes open connections and refuses new ones. No
// code here names a kind.
//
// Toxicity is drawn per connection and toxic, as Toxiproxy draws it per
// link. Toxic types no kind declares (slicer, limit_data, added through
// the API) never reach here: they shape bytes, not the lesson's faults,
// and still apply to clients that go through the proxy.
type faultConn struct {
	net.Conn
	t    *targetLayer
	seed uint64

	readDeadline  atomic.Int64 // unix nanos, 0 for none
	writeDeadline atomic.Int64

	// pending is data read from the server and not yet handed over (held
	// by a latency toxic), and when it arrived. Only Read touches them.
	pending   []byte
	pendingAt time.Time
	buf       []byte

	closeOnce sync.Once
	done      chan struct{}
	// closedErr is what Read and Write return once the layer closed the
	// connection (io.EOF, or a reset).
	closedErr atomic.Pointer[error]
}

var errConnReset = &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}

// applies draws whether a toxic of this toxicity applies to this
// connection, the same answer every time.
func (c *faultConn) applies(s toxicSpec) bool {
	if s.toxicity >= 1 {
		return true
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(s.name))
	r := rand.New(rand.NewPCG(c.seed, h.Sum64()))
	return r.Float32() < s.toxicity
}

// first returns the first toxic of list that applies to this connection
// and whose effect has what want asks for.
func (c *faultConn) first(list []toxicSpec, want func(e *connEffect) bool) (toxicSpec, bool) {
	for _, s := range list {
		if want(s.eff) && c.applies(s) {
			return s, true
		}
	}
	return toxicSpec{}, false
}

func drops(e *connEffect) bool       { return e.drop }
func resets(e *connEffect) bool      { return e.resetAfter != nil }
func delaysClose(e *connEffect) bool { return e.closeDelay != nil }

// shape is when a chunk that arrived at at may be handed over, and how many
// of its bytes (at most limit), under every shaping toxic of list.
func (c *faultConn) shape(list []toxicSpec, at time.Time, n, limit int) (time.Time, int) {
	for _, s := range list {
		if s.eff.chunk != nil && c.applies(s) {
			limit = min(limit, max(s.eff.chunk(s.f), 1))
		}
	}
	n = min(n, limit)
	for _, s := range list {
		if s.eff.delay != nil && c.applies(s) {
			at = at.Add(s.eff.delay(s.f, n))
		}
	}
	return at, limit
}

// stateChanged applies what a change of faults does to an open connection
// at once: a disabled proxy closes it, a healed timeout closes the
// connections it held, a timeout with a limit closes it after that long.
func (c *faultConn) stateChanged(old, cur *faultLayerState) {
	if cur != nil && cur.disabled {
		c.kill(io.EOF, false)
		return
	}
	held := func(st *faultLayerState) (toxicSpec, bool) {
		if st == nil {
			return toxicSpec{}, false
		}
		if s, ok := c.first(st.down, drops); ok {
			return s, true
		}
		return c.first(st.up, drops)
	}
	was, wasHeld := held(old)
	now, nowHeld := held(cur)
	if wasHeld && !nowHeld {
		c.kill(io.EOF, false)
		return
	}
	after := func(s toxicSpec) time.Duration {
		if s.eff == nil || s.eff.closeAfter == nil {
			return 0
		}
		return s.eff.closeAfter(s.f)
	}
	if d := after(now); nowHeld && d > 0 && (!wasHeld || was.name != now.name || after(was) != d) {
		time.AfterFunc(d, func() {
			if s, ok := held(c.t.state.Load()); ok && s.name == now.name {
				c.kill(io.EOF, false)
			}
		})
	}
}

// kill closes the connection for the layer: later calls return err; reset
// sends an RST to the server, as a reset_peer toxic does.
func (c *faultConn) kill(err error, reset bool) {
	c.closedErr.CompareAndSwap(nil, &err)
	if reset {
		if tc, ok := c.Conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
	}
	_ = c.Close()
}

func (c *faultConn) killed() error {
	if p := c.closedErr.Load(); p != nil {
		return *p
	}
	return nil
}

// Read hands over the server's data, held or dropped as the faults say.
func (c *faultConn) Read(p []byte) (int, error) {
	if c.t.state.Load() == nil && len(c.pending) == 0 {
		n, err := c.Conn.Read(p)
		if err != nil {
			if kerr := c.killed(); kerr != nil {
				err = kerr
			}
		}
		return n, err
	}
	return c.readFaulty(p)
}

func (c *faultConn) readFaulty(p []byte) (int, error) {
	for {
		if err := c.killed(); err != nil {
			return 0, err
		}
		if len(c.pending) == 0 {
			if cap(c.buf) < len(p) {
				c.buf = make([]byte, max(len(p), 4096))
			}
			n, err := c.Conn.Read(c.buf[:len(p)])
			if n == 0 {
				if kerr := c.killed(); kerr != nil {
					return 0, kerr
				}
				if errors.Is(err, io.EOF) {
					if st := c.t.state.Load(); st != nil {
						if s, ok := c.first(st.down, delaysClose); ok {
							c.waitUntil(time.Now().Add(s.eff.closeDelay(s.f)), st.changed, 0)
						}
					}
				}
				return 0, err
			}
			c.pending, c.pendingAt = c.buf[:n], time.Now()
		}
		st := c.t.state.Load()
		if st == nil {
			return c.hand(p, len(p)), nil
		}
		if _, ok := c.first(st.down, drops); ok {
			c.pending = nil // dropped on the floor, as Toxiproxy drops it
			continue
		}
		if s, ok := c.first(st.down, resets); ok {
			if c.waitUntil(time.Now().Add(s.eff.resetAfter(s.f)), st.changed, 0) == waitChanged {
				continue
			}
			c.kill(errConnReset, true)
			return 0, errConnReset
		}
		at, limit := c.shape(st.down, c.pendingAt, len(c.pending), len(p))
		switch c.waitUntil(at, st.changed, c.readDeadline.Load()) {
		case waitChanged:
			continue
		case waitDeadline:
			// The reply stays held; the caller's deadline passed first.
			return 0, os.ErrDeadlineExceeded
		case waitClosed:
			continue
		}
		c.pendingAt = at
		return c.hand(p, limit), nil
	}
}

func (c *faultConn) hand(p []byte, limit int) int {
	n := copy(p[:min(len(p), limit)], c.pending)
	c.pending = c.pending[n:]
	return n
}

type waitResult int

const (
	waitDone waitResult = iota
	waitChanged
	waitDeadline
	waitClosed
)

// waitUntil sleeps until at, unless the faults change, the connection is
// closed or the deadline (unix nanos, 0 for none) passes first.
func (c *faultConn) waitUntil(at time.Time, changed <-chan struct{}, deadline int64) waitResult {
	d := time.Until(at)
	res := waitDone
	if deadline != 0 {
		if dl := time.Until(time.Unix(0, deadline)); dl < d {
			d, res = dl, waitDeadline
		}
	}
	if d <= 0 {
		return res
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return res
	case <-changed:
		return waitChanged
	case <-c.done:
		return waitClosed
	}
}

// Write sends the client's data, held or dropped as the faults say.
func (c *faultConn) Write(p []byte) (int, error) {
	st := c.t.state.Load()
	if st == nil {
		return c.Conn.Write(p)
	}
	for {
		if err := c.killed(); err != nil {
			return 0, err
		}
		if _, ok := c.first(st.up, drops); ok {
			return len(p), nil // dropped on the floor
		}
		if s, ok := c.first(st.up, resets); ok {
			if c.waitUntil(time.Now().Add(s.eff.resetAfter(s.f)), st.changed, 0) == waitChanged {
				st = c.t.state.Load()
				if st == nil {
					return c.Conn.Write(p)
				}
				continue
			}
			c.kill(errConnReset, true)
			return len(p), nil // the client learns on its next read
		}
		at, _ := c.shape(st.up, time.Now(), len(p), len(p))
		switch c.waitUntil(at, st.changed, c.writeDeadline.Load()) {
		case waitChanged:
			st = c.t.state.Load()
			if st == nil {
				return c.Conn.Write(p)
			}
			continue
		case waitDeadline:
			return 0, os.ErrDeadlineExceeded
		}
		return c.Conn.Write(p)
	}
}

// Close closes the socket (later, under an upstream slow_close).
func (c *faultConn) Close() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.done)
		c.t.remove(c)
		if st := c.t.state.Load(); st != nil && c.killed() == nil {
			if s, ok := c.first(st.up, delaysClose); ok {
				time.AfterFunc(s.eff.closeDelay(s.f), func() { _ = c.Conn.Close() })
				return
			}
		}
		err = c.Conn.Close()
	})
	return err
}

func (c *faultConn) SetDeadline(t time.Time) error {
	c.readDeadline.Store(unixNano(t))
	c.writeDeadline.Store(unixNano(t))
	return c.Conn.SetDeadline(t)
}

func (c *faultConn) SetReadDeadline(t time.Time) error {
	c.readDeadline.Store(unixNano(t))
	return c.Conn.SetReadDeadline(t)
}

func (c *faultConn) SetWriteDeadline(t time.Time) error {
	c.writeDeadline.Store(unixNano(t))
	return c.Conn.SetWriteDeadline(t)
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// SyscallConn exposes the socket for a client's liveness check of an idle
// connection: go-redis peeks at a pooled connection's socket before it
// hands the connection out (connCheck), and skips the check for a net.Conn
// that is not a syscall.Conn. Without this, a connection the layer closed
// ("down" closes every open one) looked healthy in the pool and failed on
// its next command: after Redis came back, each half-open probe of the
// budgeted policy's breaker drew one of the dozens of dead idle
// connections, failed, and reopened the breaker for another cool-down
// (issue 16). A socket the layer closed answers the check with an error,
// as one the proxy closed answers it with EOF, and is discarded.
func (c *faultConn) SyscallConn() (syscall.RawConn, error) {
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return nil, errors.New("fault layer: the socket exposes no file descriptor")
	}
	return sc.SyscallConn()
}
