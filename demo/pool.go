package demo

import (
	"time"

	"github.com/redis/go-redis/v9"
)

// Pool is a Redis client's connection pool, as the lesson's Little's-law
// arithmetic needs it. Front ends get it from the engine, never from
// go-redis's options themselves.
type Pool struct {
	Size    int           // connections
	Timeout time.Duration // how long a write waits for one before failing
	Live    bool          // read from a running lab's client, not the default
}

// DefaultPool is the pool go-redis gives a client with default options in
// this process (it grows with GOMAXPROCS), read from a client go-redis
// builds rather than recomputed here, so a new go-redis default shows. The
// client never dials: go-redis connects on first use.
func DefaultPool() Pool {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:0"})
	defer rdb.Close()
	o := rdb.Options()
	return Pool{Size: o.PoolSize, Timeout: o.PoolTimeout}
}

// Pool is the pool of the client the renewable client serves through.
func (r *RenewableClient) Pool() Pool {
	o := r.Options()
	return Pool{Size: o.PoolSize, Timeout: o.PoolTimeout, Live: true}
}

// ProjectionPool is the pool of the client this service's policy writes
// the feed through (the stores' plain client under seed and rollback, the
// policy's own under budgeted and outbox), so a load beside it can be run
// at the same concurrency.
func (s *PostService) ProjectionPool() Pool { return ClientPool(s.policy.projection()) }

// ClientPool is c's connection pool as configured (for a cluster client,
// per node).
func ClientPool(c redis.UniversalClient) Pool {
	switch c := c.(type) {
	case *redis.Client:
		o := c.Options()
		return Pool{Size: o.PoolSize, Timeout: o.PoolTimeout, Live: true}
	case *redis.ClusterClient:
		o := c.Options()
		return Pool{Size: o.PoolSize, Timeout: o.PoolTimeout, Live: true}
	}
	return Pool{}
}
