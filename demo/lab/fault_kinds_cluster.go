package lab

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	dc "github.com/ory/dockertest/v3/docker"
)

// FaultClusterPrimaryKill kills one primary of the cluster topology
// (SIGKILL, its container removed). Its peers flag it failing after
// cluster-node-timeout and its replica is elected in its place by the
// cluster itself, no Sentinel involved; writes the primary acknowledged but
// had not yet sent to that replica are gone. The primary killed is the one
// holding the most keys (ties: the lowest slots), so the fault hits as many
// of the lab's feeds as one primary can. Healing waits for the promotion,
// makes the cluster forget the dead node, and adds a new, empty replica of
// the promoted primary (as an operator would), so the topology is whole
// again.
const FaultClusterPrimaryKill FaultKind = "cluster_primary_kill"

// NeedCluster: the docker provider's cluster topology.
const NeedCluster FaultNeed = "cluster"

func init() {
	registerFault(faultDef{
		FaultInfo: FaultInfo{Kind: FaultClusterPrimaryKill, Target: TargetRedis, Needs: NeedCluster,
			Syntax: "cluster_primary_kill", Example: "cluster_primary_kill",
			Help: "cluster: kill a primary; its replica is elected, heal adds a new replica"},
		supports: clusterSupports,
		process:  &processDef{inject: clusterInjectKill, heal: clusterHealKill},
	})
}

func (l *Lab) clusterRun() (*clusterRun, bool) {
	c, ok := l.servers.(*clusterRun)
	return c, ok
}

func clusterSupports(l *Lab, _ Fault) error {
	if _, ok := l.clusterRun(); !ok {
		return fmt.Errorf("%w: this fault needs the lab's own cluster (lab up --topology cluster, --infra docker); "+
			"this lab's Redis is not a cluster the lab started", ErrFaultUnavailable)
	}
	return nil
}

// clusterRefuses says which faults a cluster lab (the docker one, or an
// external cluster) cannot do honestly: the Redis network kinds act on the
// lab's proxy in front of one node, which the engine's ClusterClient does
// not use (it dials whichever node owns a slot); pause, stop and
// restart_data_loss name "the" Redis; the ha kinds need Sentinel.
// PostgreSQL faults work as usual.
func (l *Lab) clusterRefuses(f Fault) error {
	if l.Topology != TopologyCluster {
		return nil
	}
	d, _ := faultDefOf(f.Kind)
	if d.Needs == NeedCluster || d.Target == TargetPostgres || f.Target == TargetPostgres {
		return nil
	}
	return fmt.Errorf("%w: %s acts on a single Redis; on topology cluster use %s (PostgreSQL faults work as usual)",
		ErrFaultUnavailable, f.Kind, FaultClusterPrimaryKill)
}

// clusterAfterProxies takes the fault layer's dialer away from this
// process's Redis clients on a cluster lab: it dials one fixed server,
// while a ClusterClient must reach every node at the address the cluster
// names.
func (l *Lab) clusterAfterProxies() {
	if l.Topology != TopologyCluster {
		return
	}
	l.infoMu.Lock()
	l.Info.Redis.Dial = nil
	l.infoMu.Unlock()
}

// clusterRecordNodes writes the live nodes into Info (and so into the state
// file `lab up` keeps), after a node was added or removed.
func (l *Lab) clusterRecordNodes() {
	c, _ := l.clusterRun()
	addrs := c.addrs()
	l.infoMu.Lock()
	l.Info.Redis.Cluster = addrs
	l.infoMu.Unlock()
}

// clusterVictim is the primary holding the most keys.
func (c *clusterRun) clusterVictim(ctx context.Context) (*clusterNode, error) {
	nodes := c.liveNodes()
	var best *clusterNode
	bestKeys, bestSlot := int64(-1), 1<<30
	for _, n := range nodes {
		rdb := c.client(n)
		role, err := rdb.Info(ctx, "replication").Result()
		var keys int64
		if err == nil && infoField(role, "role") == "master" {
			keys, err = rdb.DBSize(ctx).Result()
		}
		rdb.Close()
		if err != nil || infoField(role, "role") != "master" {
			continue
		}
		low := c.lowestSlot(ctx, n)
		if low < 0 {
			continue // a primary without slots (none in this lab) is no victim
		}
		if keys > bestKeys || keys == bestKeys && low < bestSlot {
			best, bestKeys, bestSlot = n, keys, low
		}
	}
	if best == nil {
		return nil, errors.New("no live primary with slots answers")
	}
	return best, nil
}

// lowestSlot is the lowest slot node n serves, by its own CLUSTER NODES
// line; -1 when it serves none or does not answer.
func (c *clusterRun) lowestSlot(ctx context.Context, n *clusterNode) int {
	rdb := c.client(n)
	defer rdb.Close()
	out, err := rdb.ClusterNodes(ctx).Result()
	if err != nil {
		return -1
	}
	for line := range strings.SplitSeq(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 9 || !strings.Contains(f[2], "myself") {
			continue
		}
		lo, _, _ := strings.Cut(f[8], "-")
		if v, err := strconv.Atoi(lo); err == nil {
			return v
		}
	}
	return -1
}

func clusterInjectKill(ctx context.Context, l *Lab, _ processFaulter, _ Fault) error {
	c, _ := l.clusterRun()
	c.mu.Lock()
	busy := c.killed != nil
	c.mu.Unlock()
	if busy {
		return errors.New("a killed primary is not healed yet: heal it first (fault heal all)")
	}
	n, err := c.clusterVictim(ctx)
	if err != nil {
		return err
	}
	if err := c.pool.Client.KillContainer(dc.KillContainerOptions{ID: n.res.Container.ID, Signal: dc.SIGKILL,
		Context: ctx}); err != nil && !isNoSuchContainer(err) {
		return fmt.Errorf("kill the primary %s: %w", n.name, err)
	}
	c.mu.Lock()
	for i, m := range c.nodes {
		if m == n {
			c.nodes = append(c.nodes[:i], c.nodes[i+1:]...)
			break
		}
	}
	c.killed = n
	c.mu.Unlock()
	l.clusterRecordNodes()
	return nil
}

// clusterHealKill waits (bounded by ctx) until the cluster is ok again
// without the killed primary (its replica elected), makes every node forget
// it, and adds a new, empty replica of the promoted node, waiting until it
// has synchronised and the cluster agrees.
func clusterHealKill(ctx context.Context, l *Lab, _ processFaulter, _ Fault) error {
	c, _ := l.clusterRun()
	c.mu.Lock()
	dead := c.killed
	c.mu.Unlock()
	if dead == nil {
		return nil
	}
	// The promotion: every live node ok, serving every slot, and one
	// primary without a replica (the promoted one).
	var orphan *clusterNode
	err := poll(ctx, func(ctx context.Context) error {
		var err error
		orphan, err = c.promoted(ctx, dead)
		return err
	})
	if err != nil {
		return fmt.Errorf("wait for the cluster to elect the killed %s's replica: %w", dead.name, err)
	}
	// FORGET on every node within a minute, or gossip brings it back.
	c.mu.Lock()
	nodes := append([]*clusterNode(nil), c.nodes...)
	c.started++
	name := fmt.Sprintf("node-%d", c.started)
	c.mu.Unlock()
	for _, n := range nodes {
		rdb := c.client(n)
		err := rdb.ClusterForget(ctx, dead.id).Err()
		rdb.Close()
		if err != nil && !strings.Contains(err.Error(), "Unknown node") {
			return fmt.Errorf("make %s forget the killed %s: %w", n.name, dead.name, err)
		}
	}
	n, err := c.runNode(ctx, name)
	if err != nil {
		if n != nil && n.res != nil {
			_ = c.pool.Purge(n.res)
		}
		return err
	}
	if err := c.waitAnswer(ctx, n); err != nil {
		return err
	}
	first := c.client(orphan)
	err = first.ClusterMeet(ctx, n.ip, strconv.Itoa(clusterRedisPort)).Err()
	first.Close()
	if err != nil {
		return fmt.Errorf("cluster meet the new %s: %w", n.name, err)
	}
	c.mu.Lock()
	c.nodes = append(c.nodes, n)
	c.killed = nil
	c.mu.Unlock()
	l.clusterRecordNodes()
	rdb := c.client(n)
	err = poll(ctx, func(ctx context.Context) error { return rdb.Do(ctx, "cluster", "replicate", orphan.id).Err() })
	rdb.Close()
	if err != nil {
		return fmt.Errorf("make the new %s a replica of %s: %w", n.name, orphan.name, err)
	}
	return poll(ctx, func(ctx context.Context) error {
		_, err := c.clusterState(ctx, len(nodes)+1)
		return err
	})
}

// promoted checks once that the cluster is ok again without dead and
// returns the live primary that has no replica (the elected one).
func (c *clusterRun) promoted(ctx context.Context, dead *clusterNode) (*clusterNode, error) {
	var orphan *clusterNode
	for _, n := range c.liveNodes() {
		ci, repl, err := c.nodeInfo(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n.name, err)
		}
		if infoField(ci, "cluster_state") != "ok" || infoField(ci, "cluster_slots_ok") != "16384" {
			return nil, fmt.Errorf("%s: cluster state %s, %s slots ok", n.name,
				infoField(ci, "cluster_state"), infoField(ci, "cluster_slots_ok"))
		}
		if infoField(repl, "role") == "master" && infoField(repl, "connected_slaves") == "0" {
			orphan = n
		}
	}
	if orphan == nil {
		return nil, fmt.Errorf("no primary has taken over from the killed %s yet", dead.name)
	}
	return orphan, nil
}
