package lab

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"time"

	_ "github.com/lib/pq" // the PostgreSQL driver the engine uses too
	"github.com/redis/go-redis/v9"
)

// NewRunID names one lab run; containers, processes and the state file carry
// it so that clean-up removes exactly this run's things.
func NewRunID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// RandomPassword makes a password for a lab server: random, so a lab port
// that another local user can reach is still not an open database.
func RandomPassword() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// waitReady polls both servers until each answers, reporting the phases. It
// gives up when ctx ends or after timeout, naming the server that did not
// answer and its last error.
func waitReady(ctx context.Context, info Info, timeout time.Duration, start time.Time, progress ProgressFunc) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	errc := make(chan error, 2)
	go func() { errc <- waitPostgres(ctx, info.Postgres, start, progress) }()
	go func() { errc <- waitRedis(ctx, info.Redis, start, progress) }()
	var first error
	for range 2 {
		if err := <-errc; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	return first
}

func waitPostgres(ctx context.Context, pg PostgresInfo, start time.Time, progress ProgressFunc) error {
	progress(Progress{Service: "postgres", Phase: PhaseWaiting, Detail: "waiting for connections", Elapsed: time.Since(start)})
	db, err := sql.Open("postgres", pg.DSN())
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer db.Close()
	err = poll(ctx, func(ctx context.Context) error { return db.PingContext(ctx) })
	if err != nil {
		progress(Progress{Service: "postgres", Phase: PhaseFailed, Detail: err.Error(), Elapsed: time.Since(start)})
		return fmt.Errorf("postgres did not become ready: %w", err)
	}
	progress(Progress{Service: "postgres", Phase: PhaseReady, Detail: pg.Host, Elapsed: time.Since(start)})
	return nil
}

func waitRedis(ctx context.Context, r RedisInfo, start time.Time, progress ProgressFunc) error {
	progress(Progress{Service: "redis", Phase: PhaseWaiting, Detail: "waiting for PING", Elapsed: time.Since(start)})
	rdb := redis.NewClient(&redis.Options{Addr: r.Addr, Password: r.Password, MaxRetries: -1,
		DialTimeout: time.Second, ReadTimeout: time.Second, ContextTimeoutEnabled: true})
	defer rdb.Close()
	err := poll(ctx, func(ctx context.Context) error {
		// A server's own address refuses until it listens; go-redis would
		// log every refused dial on stderr (over a terminal UI), so a
		// plain connect goes first.
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", r.Addr)
		if err != nil {
			return err
		}
		c.Close()
		return rdb.Ping(ctx).Err()
	})
	if err != nil {
		progress(Progress{Service: "redis", Phase: PhaseFailed, Detail: err.Error(), Elapsed: time.Since(start)})
		return fmt.Errorf("redis did not become ready: %w", err)
	}
	progress(Progress{Service: "redis", Phase: PhaseReady, Detail: r.Addr, Elapsed: time.Since(start)})
	return nil
}

// pollEvery is poll's pause between tries. It is fixed and short: a server
// that is starting answers a try in a millisecond or two (a refused
// connect, "the database system is starting up"), so a try every 25 ms
// costs nothing, while a backoff that doubles to half a second made the
// lab wait up to that long after the server was ready.
const pollEvery = 25 * time.Millisecond

// poll calls try until it succeeds or ctx ends, returning the last error of
// try (more useful than "context deadline exceeded" alone).
func poll(ctx context.Context, try func(context.Context) error) error {
	var last error
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		last = try(attempt)
		cancel()
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), last)
		case <-time.After(pollEvery):
		}
	}
}
