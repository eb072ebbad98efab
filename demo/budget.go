package demo

import (
	"context"
	"errors"
	"sync"
	"time"

	"cqrslab/demo/lab"

	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

// NewBudgetedClient makes the Redis client of the budgeted and outbox
// policies. go-redis's defaults suit a cache that may wait (5 s timeouts,
// three retries, a pool of 10 per CPU); a projection written inside a user's
// request may not. So: context deadlines cut socket reads
// (ContextTimeoutEnabled, off by default), every timeout is the deadline,
// retries are explicit, and the returned circuit breaker (Breaker.Do, around
// each ZADD of the request path) makes an unhealthy Redis cost nothing at
// all once it is open.
func NewBudgetedClient(addr, password string, b Budget) (*redis.Client, *Breaker) {
	c, br := newBudgetedClient(addr, password, nil, sentinelTarget{}, nil, b.withDefaults())
	return c.(*redis.Client), br
}

// newBudgetedClient is NewBudgetedClient for a budget whose defaults are
// already applied.
func newBudgetedClient(addr, password string, dial lab.DialFunc, s sentinelTarget, c clusterTarget, b Budget) (redis.UniversalClient, *Breaker) {
	retries := b.MaxRetries
	if retries == 0 {
		retries = -1 // go-redis reads 0 as "default (3)"; -1 is none
	}
	rdb := newProjectionReload(&redis.Options{
		Addr:                  addr,
		Password:              password,
		ContextTimeoutEnabled: true,
		DialTimeout:           max(b.Deadline, 250*time.Millisecond), // a fresh connection may need more than one write's budget
		ReadTimeout:           b.Deadline,
		WriteTimeout:          b.Deadline,
		PoolTimeout:           b.Deadline,
		PoolSize:              b.PoolSize,
		MinIdleConns:          min(8, b.PoolSize),
		MaxRetries:            retries,
		Dialer:                dial, // nil: go-redis dials Addr
	}, s, c, budgetedSlotReload)
	return rdb, newBreaker(b)
}

// Breaker is a circuit breaker around the projection writes of the request
// path (see Do).
type Breaker struct {
	cb *gobreaker.CircuitBreaker[struct{}]

	mu      sync.Mutex
	changes []string
}

// ErrBreakerOpen is returned, at once, for commands refused by an open
// breaker.
var ErrBreakerOpen = errors.New("redis circuit breaker open: ZADD skipped")

func newBreaker(b Budget) *Breaker {
	br := &Breaker{}
	br.cb = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        "redis",
		MaxRequests: 1, // one probe when half-open
		Timeout:     b.BreakerCooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= b.BreakerFailures },
		// redis.Nil is an answer, not a failure; a cancelled caller says
		// nothing about Redis's health.
		IsSuccessful: func(err error) bool {
			return err == nil || errors.Is(err, redis.Nil) || errors.Is(err, context.Canceled)
		},
		OnStateChange: func(_ string, from, to gobreaker.State) {
			br.mu.Lock()
			br.changes = append(br.changes, from.String()+"→"+to.String())
			br.mu.Unlock()
		},
	})
	return br
}

// State is "closed", "open" or "half-open".
func (b *Breaker) State() string { return b.cb.State().String() }

// Changes lists the state changes so far ("closed→open", ...).
func (b *Breaker) Changes() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.changes...)
}

// Do runs fn, one projection write of the request path, through the
// breaker: at once ErrBreakerOpen while the breaker is open (or while its
// one half-open probe is in flight), else fn's error, counted.
//
// The breaker wraps the policy's own call, not the client's commands (it
// was a go-redis hook until issue 16): go-redis v9.23 gives the connection
// it sets up a copy of the client's hooks, so the HELLO/AUTH/CLIENT SETINFO
// of every new connection went through the breaker too. After Redis dropped
// its connections, the half-open probe needed a new connection, whose HELLO
// was a second request that half-open (one request at a time) refused; the
// probe failed, the breaker reopened, and it never closed again. Guarding the
// ZADD itself counts exactly what the policy cares about, whatever the
// client does underneath. A nil breaker runs fn unguarded.
//
// A probe is only honest if it meets a live connection. After a "down"
// fault the pool was full of connections the lab's fault layer had closed,
// which go-redis's liveness check on Get could not see (it peeks at the
// socket only of a net.Conn that is a syscall.Conn); at 2,000 writes/s the
// pool held ~40 of them, each probe drew one, failed and reopened the
// breaker, so it stayed open for ~40 cool-downs. The fault layer's
// connections now expose their socket (lab's faultConn.SyscallConn), so a
// dead one is discarded on Get and the probe dials afresh. go-redis's own
// dial breaker (after PoolSize failed dials, Get returns the last dial error
// until a background dial, retried each second, succeeds) can still fail
// one probe in the second after the heal; the next cool-down's probe then
// succeeds, which TestBreakerClosesAfterRedisReturns bounds.
func (b *Breaker) Do(fn func() error) error {
	if b == nil {
		return fn()
	}
	_, err := b.cb.Execute(func() (struct{}, error) { return struct{}{}, fn() })
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return ErrBreakerOpen
	}
	return err
}
