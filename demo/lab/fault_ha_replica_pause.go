package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// FaultRedisReplicaPause freezes one Redis replica of the ha topology
// (docker pause: every process of its container stopped by the cgroup
// freezer) for For, then lets it go on its own; `fault heal` or the lab's
// close lets it go sooner. A learner sees the quiet failure a replica
// has: it accepts connections and answers nothing, so a PING to it hangs;
// after Sentinel's down-after (1 s) the Sentinels mark it subjectively
// down (+sdown); writes to the primary go on and are acknowledged, and
// nothing is lost: the kernel keeps the replication stream for the frozen
// process, which applies it on thaw and is the primary's equal again
// within a moment. It is the fault that shows a replica's trouble is not
// the writer's, as long as the primary lives.
const FaultRedisReplicaPause FaultKind = "redis_replica_pause"

// minReplicaPause and maxReplicaPause bound For: long enough for any lesson, short enough
// that a forgotten pause ends on its own.
const (
	minReplicaPause = 100 * time.Millisecond
	maxReplicaPause = 10 * time.Minute
)

func init() {
	registerFault(faultDef{
		FaultInfo: FaultInfo{Kind: FaultRedisReplicaPause, Target: TargetRedis, Needs: NeedHA,
			Syntax: "redis_replica_pause=DUR", Example: "redis_replica_pause=5s",
			Help: "ha: freeze one replica for DUR (docker pause): it answers nothing, Sentinel marks it down " +
				"after 1s, writes to the primary go on, nothing is lost",
			MenuKey: "r", MenuLabel: "pause a Redis replica for 5s (writes go on, nothing lost)",
			MenuFault: Fault{Kind: FaultRedisReplicaPause, For: 5 * time.Second},
			MenuDone: "A replica frozen for 5s: it answers nothing, Sentinel marks it down after 1s; " +
				"writes go on, nothing is lost."},
		missing: "redis_replica_pause needs how long, e.g. redis_replica_pause=5s",
		parse: func(f *Fault, v, _ string, dur durParser) (err error) {
			f.For, err = dur("redis_replica_pause", v)
			return err
		},
		check: func(f Fault, ms msChecker, spec string) error {
			if f.For > maxReplicaPause {
				return badFault(spec, "redis_replica_pause: %v is more than %v; use e.g. redis_replica_pause=5s",
					f.For, maxReplicaPause)
			}
			if f.For < minReplicaPause {
				return badFault(spec, "redis_replica_pause: a pause of %v is too short to see; use e.g. "+
					"redis_replica_pause=5s (at least %v)", f.For, minReplicaPause)
			}
			return nil
		},
		// A heal names the kind alone (no For): "redis_replica_pause".
		format: func(f Fault) string {
			if f.For == 0 {
				return ""
			}
			return "=" + f.For.String()
		},
		supports: haSupports,
		process: &processDef{inject: haInjectReplicaPause, heal: haHealReplicaPause,
			onClose: func(ctx context.Context, l *Lab, _ processFaulter) { _ = haUnpauseReplica(ctx, l) }},
	})
}

// haInjectReplicaPause pauses the first replica (a node Sentinel does not
// name the primary) and arms the timer that heals the fault after f.For
// through Heal, so the book of active faults and the observers hear of
// it as of any heal.
func haInjectReplicaPause(ctx context.Context, l *Lab, _ processFaulter, f Fault) error {
	h, _ := l.haRun()
	primary, err := h.primaryNode(ctx)
	if err != nil {
		return err
	}
	h.mu.Lock()
	var n *haNode
	for _, m := range h.nodes {
		if m != primary && m != h.partitioned {
			n = m
			break
		}
	}
	h.mu.Unlock()
	if n == nil {
		return errors.New("this ha lab has no replica to pause (heal a kill first: it adds one)")
	}
	err = runBounded(ctx, "docker pause", func() error { return h.pool.Client.PauseContainer(n.res.Container.ID) })
	if err != nil {
		if !errors.Is(err, errToxiproxyStuck) && pauseUnsupported(err) {
			return fmt.Errorf("%w: this Docker cannot pause containers (%v)", ErrFaultUnavailable, err)
		}
		return fmt.Errorf("pause replica %s: %w", n.name, err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.paused = n
	h.pauseGen++
	gen := h.pauseGen
	life := l.faults.life
	h.pauseTimer = time.AfterFunc(f.For, func() {
		h.mu.Lock()
		same := h.paused == n && h.pauseGen == gen
		h.mu.Unlock()
		if same && life.Err() == nil {
			_ = l.Heal(life, FaultRedisReplicaPause)
		}
	})
	return nil
}

// haHealReplicaPause lets the paused replica go and waits (bounded by
// ctx) until it answers a PING again.
func haHealReplicaPause(ctx context.Context, l *Lab, _ processFaulter, _ Fault) error {
	h, _ := l.haRun()
	h.mu.Lock()
	n := h.paused
	h.mu.Unlock()
	if err := haUnpauseReplica(ctx, l); err != nil {
		return err
	}
	if n == nil || n.clientIP == "" {
		return nil
	}
	rdb := redis.NewClient(&redis.Options{Addr: net.JoinHostPort(n.clientIP, strconv.Itoa(haRedisPort)),
		Password: h.password, MaxRetries: -1, DialTimeout: time.Second, ReadTimeout: time.Second,
		ContextTimeoutEnabled: true})
	defer rdb.Close()
	if err := poll(ctx, func(ctx context.Context) error { return rdb.Ping(ctx).Err() }); err != nil {
		return fmt.Errorf("replica %s unpaused, but it does not answer: %w", n.name, err)
	}
	return nil
}

// haUnpauseReplica stops the timer and unpauses the paused replica, if
// any; the replica stays recorded as paused when Docker refuses, so a
// later heal tries again.
func haUnpauseReplica(ctx context.Context, l *Lab) error {
	h, ok := l.haRun()
	if !ok {
		return nil
	}
	h.mu.Lock()
	n, t := h.paused, h.pauseTimer
	h.mu.Unlock()
	if t != nil {
		t.Stop()
	}
	if n == nil {
		return nil
	}
	err := runBounded(ctx, "docker unpause", func() error {
		err := h.pool.Client.UnpauseContainer(n.res.Container.ID)
		if err != nil && (strings.Contains(err.Error(), "not paused") || isNoSuchContainer(err)) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("unpause replica %s: %w", n.name, err)
	}
	h.mu.Lock()
	if h.paused == n {
		h.paused, h.pauseTimer = nil, nil
	}
	h.mu.Unlock()
	return nil
}
