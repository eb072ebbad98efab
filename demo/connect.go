package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"time"

	"cqrslab/demo/lab"

	_ "github.com/lib/pq" // PostgreSQL driver
	"github.com/redis/go-redis/v9"
)

// Stores are open connections to a lab's two databases.
type Stores struct {
	PG    *sql.DB
	Redis redis.UniversalClient
	Info  lab.Info

	services []*PostService          // made by Service, closed with the stores
	clients  []*RenewableClient      // made by RenewableRedis, closed with the stores
	raw      []redis.UniversalClient // made by RawRedis, closed with the stores
}

// Connect opens both stores of a running lab, checks that they answer, and
// applies the schema. The Redis client keeps the seed's behaviour (go-redis
// defaults, no deadline of its own); policies that need budgets configure
// their own client.
func Connect(ctx context.Context, info lab.Info) (*Stores, error) {
	// In the process that started the lab, Dial reaches the servers
	// themselves through the lab's fault layer (no proxy hop, faults still
	// felt); elsewhere the DSN leads through the lab's proxy.
	db, err := info.Postgres.OpenDB()
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, connectWindow)
	defer cancel()
	began := time.Now()
	if tries, err := pingPG(pctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres at %s:%d does not answer (%d %s in %.1f s): %w", info.Postgres.Host,
			info.Postgres.Port, tries, plural(tries, "try", "tries"), time.Since(began).Seconds(), err)
	}
	if err := ApplySchema(pctx, db, info.Postgres.Schema); err != nil {
		db.Close()
		return nil, err
	}
	rdb := newProjection(&redis.Options{Addr: info.Redis.Addr, Password: info.Redis.Password,
		Dialer: redisDial(info.Redis)}, sentinelTarget{info.Redis.Sentinels, info.Redis.MasterName},
		clusterTarget(info.Redis.Cluster))
	if err := rdb.Ping(pctx).Err(); err != nil {
		db.Close()
		rdb.Close()
		return nil, fmt.Errorf("redis at %s does not answer: %w", info.Redis.Addr, err)
	}
	return &Stores{PG: db, Redis: rdb, Info: info}, nil
}

// connectWindow bounds Connect's checks that both stores answer. It holds
// three of lib/pq's connect_timeout (5 s), so one slow start-up on a loaded
// machine is tried again rather than ending a run.
const connectWindow = 15 * time.Second

// pingPG asks PostgreSQL to answer, and asks again while a try times out
// and ctx has time left. A time-out is a server that accepts but is slow to
// start a session: in CI, at load 14 on two cores, one start-up took more
// than connect_timeout and failed a whole experiment run. A refusal or an
// authentication error is not retried: asking again would only delay it.
func pingPG(ctx context.Context, db *sql.DB) (tries int, err error) {
	for {
		tries++
		err = db.PingContext(ctx)
		var ne net.Error
		if err == nil || ctx.Err() != nil || !errors.As(err, &ne) || !ne.Timeout() {
			return tries, err
		}
	}
}

// Service is a PostService over these stores with the lab's namespace. Its
// policy may open a Redis client of its own; Close (the service's or the
// stores') closes it and stops the policy's background work.
func (st *Stores) Service(opts Options) *PostService { return st.ServiceOver(st.Redis, opts) }

// Close closes every service made by Service, then both connections.
func (st *Stores) Close() error {
	for _, s := range st.services {
		s.Close()
	}
	for _, c := range st.clients {
		c.Close()
	}
	for _, c := range st.raw {
		c.Close()
	}
	err := st.PG.Close()
	if e := st.Redis.Close(); err == nil {
		err = e
	}
	return err
}

// RawRedis is a client to the lab's Redis like the stores' own (go-redis
// defaults, the same address, dialer and topology) but with a pool of
// poolSize connections: the bench's floors write through it at the
// concurrency of the policy they stand beside. It is closed with the
// stores.
func (st *Stores) RawRedis(poolSize int) redis.UniversalClient {
	r := st.Info.Redis
	c := newProjection(&redis.Options{Addr: r.Addr, Password: r.Password, Dialer: redisDial(r), PoolSize: poolSize},
		sentinelTarget{r.Sentinels, r.MasterName}, clusterTarget(r.Cluster))
	st.raw = append(st.raw, c)
	return c
}

// RenewableRedis is a client like the stores' plain one (the seed's go-redis
// defaults, the same address and dialer) whose pool can be renewed. It is
// closed with the stores.
func (st *Stores) RenewableRedis() *RenewableClient {
	var c *RenewableClient
	if r := st.Info.Redis; len(r.Sentinels) == 0 {
		c = NewRenewableClient(plainOptions(st.Redis, r.Addr, r.Password))
	} else {
		// A FailoverClient's Options carry its own Sentinel-bound dialer;
		// each pool gets a FailoverClient of its own instead, so a renewed
		// pool asks the Sentinels where the primary is now.
		s := sentinelTarget{r.Sentinels, r.MasterName}
		c = newRenewable(&redis.Options{Addr: r.Addr, Password: r.Password, Dialer: redisDial(r)},
			func(o *redis.Options) *redis.Client { return newRedis(o, s) })
	}
	st.clients = append(st.clients, c)
	return c
}

// ServiceOver is Service with another Redis client in place of the plain
// one (the Learn screen's renewable client).
func (st *Stores) ServiceOver(rdb redis.UniversalClient, opts Options) *PostService {
	if opts.Schema == "" {
		opts.Schema = st.Info.Postgres.Schema
	}
	if opts.KeyPrefix == "" {
		opts.KeyPrefix = st.Info.Redis.KeyPrefix
	}
	svc := newPostService(st.PG, rdb, opts, policyEnv{redisAddr: st.Info.Redis.Addr, redisPassword: st.Info.Redis.Password, redisDial: redisDial(st.Info.Redis),
		sentinels: sentinelTarget{st.Info.Redis.Sentinels, st.Info.Redis.MasterName},
		cluster:   clusterTarget(st.Info.Redis.Cluster)})
	st.services = append(st.services, svc)
	return svc
}
