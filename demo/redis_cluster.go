package demo

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"cqrslab/internal/clusterpipe"
)

// The engine on a Redis Cluster (lab topology cluster, or --infra external
// --redis-cluster): go-redis's ClusterClient, which reads the slot map from
// the nodes, sends each command to the primary owning its key's slot,
// follows MOVED after a failover, and splits a pipeline into one pipeline
// per node (internal/clusterpipe's split, not go-redis's, which can send a
// command twice in a failover). Everything the engine does goes through redis.UniversalClient,
// so the write path, GetFeed, the reconciler, the repair pipeline and the
// outbox relay run on it unchanged, with three exceptions that this file
// and rebuild.go handle:
//
//   - Feed keys carry no hash tag: feed:<author> is hashed whole, so the
//     authors' feeds spread over the slots (and the primaries) as a real
//     deployment's would, and a primary loss hits some authors and not
//     others. A tag such as feed:{all}:<author> would put every feed on
//     one primary: no spreading at all, and a feed per author is never
//     read together with another author's in one command, so nothing needs
//     two feeds in one slot.
//   - The one multi-key command is the rebuild's RENAME of a temporary key
//     over the live feed, which Redis Cluster allows only within one slot
//     (CROSSSLOT otherwise). So the temporary key is tagged with the live
//     key: rebuildTmpKey puts the whole live key between braces, which
//     hashes to the live key's own slot. This is where a hash tag belongs.
//   - SCAN and KEYS see one node's keys only; scanKeys runs them on every
//     primary (ForEachMaster) to find the feeds.
//
// WAIT (the --redis-wait knob) counts the replicas of the connection's own
// node, which a ClusterClient picks per key, so the pipelined ZADD+WAIT of
// redis_wait.go cannot be sent as one; the CLI refuses --redis-wait on a
// cluster.

// clusterTarget says where a Redis Cluster's seed nodes are; empty means no
// cluster.
type clusterTarget []string

// newProjection opens the engine's Redis client with o's settings: a
// ClusterClient over the cluster's nodes when there are some, else a plain
// client or FailoverClient (newRedis). o.Addr is unused for a cluster;
// o.Dialer, when set, dials every node.
func newProjection(o *redis.Options, s sentinelTarget, c clusterTarget) redis.UniversalClient {
	return newProjectionReload(o, s, c, 0)
}

// budgetedSlotReload is how often the budgeted policies' ClusterClient
// reads the slot map again. go-redis's default is a minute, and between
// reads it learns of a failover only from a MOVED reply, which a dead
// primary never sends: measured here, the budgeted and outbox policies
// kept sending the killed primary's slots to its dead address until the
// lab's replacement node happened to take that address and answered
// MOVED (the outbox policy had not recovered 4 s after the heal). One
// CLUSTER SLOTS a second bounds that blindness; the seed keeps go-redis's
// defaults, as the lesson's code does.
const budgetedSlotReload = time.Second

// newProjectionReload is newProjection with the ClusterClient's slot map
// read every reload (0: go-redis's default).
func newProjectionReload(o *redis.Options, s sentinelTarget, c clusterTarget, reload time.Duration) redis.UniversalClient {
	if len(c) == 0 {
		return newRedis(o, s)
	}
	u := universal(o)
	u.Addrs = c
	// A redirect (MOVED after a failover) is not a retry of a failed
	// command; go-redis's default of 3 redirects stays. MaxRetries is what
	// bounds retries on a network error.
	opts := u.Cluster()
	opts.ClusterStateReloadInterval = reload
	cc := redis.NewClusterClient(opts)
	// go-redis's own cluster pipeline can send a command twice when a
	// failover answers MOVED mid-batch (see internal/clusterpipe); the
	// reconciler, the repair and the outbox relay pipeline on this client.
	clusterpipe.Install(cc)
	return cc
}

// plainOptions are the options of a single-node client like c, for the
// renewable client of the lesson screens (single and ha labs): c's own
// when it is a plain or failover client, else (a cluster) a client of the
// first node, which the lesson screens never get (they refuse a cluster).
func plainOptions(c redis.UniversalClient, addr, password string) *redis.Options {
	if rc, ok := c.(*redis.Client); ok {
		return rc.Options()
	}
	return &redis.Options{Addr: addr, Password: password}
}

// scanKeys is every key matching pattern: SCAN on a plain client, SCAN on
// each primary of a cluster (a SCAN sent to a ClusterClient reaches one
// node).
func scanKeys(ctx context.Context, c redis.UniversalClient, pattern string) ([]string, error) {
	cc, ok := c.(*redis.ClusterClient)
	if !ok {
		var out []string
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			out = append(out, iter.Val())
		}
		return out, iter.Err()
	}
	var mu sync.Mutex
	var out []string
	err := cc.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
		iter := n.Scan(ctx, 0, pattern, 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		mu.Lock()
		out = append(out, keys...)
		mu.Unlock()
		return iter.Err()
	})
	return out, err
}

// ScanKeys is scanKeys for the commands and tests that clear a namespace.
func ScanKeys(ctx context.Context, c redis.UniversalClient, pattern string) ([]string, error) {
	return scanKeys(ctx, c, pattern)
}

// DelKeys deletes keys one command per key on a cluster (a DEL of keys in
// several slots is CROSSSLOT there), in one pipeline, which go-redis splits
// per node; one DEL elsewhere.
func DelKeys(ctx context.Context, c redis.UniversalClient, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	if _, ok := c.(*redis.ClusterClient); !ok {
		return c.Del(ctx, keys...).Err()
	}
	pipe := c.Pipeline()
	for _, k := range keys {
		pipe.Del(ctx, k)
	}
	_, err := pipe.Exec(ctx)
	return err
}

// IsCluster reports whether c is a Redis Cluster client.
func IsCluster(c redis.UniversalClient) bool {
	_, ok := c.(*redis.ClusterClient)
	return ok
}

// rebuildTmpKey is the rebuild's temporary key for live: in live's slot,
// so the RENAME over live is allowed on a cluster (see the top of this
// file). A key with a hash tag of its own keeps it (the first {...} decides
// the slot, and a suffix leaves it first); any other is put whole between
// braces after "rebuild:", behind the key prefix so a namespace's clean-up
// still finds it. On a single Redis the name is all that changes.
func rebuildTmpKey(prefix, live, suffix string) string {
	if hasHashTag(live) {
		return live + ":rebuild:" + suffix
	}
	return prefix + "rebuild:{" + live + "}:" + suffix
}

// hasHashTag reports whether key has a non-empty {...} that Redis Cluster
// hashes instead of the whole key.
func hasHashTag(key string) bool {
	open := strings.IndexByte(key, '{')
	if open < 0 {
		return false
	}
	close := strings.IndexByte(key[open+1:], '}')
	return close > 0
}
