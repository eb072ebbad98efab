package lab

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// form makes the six started nodes one cluster and waits until it is whole:
// every node has answered, the first three own a third of the slots each,
// every node knows all six, each of the last three replicates one primary
// and is in sync, and every node says cluster_state:ok with all 16384
// slots served. A lab that reported ready before the replicas synced would
// have nothing to promote at its first primary loss.
func (c *clusterRun) form(ctx context.Context, start time.Time, progress ProgressFunc) error {
	say := func(detail string) {
		progress(Progress{Service: "redis", Phase: PhaseWaiting, Detail: detail, Elapsed: time.Since(start)})
	}
	var wg sync.WaitGroup
	errs := make([]error, len(c.nodes))
	for i, n := range c.nodes {
		wg.Go(func() { errs[i] = c.waitAnswer(ctx, n) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	say("6 nodes answer; assigning slots")
	primaries, replicas := c.nodes[:clusterPrimaries], c.nodes[clusterPrimaries:]
	for i, n := range primaries {
		rdb := c.client(n)
		// Distinct config epochs, as redis-cli gives them: otherwise the
		// nodes settle their collision by gossip first.
		err := rdb.Do(ctx, "cluster", "set-config-epoch", i+1).Err()
		if err == nil {
			err = rdb.Do(ctx, "cluster", "addslotsrange", clusterSlotRanges[i][0], clusterSlotRanges[i][1]).Err()
		}
		rdb.Close()
		if err != nil {
			return fmt.Errorf("assign slots %d-%d to %s: %w", clusterSlotRanges[i][0], clusterSlotRanges[i][1], n.name, err)
		}
	}
	first := c.client(c.nodes[0])
	for _, n := range c.nodes[1:] {
		if err := first.ClusterMeet(ctx, n.ip, strconv.Itoa(clusterRedisPort)).Err(); err != nil {
			first.Close()
			return fmt.Errorf("cluster meet %s: %w", n.name, err)
		}
	}
	first.Close()
	say("slots assigned; nodes meeting")

	// A replica can follow a primary once gossip has told it the
	// primary's ID; until then REPLICATE answers "Unknown node".
	for i, n := range replicas {
		rdb := c.client(n)
		err := poll(ctx, func(ctx context.Context) error {
			return rdb.Do(ctx, "cluster", "replicate", primaries[i].id).Err()
		})
		rdb.Close()
		if err != nil {
			return fmt.Errorf("make %s a replica of %s: %w", n.name, primaries[i].name, err)
		}
	}
	say("replicas attached; waiting for sync and agreement")
	var seen string
	return poll(ctx, func(ctx context.Context) error {
		state, err := c.clusterState(ctx, len(c.nodes))
		if state != seen {
			seen = state
			say(state)
		}
		if err == nil {
			progress(Progress{Service: "redis", Phase: PhaseReady, Elapsed: time.Since(start),
				Detail: "cluster of 3 primaries + 3 replicas at " + c.nodes[0].addr()})
		}
		return err
	})
}

// clusterState checks the live nodes once: each says cluster_state:ok,
// knows want nodes and serves every slot, and each primary has an online
// replica. The string says how far it is.
func (c *clusterRun) clusterState(ctx context.Context, want int) (string, error) {
	nodes := c.liveNodes()
	ok, synced, primaries := 0, 0, 0
	var firstErr error
	for _, n := range nodes {
		ci, repl, err := c.nodeInfo(ctx, n)
		if err != nil {
			firstErr = cmpErr(firstErr, fmt.Errorf("%s: %w", n.name, err))
			continue
		}
		known := infoField(ci, "cluster_known_nodes")
		if infoField(ci, "cluster_state") == "ok" && infoField(ci, "cluster_slots_ok") == "16384" &&
			known == strconv.Itoa(want) {
			ok++
		} else {
			firstErr = cmpErr(firstErr, fmt.Errorf("%s: state %s, %s of 16384 slots ok, knows %s of %d nodes",
				n.name, infoField(ci, "cluster_state"), infoField(ci, "cluster_slots_ok"), known, want))
		}
		if infoField(repl, "role") == "master" {
			primaries++
			if strings.Contains(repl, "state=online") {
				synced++
			} else {
				firstErr = cmpErr(firstErr, fmt.Errorf("%s: a primary without an online replica", n.name))
			}
		}
	}
	state := fmt.Sprintf("%d/%d nodes agree the cluster is ok; %d/%d primaries have a synced replica",
		ok, len(nodes), synced, clusterPrimaries)
	if firstErr == nil && primaries != clusterPrimaries {
		firstErr = fmt.Errorf("%d primaries, want %d", primaries, clusterPrimaries)
	}
	return state, firstErr
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// infoField reads "name:value" from an INFO or CLUSTER INFO reply.
func infoField(info, name string) string {
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return v
		}
	}
	return ""
}

// liveNodes is a copy of the cluster's live nodes, safe to range over while
// a fault or a heal changes the list.
func (c *clusterRun) liveNodes() []*clusterNode {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*clusterNode(nil), c.nodes...)
}

// nodeInfo asks one node for its CLUSTER INFO and its replication INFO, on
// a client of its own that is closed before it returns.
func (c *clusterRun) nodeInfo(ctx context.Context, n *clusterNode) (cluster, replication string, err error) {
	rdb := c.client(n)
	defer rdb.Close()
	if cluster, err = rdb.ClusterInfo(ctx).Result(); err != nil {
		return "", "", err
	}
	replication, err = rdb.Info(ctx, "replication").Result()
	return cluster, replication, err
}
