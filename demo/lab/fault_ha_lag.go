package lab

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	dc "github.com/ory/dockertest/v3/docker"
)

// The lag before a redis_primary_kill (FaultRedisPrimaryKill with Lag).
//
// What a failover loses is what the primary acknowledged and the promoted
// replica never received. Between containers on one host the replication
// stream arrives within a millisecond, so a kill alone finds the replicas
// complete. To show the loss honestly, the replicas are made to fall
// behind the way a network does it: they are disconnected from the
// replication network (Docker network disconnect), so the primary's stream
// to them goes nowhere, while the primary keeps acknowledging the engine's
// writes on the client network. The kill follows, and only once the dead
// primary's container is gone (with it the socket that still held the
// unsent stream, which would otherwise deliver it on reconnection) are the
// replicas reconnected at their old addresses. The Sentinels, still
// connected to the primary during the lag, see it die at the kill and
// promote a replica that lacks everything acknowledged during the lag.
//
// pausing the replicas (docker pause) would not do: the kernel keeps
// receiving the stream for a frozen process, which applies it on thaw.

// maxKillLag bounds Lag: replicas cut off for longer than Sentinel's
// down-after are down for the Sentinels too, and a failover that finds no
// replica up waits for failover-timeout before it tries again.
const maxKillLag = 5 * time.Second

// cutNode is a node disconnected from repl, and the address it must get
// back.
type cutNode struct {
	n  *haNode
	ip string
}

// cutReplicas disconnects every Redis node but the primary from the
// replication network, side by side. The nodes it did cut are returned
// even with an error, so the caller reconnects them.
func (h *haRun) cutReplicas(ctx context.Context, primary *haNode) ([]cutNode, error) {
	h.mu.Lock()
	var todo []cutNode
	for _, n := range h.nodes {
		if n != primary {
			todo = append(todo, cutNode{n: n, ip: n.replIP})
		}
	}
	h.mu.Unlock()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		cut  []cutNode
		errs []error
	)
	for _, c := range todo {
		wg.Go(func() {
			err := h.pool.Client.DisconnectNetwork(h.repl.ID, dc.NetworkConnectionOptions{
				Container: c.n.res.Container.ID, Force: true, Context: ctx})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("cut replica %s off the replication network: %w", c.n.name, err))
				return
			}
			cut = append(cut, c)
		})
	}
	wg.Wait()
	return cut, errors.Join(errs...)
}

// reconnect joins the cut replicas to the replication network again at
// their old addresses (Sentinel knows them by those), side by side. It
// runs after the caller's context may have ended, so it has its own bound.
func (h *haRun) reconnect(ctx context.Context, cut []cutNode) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(cut))
	for i, c := range cut {
		wg.Go(func() {
			err := h.pool.Client.ConnectNetwork(h.repl.ID, dc.NetworkConnectionOptions{Container: c.n.res.Container.ID,
				EndpointConfig: &dc.EndpointConfig{IPAMConfig: &dc.EndpointIPAMConfig{IPv4Address: c.ip}}, Context: rctx})
			if err != nil && !strings.Contains(strings.ToLower(err.Error()), "already exists") {
				errs[i] = fmt.Errorf("reconnect replica %s: %w", c.n.name, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// waitGone waits (at most 10 s, or ctx) until the killed node's container
// has been removed (it runs with AutoRemove), network endpoints and all.
func (h *haRun) waitGone(ctx context.Context, n *haNode) {
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for wctx.Err() == nil {
		if _, err := h.pool.Client.InspectContainerWithContext(n.res.Container.ID, wctx); err != nil && isNoSuchContainer(err) {
			return
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-wctx.Done():
		}
	}
}
