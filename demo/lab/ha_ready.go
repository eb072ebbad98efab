package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
	"github.com/redis/go-redis/v9"
)

// waitHAReady waits until the topology can fail over: the primary answers
// with both replicas online, and every Sentinel knows both replicas and the
// two other Sentinels (a failover needs a majority of Sentinels that know
// each other). A lab that reported ready before that would lose its first
// failover to a Sentinel still discovering its peers.
func (h *haRun) waitHAReady(ctx context.Context, start time.Time, progress ProgressFunc) error {
	progress(Progress{Service: "redis", Phase: PhaseWaiting, Detail: "replicas in sync, sentinels know each other",
		Elapsed: time.Since(start)})
	var seen string
	err := poll(ctx, func(ctx context.Context) error {
		state, err := h.haState(ctx)
		if state != seen && state != "" {
			seen = state
			progress(Progress{Service: "redis", Phase: PhaseWaiting, Detail: state, Elapsed: time.Since(start)})
		}
		return err
	})
	if err != nil {
		progress(Progress{Service: "redis", Phase: PhaseFailed, Detail: err.Error(), Elapsed: time.Since(start)})
		return fmt.Errorf("redis ha topology did not become ready: %w", err)
	}
	progress(Progress{Service: "redis", Phase: PhaseReady, Elapsed: time.Since(start),
		Detail: "primary + 2 replicas + 3 sentinels at " + h.nodes[0].replIP})
	return nil
}

// replicasOnline asks the primary (h.nodes[0]) whether both replicas are
// online; the string says how many are.
func (h *haRun) replicasOnline(ctx context.Context) (string, error) {
	primary := h.nodes[0]
	rdb := redis.NewClient(&redis.Options{Addr: net.JoinHostPort(primary.clientIP, strconv.Itoa(haRedisPort)),
		Password: h.password, MaxRetries: -1, DialTimeout: time.Second, ContextTimeoutEnabled: true})
	defer rdb.Close()
	repl, err := rdb.Info(ctx, "replication").Result()
	if err != nil {
		return "", fmt.Errorf("primary: %w", err)
	}
	online := strings.Count(repl, "state=online")
	state := fmt.Sprintf("%d/2 replicas online", online)
	if online < 2 {
		return state, errors.New(state)
	}
	return state, nil
}

// haState checks the topology once; the string says how far it is.
func (h *haRun) haState(ctx context.Context) (string, error) {
	state, err := h.replicasOnline(ctx)
	if err != nil {
		return state, err
	}
	for _, s := range h.sentinels {
		sc := h.sentinelClient(s)
		reps, err := sc.Replicas(ctx, HAMasterName).Result()
		if err == nil && len(reps) < 2 {
			err = fmt.Errorf("knows %d of 2 replicas", len(reps))
		}
		var peers []map[string]string
		if err == nil {
			peers, err = sc.Sentinels(ctx, HAMasterName).Result()
		}
		if err == nil && len(peers) < 2 {
			err = fmt.Errorf("knows %d of 2 other sentinels", len(peers))
		}
		sc.Close()
		if err != nil {
			return state + "; " + s.name + " " + err.Error(), fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return state + "; sentinels agree", nil
}

func (h *haRun) sentinelClient(s *haNode) *redis.SentinelClient {
	return redis.NewSentinelClient(&redis.Options{Addr: net.JoinHostPort(s.replIP, strconv.Itoa(haSentinelPort)),
		Password: h.password, MaxRetries: -1, DialTimeout: time.Second, ContextTimeoutEnabled: true})
}

// masterAddr asks the Sentinels, one after another, where the primary is
// now (its repl address).
func (h *haRun) masterAddr(ctx context.Context) (string, error) {
	var errs []error
	for _, s := range h.sentinels {
		sc := h.sentinelClient(s)
		addr, err := sc.GetMasterAddrByName(ctx, HAMasterName).Result()
		sc.Close()
		if err == nil && len(addr) == 2 {
			return addr[0], nil
		}
		errs = append(errs, fmt.Errorf("%s: %v", s.name, err))
	}
	return "", fmt.Errorf("no sentinel names the primary: %w", errors.Join(errs...))
}

// removeRunNetworks removes the networks labelled with runID.
func removeRunNetworks(ctx context.Context, pool *dockertest.Pool, runID string) error {
	return removeLabNetworks(ctx, pool, runID, true)
}

// removeLabNetworks removes the lab networks of runID, or with runID ""
// every lab network (all) or those whose owner on this host is gone, as
// purgeStale does for containers. A network still in use by a container
// is left: its containers' removal comes first on every path.
func removeLabNetworks(ctx context.Context, pool *dockertest.Pool, runID string, all bool) error {
	filter := map[string]bool{LabelLab + "=1": true}
	if runID != "" {
		filter[LabelRun+"="+runID] = true
	}
	list, err := pool.Client.FilteredListNetworks(dc.NetworkFilterOpts{"label": filter})
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range list {
		if runID == "" && !all && !networkStale(n.Labels) {
			continue
		}
		if err := pool.Client.RemoveNetwork(n.ID); err != nil {
			var nsn *dc.NoSuchNetwork
			if !errors.As(err, &nsn) {
				errs = append(errs, fmt.Errorf("remove network %s: %w", n.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// networkStale: started on this host by a process that no longer runs.
func networkStale(labels map[string]string) bool {
	host, _ := os.Hostname()
	return labels[LabelHost] == host && !ownerAlive(labels[LabelPID])
}

// CountNetworks counts the labelled lab networks of one run (all runs when
// runID is ""), for the leak checks of the tests.
func CountNetworks(ctx context.Context, runID string) (int, error) {
	pool, err := newDockerPool(ctx)
	if err != nil {
		return 0, err
	}
	filter := map[string]bool{LabelLab + "=1": true}
	if runID != "" {
		filter[LabelRun+"="+runID] = true
	}
	list, err := pool.Client.FilteredListNetworks(dc.NetworkFilterOpts{"label": filter})
	return len(list), err
}

// CountNetworksOfPID counts the labelled lab networks created by the
// process pid, for the leak checks of tests that drive a cqrslab binary
// and know its pid before any run ID (a start cut short).
func CountNetworksOfPID(ctx context.Context, pid int) (int, error) {
	pool, err := newDockerPool(ctx)
	if err != nil {
		return 0, err
	}
	list, err := pool.Client.FilteredListNetworks(dc.NetworkFilterOpts{"label": {LabelLab + "=1": true,
		LabelPID + "=" + strconv.Itoa(pid): true}})
	return len(list), err
}
