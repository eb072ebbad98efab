package lab

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// startExternal uses servers the user already runs. Nothing is started or
// stopped; the lab's tables live in their own schema and its keys under their
// own prefix, so the lab never reads or writes anything else there.
func startExternal(ctx context.Context, opts Options, progress ProgressFunc) (*Lab, error) {
	if len(opts.RedisCluster) > 0 {
		return startExternalCluster(ctx, opts, progress)
	}
	sentinel := len(opts.RedisSentinels) > 0
	if opts.PostgresDSN == "" || (opts.RedisAddr == "") == !sentinel {
		return nil, fmt.Errorf("--infra external needs --pg-dsn (e.g. postgres://user:pass@127.0.0.1:5432/db?sslmode=disable) and one of --redis-addr (e.g. 127.0.0.1:6379) or --redis-sentinel (e.g. mymaster@10.0.0.5:26379)")
	}
	if err := ValidatePostgresDSN(opts.PostgresDSN); err != nil {
		return nil, err
	}
	if !sentinel {
		if _, _, err := net.SplitHostPort(opts.RedisAddr); err != nil {
			return nil, fmt.Errorf("bad --redis-addr %q: want HOST:PORT, e.g. 127.0.0.1:6379", opts.RedisAddr)
		}
	}
	start := time.Now()
	info := Info{
		RunID:    NewRunID(),
		Provider: External,
		PID:      os.Getpid(),
		Started:  start,
		Postgres: PostgresInfo{RawDSN: opts.PostgresDSN, Schema: "cqrslab"},
		Redis:    RedisInfo{Addr: opts.RedisAddr, Password: opts.RedisPassword, KeyPrefix: "cqrslab:"},
	}
	if sentinel {
		progress(Progress{Service: "redis", Phase: PhaseWaiting, Detail: "asking the Sentinels for the primary of " +
			opts.RedisMasterName, Elapsed: time.Since(start)})
		sctx, cancel := context.WithTimeout(ctx, opts.ReadyTimeout)
		r, err := externalSentinelRedis(sctx, opts)
		cancel()
		if err != nil {
			return nil, err
		}
		info.Redis = r
	}
	if err := waitReady(ctx, info, opts.ReadyTimeout, start, progress); err != nil {
		return nil, err
	}
	return &Lab{Info: info}, nil
}

// ValidatePostgresDSN checks that a DSN is a postgres:// URL or a key=value
// string, so a typo is reported as a usage error instead of a dial failure.
func ValidatePostgresDSN(dsn string) error {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil || u.Host == "" {
			return fmt.Errorf("bad --pg-dsn %q: want postgres://user:pass@host:port/db?sslmode=disable", dsn)
		}
		return nil
	}
	if strings.Contains(dsn, "=") {
		return nil
	}
	return fmt.Errorf("bad --pg-dsn %q: want postgres://user:pass@host:port/db?sslmode=disable or host=... user=... dbname=...", dsn)
}
