package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"cqrslab/demo/lab"

	"github.com/redis/go-redis/v9"
)

// A path is one way from this process to the servers. The engine's own
// path (the fault layer's direct connections in the process that started
// the lab, the lab's proxies from any other process) is what "floor"
// measures; the others show where time goes between the engine and the
// servers themselves:
//
//	direct    the servers' own addresses (the container's on a Linux
//	          bridge, the process's port for the local provider): the floor
//	          every ratio "_vs_direct" is taken against;
//	published the docker provider's loopback port, through docker-proxy;
//	proxy     the lab's embedded Toxiproxy, which clients in other
//	          terminals (and toxiproxy-cli's faults) go through.
type path struct {
	name string
	pg   *sql.DB
	rdb  *redis.Client
}

// openPaths opens a plain client pair (no fault layer, no pool sharing with
// the engine) for each path this lab has.
func openPaths(info lab.Info) ([]*path, error) {
	var out []*path
	add := func(name string, pg lab.PostgresInfo, redisAddr string) error {
		pg.Dial = nil // plain sockets: the fault layer is measured as the engine's path
		db, err := pg.OpenDB()
		if err != nil {
			return fmt.Errorf("bench: open the %s path: %w", name, err)
		}
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		rdb := redis.NewClient(&redis.Options{Addr: redisAddr, Password: info.Redis.Password,
			PoolSize: 1, MinIdleConns: 1})
		out = append(out, &path{name: name, pg: db, rdb: rdb})
		return nil
	}
	pgDirect := info.Postgres.Direct()
	if info.Redis.DirectAddr != "" && (pgDirect.DirectPort != 0 || pgDirect.DirectRawDSN != "") {
		if err := add("direct", pgDirect, info.Redis.DirectAddr); err != nil {
			return nil, err
		}
	}
	if info.Redis.PublishedAddr != "" && info.Postgres.PublishedPort != 0 {
		pub := pgDirect
		pub.Host, pub.Port = "127.0.0.1", info.Postgres.PublishedPort
		if err := add("published", pub, info.Redis.PublishedAddr); err != nil {
			closePaths(out)
			return nil, err
		}
	}
	if info.Redis.DirectAddr != "" && info.Redis.Addr != info.Redis.DirectAddr {
		if err := add("proxy", info.Postgres, info.Redis.Addr); err != nil {
			closePaths(out)
			return nil, err
		}
	}
	return out, nil
}

func closePaths(ps []*path) {
	for _, p := range ps {
		p.pg.Close()
		p.rdb.Close()
	}
}

// pathOps are the operations measured on a path: the direct path gets
// every floor operation, the others the two single round trips the hops
// are read from.
func pathOps(p *path, q queries) []*op {
	insert := func(ctx context.Context, id string, at time.Time) error {
		_, err := p.pg.ExecContext(ctx, q.insertSQL, id, writeAuthor, q.title, at)
		return err
	}
	zadd := func(ctx context.Context, id string, at time.Time) error {
		return p.rdb.ZAdd(ctx, q.floorKey, redis.Z{Score: float64(at.UnixMilli()), Member: q.member(id, at)}).Err()
	}
	ops := []*op{
		{name: p.name + ":insert", fn: func(ctx context.Context, i int) error {
			return insert(ctx, p.name+"-i-"+strconv.Itoa(i), time.Now())
		}},
		{name: p.name + ":zadd", fn: func(ctx context.Context, i int) error {
			return zadd(ctx, p.name+"-z-"+strconv.Itoa(i), time.Now())
		}},
		{name: p.name + ":zrevrange", fn: func(ctx context.Context, i int) error {
			return p.rdb.ZRevRange(ctx, q.readKey, 0, int64(q.feedSize)-1).Err()
		}},
	}
	if p.name != "direct" {
		return ops
	}
	return append(ops,
		&op{name: "direct:sequential", fn: func(ctx context.Context, i int) error {
			at := time.Now()
			id := "direct-s-" + strconv.Itoa(i)
			if err := insert(ctx, id, at); err != nil {
				return err
			}
			return zadd(ctx, id, at)
		}},
		&op{name: "direct:sql_join", fn: func(ctx context.Context, i int) error {
			return q.sqlJoin(ctx, p.pg)
		}},
	)
}
