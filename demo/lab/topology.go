package lab

import (
	"fmt"
	"strings"
)

// Topology is the shape of the lab's servers: one PostgreSQL and one Redis
// (single, chapter one), or a replicated Redis behind Sentinel (ha,
// chapter two), where an acknowledged ZADD can vanish in a failover.
type Topology string

const (
	// TopologySingle is one PostgreSQL and one Redis (the default).
	TopologySingle Topology = "single"
	// TopologyHA is one PostgreSQL and a Redis primary with two replicas
	// watched by three Sentinels, on a private Docker network.
	TopologyHA Topology = "ha"
	// TopologyCluster is one PostgreSQL and a Redis Cluster of three
	// primaries and three replicas (docker_cluster.go), or a user's own
	// cluster (--infra external --redis-cluster).
	TopologyCluster Topology = "cluster"
)

// HAMasterName is the name the lab's Sentinels monitor the primary under.
const HAMasterName = "cqrslab"

// ParseTopology turns a flag value into a Topology ("" is single), naming
// the choices when the value is not one of them.
func ParseTopology(s string) (Topology, error) {
	switch t := Topology(strings.ToLower(strings.TrimSpace(s))); t {
	case "", TopologySingle:
		return TopologySingle, nil
	case TopologyHA, TopologyCluster:
		return t, nil
	}
	return "", fmt.Errorf("unknown topology %q: use single, ha or cluster", s)
}

// checkTopology refuses the provider/topology pairs the lab cannot start
// honestly. Only the docker provider can start ha: it needs a network of its
// own to partition, which local processes on loopback do not have, and an
// external lab's Redis is not the lab's to replicate.
func checkTopology(opts Options) error {
	if opts.Topology == "" || opts.Topology == TopologySingle {
		return nil
	}
	if opts.Provider == Docker || opts.Provider == Auto {
		return nil
	}
	if opts.Topology == TopologyCluster && opts.Provider == External {
		return checkExternalCluster(opts) // the user's own cluster
	}
	return fmt.Errorf("%w: topology %s runs on the docker provider only (it partitions a Docker network "+
		"the lab creates); use --infra docker, or --topology single with --infra %s",
		ErrTopologyUnavailable, opts.Topology, opts.Provider)
}

// ErrTopologyUnavailable means the chosen provider cannot start the chosen
// topology; the message says which provider can.
var ErrTopologyUnavailable = fmt.Errorf("topology unavailable")
