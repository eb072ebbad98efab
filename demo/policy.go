package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cqrslab/demo/lab"

	"github.com/redis/go-redis/v9"
)

// PolicyName names a write policy: what CreatePost does about the Redis step.
type PolicyName string

const (
	// PolicySeed is exactly the seed lesson: INSERT, then ZADD with no
	// deadline of its own; on failure a warning and success.
	PolicySeed PolicyName = "seed"
	// PolicyBudgeted bounds the ZADD by a deadline and a circuit breaker;
	// a failed or skipped ZADD marks the author dirty for the reconciler.
	PolicyBudgeted PolicyName = "budgeted"
	// PolicyOutbox writes the post and an outbox row in one transaction;
	// the ZADD follows the commit, and a relay retries rows left pending
	// (a crash between the two writes included).
	PolicyOutbox PolicyName = "outbox"
)

// Policy is one write policy: what CreatePost does around the Redis step,
// and whatever it owns to do it (a budgeted client and its breaker, an
// outbox relay). A PostService makes its policy, starts the policy's
// background work and stops it on Close, so front ends never need to know
// which policy needs what: they list Registry and show Status.
//
// The engine's side of the interface is unexported: a policy is written in
// this package, one file each, and registered in Registry.
type Policy interface {
	// Name is the policy's registry name.
	Name() PolicyName
	// Status is what front ends show about the policy right now. It may
	// read the stores (the outbox counts its pending rows).
	Status(ctx context.Context) PolicyStatus

	// insert commits the post: its success is the commit point.
	insert(ctx context.Context, p Post) (Post, bool, error)
	// project is the Redis step.
	project(ctx context.Context, p Post, member []byte, existing bool) error
	// projectionFailed runs after a failed Redis step. A nil return keeps
	// the seed's promise (the post is committed, the call succeeds); an
	// error is returned to the caller instead.
	projectionFailed(ctx context.Context, p Post, existing bool, zerr error) error
	// start begins the policy's background work, which ends with ctx.
	start(ctx context.Context)
	// catchUp does now, synchronously, the work the background would do
	// eventually (the outbox relays every pending row).
	catchUp(ctx context.Context) error
	// projection is the client the Redis step writes with (pool stats).
	projection() redis.UniversalClient
	// breaker is the policy's circuit breaker, or nil.
	breaker() *Breaker
	// close releases what the policy owns (its own Redis client).
	close() error
}

// PolicyStatus is a policy's state as every front end shows it: one line,
// plus the fields behind it for those that want them.
type PolicyStatus struct {
	Name PolicyName `json:"name"`
	// Summary is one line: the name and what matters now ("budgeted ·
	// breaker open", "outbox · 12 rows pending").
	Summary string `json:"summary"`
	// Breaker is the breaker's state; empty for policies without one.
	Breaker string `json:"breaker,omitempty"`
	// Pending is the outbox rows awaiting the relay; -1 for policies
	// without an outbox.
	Pending int `json:"pending"`
	// Err is why part of the status could not be read.
	Err error `json:"-"`
}

// PolicyInfo is one entry of the registry: what front ends list.
type PolicyInfo struct {
	Name PolicyName
	// Summary is one line on what the policy does on the Redis step.
	Summary string
	make    func(s *PostService, env policyEnv) Policy
}

// policyEnv is what a policy may use when it is made: the service's
// options and, when the service was made from a lab's Stores, how to open
// a Redis client of its own.
type policyEnv struct {
	redisAddr, redisPassword string
	// redisDial reaches the server itself through the lab's fault layer
	// (nil: dial redisAddr, the proxy), so a policy's own client pays the
	// same hops as the service's plain one.
	redisDial lab.DialFunc
	// sentinels, on the ha topology, make a policy's own client a
	// FailoverClient too.
	sentinels sentinelTarget
	// cluster, on the cluster topology, makes it a ClusterClient.
	cluster clusterTarget
}

// Registry lists the write policies in the order the lesson introduces
// them. Adding a policy is its own file and one line here.
var Registry = []PolicyInfo{
	seedInfo,
	budgetedInfo,
	outboxInfo,
	rollbackInfo,
}

// Policies lists the registry's names, in order.
var Policies = func() []PolicyName {
	out := make([]PolicyName, len(Registry))
	for i, p := range Registry {
		out[i] = p.Name
	}
	return out
}()

// LookupPolicy finds a policy's registry entry.
func LookupPolicy(name PolicyName) (PolicyInfo, bool) {
	for _, p := range Registry {
		if p.Name == name {
			return p, true
		}
	}
	return PolicyInfo{}, false
}

// PolicyList is the registry's names joined for help text: "seed,
// budgeted, outbox" (sep ", "), "seed|budgeted|outbox" (sep "|").
func PolicyList(sep string) string {
	names := make([]string, len(Policies))
	for i, p := range Policies {
		names[i] = string(p)
	}
	return strings.Join(names, sep)
}

// ParsePolicy turns a flag value into a PolicyName, naming the choices when
// it is not one.
func ParsePolicy(s string) (PolicyName, error) {
	for _, p := range Policies {
		if strings.EqualFold(s, string(p)) {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown policy %q: use one of %s", s, PolicyList(", "))
}

// ErrRolledBack is in the error a policy returns when it undid the commit
// because the projection failed: the caller is told the write failed
// although PostgreSQL had it. Experiments count these writes apart, as the
// price of that choice.
var ErrRolledBack = errors.New("post deleted again after the Redis step failed")

// Budget configures the budgeted policy's Redis client and breaker. Zero
// fields take the defaults below, chosen for the lesson's 500 writes/s: a
// deadline well under the lesson's 50 ms spike (yet loose enough for a busy laptop) so a slow Redis costs each write at
// most the deadline, and a pool large enough that writes in flight
// (rate × deadline ≈ 10) never wait for a connection.
type Budget struct {
	// Deadline bounds each ZADD, connection wait included (default 20ms).
	Deadline time.Duration
	// PoolSize is the Redis connection pool size (default 64).
	PoolSize int
	// MaxRetries for a failed ZADD (default 0: a retry would break the
	// deadline; the reconciler repairs instead).
	MaxRetries int
	// BreakerFailures is how many consecutive failures open the breaker
	// (default 5).
	BreakerFailures uint32
	// BreakerCooldown is how long the breaker stays open before a probe
	// (default 1s).
	BreakerCooldown time.Duration
}

func (b Budget) withDefaults() Budget {
	if b.Deadline <= 0 {
		b.Deadline = 20 * time.Millisecond
	}
	if b.PoolSize <= 0 {
		b.PoolSize = 64
	}
	if b.BreakerFailures == 0 {
		b.BreakerFailures = 5
	}
	if b.BreakerCooldown <= 0 {
		b.BreakerCooldown = time.Second
	}
	return b
}

// basePolicy is what a policy does unless it says otherwise: the seed's
// INSERT, success after a failed projection, no background work, the
// service's plain client, no breaker.
type basePolicy struct{ s *PostService }

func (b basePolicy) insert(ctx context.Context, p Post) (Post, bool, error) {
	return b.s.insert(ctx, p)
}
func (basePolicy) projectionFailed(context.Context, Post, bool, error) error { return nil }
func (basePolicy) start(context.Context)                                     {}
func (basePolicy) catchUp(context.Context) error                             { return nil }
func (b basePolicy) projection() redis.UniversalClient                       { return b.s.rdb }
func (basePolicy) breaker() *Breaker                                         { return nil }
func (basePolicy) close() error                                              { return nil }

// zadd is the Redis step's command, shared by the policies.
func (s *PostService) zadd(ctx context.Context, c redis.UniversalClient, p Post, member []byte) error {
	return c.ZAdd(ctx, s.FeedKey(p.AuthorID), redis.Z{Score: float64(p.PublishedAt.UnixMilli()), Member: member}).Err()
}
