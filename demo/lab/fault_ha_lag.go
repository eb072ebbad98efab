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
// writes on the client network. After the lag the primary leaves the
// replication network too (so the stream its sockets still hold can never
// be delivered once the replicas are back), is killed, and the replicas
// rejoin at their old addresses. The
// Sentinels see the primary gone from that moment and promote a replica
// that lacks everything acknowledged during the lag.
//
// Pausing the replicas (docker pause) would not do: the kernel keeps
// receiving the stream for a frozen process, which applies it on thaw.

// maxKillLag bounds Lag below Sentinel's down-after (haDownAfter, 1 s),
// with room for the Docker calls: replicas cut off that long are down for
// the Sentinels too, and a failover that finds no replica up waits twice
// the failover-timeout (8 s) before it tries again.
const maxKillLag = 800 * time.Millisecond

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

// isolateDying disconnects the primary about to be killed from the
// replication network, so the stream it still holds for the cut replicas
// can never reach them: killed, its sockets would go on retransmitting
// until its container is removed (a second or more on a busy machine),
// and the replicas, rejoining before that, would receive it. Removing the
// endpoint first lets them rejoin at once, well inside Sentinel's
// down-after, so the Sentinels never see them down. When the disconnect
// fails the caller waits for the killed container's removal instead
// (waitGone).
func (h *haRun) isolateDying(ctx context.Context, n *haNode) (isolated bool) {
	return h.pool.Client.DisconnectNetwork(h.repl.ID, dc.NetworkConnectionOptions{Container: n.res.Container.ID,
		Force: true, Context: ctx}) == nil
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
