package cli

import (
	"fmt"
	"strings"

	"cqrslab/demo/lab"
)

// clusterOptions turns --redis-cluster into lab options: it goes with
// --infra external and --pg-dsn only (the lab's own cluster is
// --topology cluster on docker), and makes the topology cluster.
func (f *infraFlags) clusterOptions(p lab.Provider) (lab.Options, error) {
	if p != lab.External {
		return lab.Options{}, usagef("--redis-cluster goes with --infra external (your own cluster); "+
			"for the lab's own cluster use --topology cluster with --infra docker, not --infra %s", p)
	}
	if f.redisAddr != "" {
		return lab.Options{}, usagef("--redis-addr and --redis-cluster are exclusive: give a plain Redis " +
			"with --redis-addr, or your cluster's nodes with --redis-cluster")
	}
	if f.redisSentinel != "" {
		return lab.Options{}, usagef("--redis-sentinel and --redis-cluster are exclusive: give your Sentinels " +
			"or your cluster's nodes, not both")
	}
	if f.pgDSN == "" {
		return lab.Options{}, usagef("--infra external needs --pg-dsn beside --redis-cluster")
	}
	if err := lab.ValidatePostgresDSN(f.pgDSN); err != nil {
		return lab.Options{}, usagef("%v", err)
	}
	nodes, err := lab.ParseClusterAddrs(f.redisCluster)
	if err != nil {
		return lab.Options{}, usagef("%v", err)
	}
	topo, err := lab.ParseTopology(f.topology)
	if err != nil {
		return lab.Options{}, usagef("--topology: %v", err)
	}
	if topo != lab.TopologySingle && topo != lab.TopologyCluster {
		return lab.Options{}, usagef("--redis-cluster is a Redis Cluster: drop --topology %s (or give --topology cluster)", topo)
	}
	return lab.Options{Provider: p, Topology: lab.TopologyCluster, PostgresImage: f.pgImage, RedisImage: f.redisImage,
		PostgresDSN: f.pgDSN, RedisPassword: f.redisPassword, RedisCluster: nodes}, nil
}

// checkClusterTopology refuses --topology cluster where the lab cannot
// start one: the local provider runs loopback processes, not a cluster it
// could fail over honestly, and an external lab's cluster is the user's
// (--redis-cluster, handled by clusterOptions).
func checkClusterTopology(topo lab.Topology, p lab.Provider) error {
	if topo != lab.TopologyCluster {
		return nil
	}
	switch p {
	case lab.Local:
		return usagef("--topology cluster runs on Docker only (six Redis nodes on a network the lab creates); " +
			"use --infra docker, or drop --topology for --infra local")
	case lab.External:
		return usagef("--topology cluster with --infra external needs --redis-cluster HOST:PORT[,...] (your cluster's nodes)")
	}
	return nil
}

// printClusterConnections adds the cluster's nodes to printConnections:
// the Redis line there is only the first node, and a feed lives on
// whichever primary owns its slot.
func printClusterConnections(stdio Stdio, info lab.Info) {
	if len(info.Redis.Cluster) == 0 {
		return
	}
	fmt.Fprintf(stdio.Out, "  Cluster:    %s\n              (the Redis line above is one node; use redis-cli -c to follow MOVED)\n",
		strings.Join(info.Redis.Cluster, ", "))
	host, port, _ := strings.Cut(info.Redis.Cluster[0], ":")
	fmt.Fprintf(stdio.Out, "              who owns what: REDISCLI_AUTH=%s redis-cli -c -h %s -p %s cluster shards\n",
		info.Redis.Password, host, port)
}

// printClusterFaultHelp replaces the single lab's fault help on topology
// cluster.
func printClusterFaultHelp(stdio Stdio, info lab.Info) {
	if info.Provider != lab.Docker {
		fmt.Fprintf(stdio.Out, "\nThis cluster is yours, so the lab does not kill its nodes; PostgreSQL faults work as usual.\n")
		return
	}
	fmt.Fprintf(stdio.Out, "\nBreak it on purpose (from another terminal):\n"+
		"  cqrslab fault inject %s  (the cluster promotes its replica)\n"+
		"  cqrslab fault heal %s    (after the promotion: a new replica)\n"+
		"  cqrslab reconcile --repair               (puts lost members back from PostgreSQL)\n"+
		"  PostgreSQL faults work as usual; Redis network faults and pause/stop\n"+
		"  act on one Redis, so this topology refuses them.\n",
		lab.FaultClusterPrimaryKill, lab.FaultClusterPrimaryKill)
}
