package experiment

import (
	"fmt"
	"time"

	"cqrslab/demo/lab"
)

// HAScenarios are the experiments of chapter two: they need the ha
// topology (lab.TopologyHA), whose Redis fails over, so they are kept out
// of Scenarios, which every lab can run. Their reports add what a failover
// does to the feed: writes Redis acknowledged and then lost
// (Report.Redis.AcknowledgedThenLost).
var HAScenarios = []Scenario{
	// A bare kill loses nothing on one host (the replicas are a
	// millisecond behind at most), so the replicas are first cut off the
	// replication network for 500 ms while the primary keeps acknowledging
	// (see lab.FaultRedisPrimaryKill): the lag that makes the loss real.
	{Name: "redis-failover", Description: "the Redis replicas are cut off the primary's replication stream for " +
		"500 ms (Docker network disconnect) while it keeps acknowledging writes, then the primary is killed " +
		"(SIGKILL); Sentinel promotes a replica that never received them",
		Fault: string(lab.FaultRedisPrimaryKill) + "=" + lab.DefaultKillLag.String(), At: time.Second, Rate: 200, Duration: 6 * time.Second},
	{Name: "redis-split-brain", Description: "the Redis primary is cut off from Sentinels and replicas for 5 s; " +
		"it keeps taking writes, which are lost when it rejoins",
		Fault: string(lab.FaultRedisPartition), At: time.Second, For: 5 * time.Second, Rate: 200, Duration: 7 * time.Second},
	{Name: "pg-replica-lag", Description: "WAL replay paused on the PostgreSQL replica for 3 s; the SQL feed read " +
		"from the replica falls behind while the reconciler reads the primary",
		Fault: string(lab.FaultPGReplicaLag), At: time.Second, For: 3 * time.Second, Rate: 200, Duration: 5 * time.Second,
		ReplicaReads: true},
}

// ScenariosFor is what `--scenario all` runs on a lab of topology t.
func ScenariosFor(t lab.Topology) []Scenario {
	if t == lab.TopologyHA {
		return HAScenarios
	}
	if t == lab.TopologyCluster {
		return ClusterScenarios
	}
	return Scenarios
}

// LookupFor finds a scenario by name for a lab of topology t, saying which
// topology a scenario of the other list needs.
func LookupFor(name string, t lab.Topology) (Scenario, error) {
	for _, s := range HAScenarios {
		if s.Name == name {
			if t != lab.TopologyHA {
				return Scenario{}, fmt.Errorf("scenario %q needs the replicated Redis of --topology ha (and --infra docker)", name)
			}
			return s, nil
		}
	}
	for _, s := range ClusterScenarios {
		if s.Name == name {
			if t != lab.TopologyCluster {
				return Scenario{}, fmt.Errorf("scenario %q needs the Redis Cluster of --topology cluster (and --infra docker)", name)
			}
			return s, nil
		}
	}
	return Lookup(name)
}
