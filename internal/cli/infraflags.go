package cli

import (
	"github.com/spf13/cobra"

	"cqrslab/demo/lab"
)

// infraFlags are the flags that choose where a lab's servers come from,
// shared by every command that can start one.
type infraFlags struct {
	infra, pgImage, redisImage, pgDSN, redisAddr, redisPassword string
	// redisSentinel is --redis-sentinel MASTER@HOST:PORT,... (external).
	redisSentinel string
	// topology is set only on the commands that offer --topology
	// (addTopologyFlag): lab up, experiment and the lesson (tui).
	topology string
	// redisCluster is --redis-cluster: a user's own Redis Cluster for
	// --infra external (see clusterOptions).
	redisCluster string
}

// addTopologyFlag offers --topology on a command whose engine follows a
// Sentinel failover (lab up, experiment, tui); the others run single.
func (f *infraFlags) addTopologyFlag(c *cobra.Command) {
	c.Flags().StringVar(&f.topology, "topology", "single",
		"single (one PostgreSQL, one Redis), ha (Redis primary + 2 replicas + 3 Sentinels; --infra docker) "+
			"or cluster (Redis Cluster of 3 primaries + 3 replicas; --infra docker)")
	c.RegisterFlagCompletionFunc("topology", completeTopologies)
}

// completeTopologies offers the lab's topologies.
func completeTopologies(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return fixed([]cobra.Completion{
		cobra.CompletionWithDesc(string(lab.TopologySingle), "one PostgreSQL, one Redis"),
		cobra.CompletionWithDesc(string(lab.TopologyHA), "Redis primary + 2 replicas + 3 Sentinels (--infra docker)"),
		cobra.CompletionWithDesc(string(lab.TopologyCluster), "Redis Cluster, 3 primaries + 3 replicas (--infra docker)"),
	})
}

func addInfraFlags(c *cobra.Command) *infraFlags {
	fs := c.Flags()
	f := &infraFlags{}
	env := lab.OptionsFromEnv()
	fs.StringVar(&f.infra, "infra", "auto", "where PostgreSQL and Redis come from: auto, docker, local or external")
	fs.StringVar(&f.pgImage, "postgres-image", orDefault(env.PostgresImage, lab.DefaultPostgresImage),
		"the PostgreSQL image for --infra docker (env CQRSLAB_POSTGRES_IMAGE)")
	fs.StringVar(&f.redisImage, "redis-image", orDefault(env.RedisImage, lab.DefaultRedisImage),
		"the Redis image for --infra docker (env CQRSLAB_REDIS_IMAGE)")
	fs.StringVar(&f.pgDSN, "pg-dsn", "", "the PostgreSQL DSN for --infra external")
	fs.StringVar(&f.redisAddr, "redis-addr", "", "Redis HOST:PORT for --infra external")
	fs.StringVar(&f.redisPassword, "redis-password", "", "Redis password for --infra external")
	fs.StringVar(&f.redisCluster, "redis-cluster", "", "your Redis Cluster's nodes HOST:PORT[,HOST:PORT...] for --infra external (instead of --redis-addr)")
	fs.StringVar(&f.redisSentinel, "redis-sentinel", "", "for --infra external instead of --redis-addr: a Sentinel-managed "+
		"Redis, MASTER@HOST:PORT[,HOST:PORT...] (--redis-password is the nodes' and the Sentinels')")
	c.RegisterFlagCompletionFunc("infra", completeProviders)
	for _, n := range []string{"postgres-image", "redis-image", "pg-dsn", "redis-addr", "redis-password", "redis-cluster", "redis-sentinel"} {
		c.RegisterFlagCompletionFunc(n, cobra.NoFileCompletions)
	}
	return f
}

func orDefault(v, d string) string {
	if v != "" {
		return v
	}
	return d
}

// options validates the flags and turns them into lab options.
func (f *infraFlags) options() (lab.Options, error) {
	p, err := lab.ParseProvider(f.infra)
	if err != nil {
		return lab.Options{}, usagef("--infra: %v", err)
	}
	if f.redisCluster != "" {
		return f.clusterOptions(p)
	}
	var sentinels []string
	var master string
	if p == lab.External {
		if f.pgDSN == "" || (f.redisAddr == "" && f.redisSentinel == "") {
			return lab.Options{}, usagef("--infra external needs --pg-dsn and --redis-addr (or --redis-sentinel MASTER@HOST:PORT,...)")
		}
		if f.redisAddr != "" && f.redisSentinel != "" {
			return lab.Options{}, usagef("--redis-addr and --redis-sentinel are exclusive: give the Sentinels " +
				"(the engine asks them where the primary is) or one Redis")
		}
		if err := lab.ValidatePostgresDSN(f.pgDSN); err != nil {
			return lab.Options{}, usagef("%v", err)
		}
		if f.redisSentinel != "" {
			var err error
			if master, sentinels, err = lab.ParseSentinelSpec(f.redisSentinel); err != nil {
				return lab.Options{}, usagef("%v", err)
			}
		}
	} else if f.pgDSN != "" || f.redisAddr != "" || f.redisSentinel != "" {
		return lab.Options{}, usagef("--pg-dsn, --redis-addr and --redis-sentinel go with --infra external")
	}
	topo, err := lab.ParseTopology(f.topology)
	if err != nil {
		return lab.Options{}, usagef("--topology: %v", err)
	}
	if topo == lab.TopologyHA && (p == lab.Local || p == lab.External) {
		return lab.Options{}, usagef("--topology ha runs on Docker only (the lab creates and partitions a Docker network); "+
			"use --infra docker, or drop --topology for --infra %s", p)
	}
	if err := checkClusterTopology(topo, p); err != nil {
		return lab.Options{}, err
	}
	return lab.Options{Provider: p, Topology: topo, PostgresImage: f.pgImage, RedisImage: f.redisImage,
		PostgresDSN: f.pgDSN, RedisAddr: f.redisAddr, RedisPassword: f.redisPassword,
		RedisSentinels: sentinels, RedisMasterName: master}, nil
}
