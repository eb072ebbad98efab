package demo

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// RenewableClient is a go-redis client whose connection pool can be
// replaced while services keep holding it.
//
// Why: after PoolSize failed dials in a row, go-redis stops dialing and
// answers every command with the last dial error until a background probe,
// run once a second, gets through. A lesson that heals Redis and at once
// calls GetFeed would then show "connection refused" for up to a second
// (longer if nothing asks again), and the learner would miss the point: the
// read succeeds and the post is missing. Renew gives the client a fresh pool
// with the same options (go-redis defaults and all), as an app whose pool
// was just made would have; commands already running finish on the old one.
//
// The front client (the embedded *redis.Client, which services hold) never
// dials: a hook sends every command and pipeline to the current back
// client. Transactions (MULTI/EXEC pipelines), which no lesson path uses,
// run on the front client's own pool.
type RenewableClient struct {
	*redis.Client
	opts redis.Options
	// mk makes each pool: redis.NewClient, or on the ha topology a
	// FailoverClient, so that a renewed pool asks the Sentinels again
	// where the primary is instead of dialing a fixed address.
	mk func(*redis.Options) *redis.Client

	back    atomic.Pointer[redis.Client]
	mu      sync.Mutex
	retired []*redis.Client // replaced backs, closed a while later or on Close
	renews  atomic.Int64
}

// retireAfter is how long a replaced pool stays open for the commands still
// running on it: longer than a seed ZADD can take (4 attempts under a 5 s
// read timeout would be 20 s; a dead proxy fails far sooner).
const retireAfter = 30 * time.Second

// NewRenewableClient makes a client with opts (copied).
func NewRenewableClient(opts *redis.Options) *RenewableClient {
	return newRenewable(opts, redis.NewClient)
}

func newRenewable(opts *redis.Options, mk func(*redis.Options) *redis.Client) *RenewableClient {
	r := &RenewableClient{opts: *opts, mk: mk}
	r.back.Store(mk(r.options()))
	r.Client = redis.NewClient(r.options())
	r.Client.AddHook(renewHook{r})
	return r
}

func (r *RenewableClient) options() *redis.Options {
	o := r.opts
	return &o
}

// Options are the options every pool of this client is made with: the seed
// client's, so PoolSize is go-redis's default (10 per GOMAXPROCS) unless
// the caller set it.
func (r *RenewableClient) Options() *redis.Options { return r.back.Load().Options() }

// PoolStats are the current pool's counters.
func (r *RenewableClient) PoolStats() *redis.PoolStats { return r.back.Load().PoolStats() }

// Renew replaces the pool. It returns at once: nothing is dialled until the
// next command.
func (r *RenewableClient) Renew() {
	old := r.back.Swap(r.mk(r.options()))
	r.renews.Add(1)
	r.mu.Lock()
	r.retired = append(r.retired, old)
	r.mu.Unlock()
	time.AfterFunc(retireAfter, func() { r.retire(old) })
}

// Renewals counts the calls to Renew.
func (r *RenewableClient) Renewals() int64 { return r.renews.Load() }

func (r *RenewableClient) retire(c *redis.Client) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, x := range r.retired {
		if x == c {
			r.retired = append(r.retired[:i], r.retired[i+1:]...)
			_ = c.Close()
			return
		}
	}
}

// Close closes every pool.
func (r *RenewableClient) Close() error {
	r.mu.Lock()
	old := r.retired
	r.retired = nil
	r.mu.Unlock()
	for _, c := range old {
		_ = c.Close()
	}
	err := r.back.Load().Close()
	if e := r.Client.Close(); err == nil {
		err = e
	}
	return err
}

// renewHook sends the front client's commands to the current back client.
type renewHook struct{ r *RenewableClient }

func (h renewHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h renewHook) ProcessHook(redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		return h.r.back.Load().Process(ctx, cmd)
	}
}

func (h renewHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) > 0 && strings.EqualFold(cmds[0].Name(), "multi") {
			return next(ctx, cmds)
		}
		pipe := h.r.back.Load().Pipeline()
		for _, c := range cmds {
			_ = pipe.Process(ctx, c)
		}
		_, err := pipe.Exec(ctx)
		return err
	}
}
