package demo

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

var budgetedInfo = PolicyInfo{Name: PolicyBudgeted,
	Summary: "ZADD under a deadline and a breaker; failures mark it dirty",
	make: func(s *PostService, env policyEnv) Policy {
		return &budgetedPolicy{basePolicy{s}, newBudgeted(s, env, nil)}
	}}

// budgetedPolicy bounds the Redis step by a deadline and a circuit breaker,
// and marks the author of every write whose ZADD failed or was skipped as
// dirty, for the reconciler.
type budgetedPolicy struct {
	basePolicy
	b *budgeted
}

func (*budgetedPolicy) Name() PolicyName { return PolicyBudgeted }

func (p *budgetedPolicy) Status(context.Context) PolicyStatus {
	st := p.b.br.State()
	return PolicyStatus{Name: PolicyBudgeted, Summary: "budgeted · breaker " + st, Breaker: st, Pending: -1}
}

func (p *budgetedPolicy) project(ctx context.Context, post Post, member []byte, _ bool) error {
	return p.b.zadd(ctx, p.s, post, member)
}

func (p *budgetedPolicy) projectionFailed(_ context.Context, post Post, _ bool, _ error) error {
	p.s.markDirty(post.AuthorID)
	return nil
}

// start runs the background repair of the ZADDs the request path missed.
func (p *budgetedPolicy) start(ctx context.Context) { go p.b.rep.run(ctx) }

// catchUp sends every missed ZADD still queued.
func (p *budgetedPolicy) catchUp(ctx context.Context) error { return p.b.rep.drain(ctx) }

func (p *budgetedPolicy) projection() redis.UniversalClient { return p.b.client }
func (p *budgetedPolicy) breaker() *Breaker                 { return p.b.br }
func (p *budgetedPolicy) close() error                      { return p.b.close() }

// budgeted is the Redis step under a budget, shared by the budgeted and
// outbox policies: its own client (NewBudgetedClient), its breaker, its
// deadline.
type budgeted struct {
	client   redis.UniversalClient
	br       *Breaker
	deadline time.Duration
	own      bool // the client was made here and is closed here
	// rep re-sends, batched and in the background, every ZADD that zadd
	// missed (see repairer). It writes with the service's plain client: the
	// breaker guards requests, and must not stop the repair of what it
	// skipped.
	rep *repairer
}

// newBudgeted makes the budgeted Redis step for s: the caller's client and
// breaker when Options give them, else a client of its own when the service
// knows the lab's address, else the service's plain client behind a breaker
// of its own.
func newBudgeted(s *PostService, env policyEnv, done func([]string)) *budgeted {
	bg := newBudgetedStep(s, env)
	bg.rep = newRepairer(s.rdb, done)
	return bg
}

func newBudgetedStep(s *PostService, env policyEnv) *budgeted {
	b := s.opts.Budget // defaults applied once, by NewPostService
	switch {
	case s.opts.Projection != nil:
		br := s.opts.Breaker
		if br == nil {
			br = newBreaker(b)
		}
		return &budgeted{client: s.opts.Projection, br: br, deadline: b.Deadline}
	case env.redisAddr != "":
		c, br := newBudgetedClient(env.redisAddr, env.redisPassword, env.redisDial, env.sentinels, env.cluster, b)
		if rc, ok := c.(*redis.Client); ok && s.opts.RedisWait.Replicas > 0 { // not on a cluster (redis_cluster.go)
			rc.AddHook(s.opts.RedisWait.Hook(rc))
		}
		return &budgeted{client: c, br: br, deadline: b.Deadline, own: true}
	default:
		return &budgeted{client: s.rdb, br: newBreaker(b), deadline: b.Deadline}
	}
}

func (b *budgeted) zadd(ctx context.Context, s *PostService, post Post, member []byte) error {
	zctx, cancel := context.WithTimeout(ctx, b.deadline)
	defer cancel()
	err := b.br.Do(func() error { return s.zadd(zctx, b.client, post, member) })
	if err != nil && b.rep != nil {
		b.rep.owe(s.FeedKey(post.AuthorID), redis.Z{Score: float64(post.PublishedAt.UnixMilli()), Member: member}, post.ID)
	}
	return err
}

func (b *budgeted) close() error {
	if b.own {
		return b.client.Close()
	}
	return nil
}
