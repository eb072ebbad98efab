package demo

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

// NewBudgetedClient makes the Redis client of the budgeted and outbox
// policies. go-redis's defaults suit a cache that may wait (5 s timeouts,
// three retries, a pool of 10 per CPU); a projection written inside a user's
// request may not. So: context deadlines cut socket reads
// (ContextTimeoutEnabled, off by default), every timeout is the deadline,
// retries are explicit, and a circuit breaker wraps every command so that an
// unhealthy Redis costs nothing at all once the breaker is open.
func NewBudgetedClient(addr, password string, b Budget) (*redis.Client, *Breaker) {
	b = b.withDefaults()
	retries := b.MaxRetries
	if retries == 0 {
		retries = -1 // go-redis reads 0 as "default (3)"; -1 is none
	}
	rdb := redis.NewClient(&redis.Options{
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
	})
	br := newBreaker(b)
	rdb.AddHook(br)
	return rdb, br
}

// Breaker is a circuit breaker around Redis commands, as a go-redis hook.
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

// DialHook implements redis.Hook.
func (b *Breaker) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

// ProcessHook implements redis.Hook: every command goes through the breaker.
func (b *Breaker) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		_, err := b.cb.Execute(func() (struct{}, error) { return struct{}{}, next(ctx, cmd) })
		if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
			cmd.SetErr(ErrBreakerOpen)
			return ErrBreakerOpen
		}
		return err
	}
}

// ProcessPipelineHook implements redis.Hook: a pipeline counts as one call.
func (b *Breaker) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		_, err := b.cb.Execute(func() (struct{}, error) { return struct{}{}, next(ctx, cmds) })
		if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
			return ErrBreakerOpen
		}
		return err
	}
}
