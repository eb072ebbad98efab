package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	dc "github.com/ory/dockertest/v3/docker"
	"github.com/redis/go-redis/v9"
)

// The fault kinds of the ha topology (docker_ha.go). They act on whichever
// node Sentinel names the primary at the moment of the fault, so they can
// be repeated after a failover.
const (
	// FaultRedisPrimaryKill kills the Redis primary (SIGKILL, its
	// container removed): Sentinel promotes a replica after
	// down-after-milliseconds. Writes the primary acknowledged but had not
	// yet sent to the promoted replica are gone. On one host replication
	// takes well under a millisecond, so a bare kill almost never finds a
	// write the replicas lack; with Lag (redis_primary_kill=500ms) the
	// replicas first fall behind for real: they are disconnected from the
	// replication network for Lag while the primary, which the engine
	// still reaches on the client network, keeps acknowledging writes;
	// then the primary leaves that network and is killed, and the
	// replicas are reconnected at their addresses, in time for Sentinel to
	// promote one of them (fault_ha_lag.go). Healing waits for the failover to finish,
	// then replaces the dead node with a new, empty replica (as an
	// operator would), so the topology is whole again.
	FaultRedisPrimaryKill FaultKind = "redis_primary_kill"
	// FaultRedisPartition disconnects the primary from the replication
	// network (Sentinels and replicas) while the engine still reaches it:
	// it keeps acknowledging writes, Sentinel promotes a replica, and when
	// healed the old primary rejoins at its old address, Sentinel makes it
	// a replica of the new one and it throws away every write it took
	// alone.
	FaultRedisPartition FaultKind = "redis_partition"
)

// DefaultKillLag is the lag the redis-failover scenario and the Lab
// screen's kill key use: long enough for the engine to get writes
// acknowledged that the replicas never receive, well below maxKillLag.
const DefaultKillLag = 500 * time.Millisecond

// NeedHA: the docker provider's ha topology.
const NeedHA FaultNeed = "ha"

// The ha kinds are declared in the registry (fault_kinds.go) as process
// kinds of their own Need: the dispatcher holds the process slot, bounds
// them by ProcessFaultTimeout and keeps the book of active faults; the
// actions below only act on the topology.
func init() {
	registerFault(faultDef{
		FaultInfo: FaultInfo{Kind: FaultRedisPrimaryKill, Target: TargetRedis, Needs: NeedHA,
			Syntax: "redis_primary_kill[=LAG]", Example: "redis_primary_kill=500ms",
			Help: "ha: kill the primary (replicas cut off for LAG first); heal adds a replica",
			// The menu's kill is the scenario's lagged one: a bare kill on
			// one host finds the replicas complete and loses nothing, so a
			// learner pressing k would see no loss at all.
			MenuKey: "k", MenuLabel: "cut the replicas off for " + DefaultKillLag.String() + ", then kill the Redis primary",
			MenuFault: Fault{Kind: FaultRedisPrimaryKill, Lag: DefaultKillLag},
			MenuDone: "Replicas cut off for " + DefaultKillLag.String() + ", then the primary killed: Sentinel " +
				"promotes a replica without the writes acknowledged in those " + DefaultKillLag.String() +
				"; PostgreSQL has them."},
		parse: func(f *Fault, v, _ string, dur durParser) (err error) {
			f.Lag, err = dur("redis_primary_kill", v)
			return err
		},
		check: func(f Fault, ms msChecker, spec string) error {
			if f.Lag > maxKillLag {
				return badFault(spec, "redis_primary_kill: a lag of %v is more than %v; replicas cut off for "+
					"Sentinel's down-after (1s) are down for it too and the failover stalls; use e.g. "+
					"redis_primary_kill=500ms", f.Lag, maxKillLag)
			}
			return ms("lag", f.Lag, 0)
		},
		format: func(f Fault) string {
			if f.Lag > 0 {
				return "=" + f.Lag.String()
			}
			return ""
		},
		supports: haSupports,
		process:  &processDef{inject: haInjectKill, heal: haHealKill},
	})
	registerFault(faultDef{
		FaultInfo: FaultInfo{Kind: FaultRedisPartition, Target: TargetRedis, Needs: NeedHA,
			Syntax: "redis_partition", Example: "redis_partition",
			Help:    "ha: isolate the primary; its lone writes are lost",
			MenuKey: "i", MenuLabel: "isolate the Redis primary (split brain)",
			MenuFault: Fault{Kind: FaultRedisPartition}},
		supports: haSupports,
		process:  &processDef{inject: haInjectPartition, heal: haHealPartition},
	})
}

func (l *Lab) haRun() (*haRun, bool) {
	h, ok := l.servers.(*haRun)
	return h, ok
}

func haSupports(l *Lab, _ Fault) error {
	if _, ok := l.haRun(); !ok {
		return fmt.Errorf("%w: this fault needs the ha topology (lab up --topology ha, --infra docker); "+
			"this lab has one Redis", ErrFaultUnavailable)
	}
	return nil
}

// topologyRefuses says which faults of chapter one the ha topology cannot
// do honestly: the Redis network kinds act on the lab's proxy, which the
// ha engine does not use (it follows Sentinel to whichever node is
// primary), and pause/stop/restart_data_loss name "the" Redis, of which
// ha has three.
func (l *Lab) topologyRefuses(f Fault) error {
	if _, ok := l.haRun(); !ok {
		return nil
	}
	d, _ := faultDefOf(f.Kind)
	if d.Needs == NeedHA || d.Target == TargetPostgres || f.Target == TargetPostgres {
		return nil
	}
	return fmt.Errorf("%w: %s acts on a single Redis; on topology ha use %s, %s or %s (PostgreSQL faults work as usual)",
		ErrFaultUnavailable, f.Kind, FaultRedisPrimaryKill, FaultRedisPartition, FaultRedisReplicaPause)
}

// haAfterProxies gives the engine of this process the ha dialer (see
// haRun.dial) instead of the fault layer's, which dials one fixed server.
func (l *Lab) haAfterProxies() {
	h, ok := l.haRun()
	if !ok {
		return
	}
	l.infoMu.Lock()
	l.Info.Redis.Dial = h.dial
	l.infoMu.Unlock()
	l.haRecordNodes()
}

// haRecordNodes writes the current node map into Info (and so into the
// state file `lab up` keeps), after a node was added or removed.
func (l *Lab) haRecordNodes() {
	h, _ := l.haRun()
	h.mu.Lock()
	m := map[string]string{}
	for _, n := range h.nodes {
		m[n.replIP] = n.clientIP
	}
	h.mu.Unlock()
	l.infoMu.Lock()
	l.Info.Redis.NodeAddrs = m
	l.infoMu.Unlock()
}

// NodeDialer dials the ha topology's nodes at their client addresses (see
// NodeAddrs); nil when there is no map (a single lab).
func (r RedisInfo) NodeDialer() DialFunc {
	if len(r.NodeAddrs) == 0 {
		return nil
	}
	m := r.NodeAddrs
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil {
			if c, ok := m[host]; ok && c != "" {
				addr = net.JoinHostPort(c, port)
			}
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
}

// primaryNode is the node Sentinel names the primary now.
func (h *haRun) primaryNode(ctx context.Context) (*haNode, error) {
	ip, err := h.masterAddr(ctx)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, n := range h.nodes {
		if n.replIP == ip {
			return n, nil
		}
	}
	return nil, fmt.Errorf("sentinel names %s the primary, which is no node of this lab (killed?)", ip)
}

func haInjectKill(ctx context.Context, l *Lab, _ processFaulter, f Fault) (err error) {
	h, _ := l.haRun()
	n, err := h.primaryNode(ctx)
	if err != nil {
		return err
	}
	if len(h.nodes) < 2 {
		return errors.New("the primary is the last Redis node: killing it leaves nothing to promote")
	}
	isolated := true // the killed primary can reach no replica: no lag, or isolateDying
	if f.Lag > 0 {
		cut, err := h.cutReplicas(ctx, n)
		// Reconnected on every path: after the kill below, or at once
		// when the kill never happened.
		defer func() {
			if e := h.reconnect(ctx, cut); e != nil && err == nil {
				err = e
			}
		}()
		if err != nil {
			return err
		}
		select {
		case <-time.After(f.Lag):
		case <-ctx.Done():
			return ctx.Err()
		}
		isolated = h.isolateDying(ctx, n)
	}
	if err := h.pool.Client.KillContainer(dc.KillContainerOptions{ID: n.res.Container.ID, Signal: dc.SIGKILL,
		Context: ctx}); err != nil && !isNoSuchContainer(err) {
		return fmt.Errorf("kill the primary %s: %w", n.name, err)
	}
	if !isolated {
		h.waitGone(ctx, n)
	}
	h.mu.Lock()
	for i, m := range h.nodes {
		if m == n {
			h.nodes = append(h.nodes[:i], h.nodes[i+1:]...)
			break
		}
	}
	h.killed = n
	h.mu.Unlock()
	return nil
}

// haHealKill waits (bounded by ctx) until the Sentinels name a primary
// other than the killed one, then starts a new, empty replica of it on
// both networks and waits until it has synchronised.
func haHealKill(ctx context.Context, l *Lab, _ processFaulter, _ Fault) error {
	h, _ := l.haRun()
	h.mu.Lock()
	dead := h.killed
	h.started++
	name := fmt.Sprintf("replica-%d", h.started-1)
	h.mu.Unlock()
	if dead == nil {
		return nil
	}
	var primary string
	err := poll(ctx, func(ctx context.Context) error {
		ip, err := h.masterAddr(ctx)
		if err == nil && ip == dead.replIP {
			err = fmt.Errorf("sentinels still name the killed %s the primary", dead.name)
		}
		primary = ip
		return err
	})
	if err != nil {
		return fmt.Errorf("wait for the failover: %w", err)
	}
	n, err := h.runRedisNode(ctx, name, Options{RedisImage: h.image}, h.labels("redis"), primary)
	if err != nil {
		return err
	}
	h.mu.Lock()
	h.nodes = append(h.nodes, n)
	h.killed = nil
	h.mu.Unlock()
	l.haRecordNodes()
	return h.waitSynced(ctx, n)
}

// waitSynced waits until node n is a replica whose link to its primary is
// up.
func (h *haRun) waitSynced(ctx context.Context, n *haNode) error {
	rdb := redis.NewClient(&redis.Options{Addr: net.JoinHostPort(n.clientIP, strconv.Itoa(haRedisPort)),
		Password: h.password, MaxRetries: -1, DialTimeout: time.Second, ContextTimeoutEnabled: true})
	defer rdb.Close()
	return poll(ctx, func(ctx context.Context) error {
		info, err := rdb.Info(ctx, "replication").Result()
		if err != nil {
			return err
		}
		if !strings.Contains(info, "role:slave") || !strings.Contains(info, "master_link_status:up") {
			return fmt.Errorf("%s is not a synchronised replica yet", n.name)
		}
		return nil
	})
}

func haInjectPartition(ctx context.Context, l *Lab, _ processFaulter, _ Fault) error {
	h, _ := l.haRun()
	h.mu.Lock()
	already := h.partitioned != nil
	h.mu.Unlock()
	if already {
		return nil
	}
	n, err := h.primaryNode(ctx)
	if err != nil {
		return err
	}
	if err := h.pool.Client.DisconnectNetwork(h.repl.ID, dc.NetworkConnectionOptions{Container: n.res.Container.ID,
		Force: true, Context: ctx}); err != nil {
		return fmt.Errorf("disconnect the primary %s from the replication network: %w", n.name, err)
	}
	h.mu.Lock()
	h.partitioned, h.partitionedIP = n, n.replIP
	h.mu.Unlock()
	return nil
}

// haHealPartition reconnects the old primary at its old address, then
// waits (bounded by ctx) until Sentinel has made it a replica and it has
// synchronised: from then on the writes it took alone are gone for sure,
// which is what an experiment counts after the heal.
func haHealPartition(ctx context.Context, l *Lab, _ processFaulter, _ Fault) error {
	h, _ := l.haRun()
	h.mu.Lock()
	n, ip := h.partitioned, h.partitionedIP
	h.mu.Unlock()
	if n == nil {
		return nil
	}
	err := h.pool.Client.ConnectNetwork(h.repl.ID, dc.NetworkConnectionOptions{Container: n.res.Container.ID,
		EndpointConfig: &dc.EndpointConfig{IPAMConfig: &dc.EndpointIPAMConfig{IPv4Address: ip}}, Context: ctx})
	if err != nil && !strings.Contains(strings.ToLower(err.Error()), "already exists") {
		return fmt.Errorf("reconnect the old primary %s: %w", n.name, err)
	}
	h.mu.Lock()
	h.partitioned = nil
	h.mu.Unlock()
	if err := h.waitSynced(ctx, n); err != nil {
		return fmt.Errorf("old primary reconnected, but it did not rejoin: %w", err)
	}
	return nil
}
