package experiment

import (
	"time"

	"cqrslab/demo/lab"
	"cqrslab/internal/clusterpipe"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/redis/go-redis/v9"
)

// ClusterScenarios are the experiments of a Redis Cluster (lab topology
// cluster): a primary is lost and the cluster elects its replica by
// itself. The report is the ha scenarios' (acknowledged then lost, the
// outage as the client saw it), so the two ways of failing over can be
// set side by side.
var ClusterScenarios = []Scenario{
	{Name: "cluster-primary-loss", Description: "the Redis Cluster primary holding the most keys is killed; " +
		"the cluster promotes its replica",
		Fault: string(lab.FaultClusterPrimaryKill), At: time.Second, Rate: 200, Duration: 8 * time.Second},
}

// newLagWatcherCluster is the watcher of a cluster lab: a ClusterClient,
// as the engine's, since a feed's node changes in the very failover the
// watcher times.
func newLagWatcherCluster(r lab.RedisInfo) *lagWatcher {
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: r.Cluster, Password: r.Password, Dialer: r.Dial,
		MaxRetries: -1, PoolSize: 2})
	clusterpipe.Install(rdb) // its ZMSCORE pipeline races inside go-redis when a failover answers MOVED
	return &lagWatcher{rdb: rdb, hist: hdrhistogram.New(1, 600_000_000, 3), missing: map[string][]owed{},
		stopped: make(chan struct{}), done: make(chan struct{})}
}
