package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// ParseClusterAddrs reads --redis-cluster: seed nodes HOST:PORT separated
// by commas (one is enough; the client learns the rest from it). Each must
// have a host and a port in 1-65535, and none may repeat.
func ParseClusterAddrs(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		a := strings.TrimSpace(part)
		if a == "" {
			continue
		}
		host, port, err := net.SplitHostPort(a)
		if err != nil || host == "" {
			return nil, fmt.Errorf("bad --redis-cluster node %q: want HOST:PORT, e.g. 10.0.0.5:6379 (nodes separated by commas)", a)
		}
		if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
			return nil, fmt.Errorf("bad --redis-cluster node %q: the port must be a number from 1 to 65535", a)
		}
		if seen[a] {
			return nil, fmt.Errorf("bad --redis-cluster: node %q is given twice", a)
		}
		seen[a] = true
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, errors.New("bad --redis-cluster: no node given; want HOST:PORT[,HOST:PORT...], e.g. 10.0.0.5:6379,10.0.0.6:6379")
	}
	return out, nil
}

// checkExternalCluster: an external lab of topology cluster needs the
// cluster's nodes.
func checkExternalCluster(opts Options) error {
	if len(opts.RedisCluster) == 0 {
		return fmt.Errorf("%w: --topology cluster with --infra external needs --redis-cluster HOST:PORT[,...] "+
			"(your cluster's nodes); or use --infra docker for the lab's own cluster", ErrTopologyUnavailable)
	}
	return nil
}

// startExternalCluster is startExternal for a user's own Redis Cluster:
// the lab's keys go under the cqrslab: prefix as on any external Redis,
// and the lab checks the cluster serves every slot before it says ready.
// Nothing of the cluster is the lab's to kill, so only PostgreSQL faults
// apply (the Redis network faults act on a proxy in front of one node,
// which the ClusterClient does not use; see clusterRefuses).
func startExternalCluster(ctx context.Context, opts Options, progress ProgressFunc) (*Lab, error) {
	if opts.PostgresDSN == "" {
		return nil, fmt.Errorf("--infra external needs --pg-dsn (e.g. postgres://user:pass@127.0.0.1:5432/db?sslmode=disable) beside --redis-cluster")
	}
	if err := ValidatePostgresDSN(opts.PostgresDSN); err != nil {
		return nil, err
	}
	start := time.Now()
	info := Info{
		RunID: NewRunID(), Provider: External, PID: os.Getpid(), Started: start, Topology: TopologyCluster,
		Postgres: PostgresInfo{RawDSN: opts.PostgresDSN, Schema: "cqrslab"},
		Redis: RedisInfo{Addr: opts.RedisCluster[0], Cluster: opts.RedisCluster, Password: opts.RedisPassword,
			KeyPrefix: "cqrslab:"},
	}
	rctx, cancel := context.WithTimeout(ctx, opts.ReadyTimeout)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- waitPostgres(rctx, info.Postgres, start, progress) }()
	err := waitExternalCluster(rctx, info.Redis, start, progress)
	if err != nil {
		cancel()
	}
	if e := <-errc; e != nil && err == nil {
		err = e
	}
	if err != nil {
		return nil, err
	}
	return &Lab{Info: info}, nil
}

// waitExternalCluster waits until the cluster answers through a
// ClusterClient and its CLUSTER INFO says every slot is served.
func waitExternalCluster(ctx context.Context, r RedisInfo, start time.Time, progress ProgressFunc) error {
	progress(Progress{Service: "redis", Phase: PhaseWaiting, Detail: "cluster at " + strings.Join(r.Cluster, ","),
		Elapsed: time.Since(start)})
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: r.Cluster, Password: r.Password,
		MaxRedirects: -1, DialTimeout: time.Second, ContextTimeoutEnabled: true})
	defer rdb.Close()
	err := poll(ctx, func(ctx context.Context) error {
		ci, err := rdb.ClusterInfo(ctx).Result()
		if err != nil {
			if strings.Contains(err.Error(), "cluster support disabled") {
				return fmt.Errorf("%s is a plain Redis, not a cluster node: use --redis-addr for it", r.Cluster[0])
			}
			return err
		}
		if infoField(ci, "cluster_state") != "ok" || infoField(ci, "cluster_slots_ok") != "16384" {
			return fmt.Errorf("cluster state %s, %s of 16384 slots served", infoField(ci, "cluster_state"),
				infoField(ci, "cluster_slots_ok"))
		}
		return rdb.Ping(ctx).Err()
	})
	if err != nil {
		progress(Progress{Service: "redis", Phase: PhaseFailed, Detail: err.Error(), Elapsed: time.Since(start)})
		return fmt.Errorf("redis cluster did not become ready: %w", err)
	}
	progress(Progress{Service: "redis", Phase: PhaseReady, Detail: "cluster at " + r.Cluster[0], Elapsed: time.Since(start)})
	return nil
}
