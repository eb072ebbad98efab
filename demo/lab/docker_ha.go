package lab

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
)

// The ha topology on the docker provider: PostgreSQL as in the single lab,
// and a Redis primary, two replicas and three Sentinels (the same Redis
// image, `redis-server --sentinel`) on networks the lab creates.
//
// Two networks, both labelled with the run like the containers:
//
//   - repl, where replication and Sentinel traffic flows: every Redis node
//     and every Sentinel. Sentinel announces the nodes' repl addresses. The
//     partition fault disconnects the primary from this network only.
//   - client, where the engine reaches the Redis nodes: every Redis node,
//     no Sentinel. The engine's dialer (haRun.dial) maps a node's repl
//     address, which Sentinel hands out, to its client address, so a
//     partitioned primary is cut off from its replicas and Sentinels but
//     still reachable by the engine, which keeps writing to it: those
//     acknowledged writes are the ones lost when it rejoins as a replica.
//
// The host reaches containers by their own addresses on a Linux bridge
// (see reach.go); Docker Desktop, Colima and Podman machines do not route
// there, so ha refuses to start on them rather than pretend. The lab only
// ever talks to loopback and to the networks it created.
//
// The repl network gets a subnet the lab picks (a free random /24 of
// 10.213.0.0/16; Docker refuses overlaps, and another is tried), because a
// reconnected primary must come back at its old address: Sentinel knows it
// by that address and demotes it to a replica only when it finds it there.

const (
	haRedisPort    = 6379
	haSentinelPort = 26379
	// haDownAfter is Sentinel's down-after-milliseconds: how long the
	// primary may be silent before a Sentinel calls it down. One second
	// keeps the lesson's failover short; production uses 5-30 s.
	haDownAfter = 1000
)

// haNode is one Redis server or Sentinel of the ha topology.
type haNode struct {
	name     string // primary, replica-1, sentinel-1, ...
	res      *dockertest.Resource
	replIP   string // on the repl network (what Sentinel announces)
	clientIP string // on the client network ("" for Sentinels)
}

// haRun is a running ha topology: PostgreSQL through the embedded
// dockerRun (its Redis is nil), the Redis nodes and Sentinels here.
type haRun struct {
	*dockerRun
	password      string
	repl, client  *dc.Network
	mu            sync.Mutex
	nodes         []*haNode // Redis servers; a killed primary is removed
	sentinels     []*haNode
	partitioned   *haNode // disconnected from repl by a partition fault
	partitionedIP string
	killed        *haNode // the primary a kill fault removed, until healed
	// paused is the replica a redis_replica_pause froze, until it is let
	// go; pauseTimer lets it go after the fault's For, and pauseGen tells
	// that timer whether the pause it was armed for is still the one.
	paused     *haNode
	pauseTimer *time.Timer
	pauseGen   int
	image      string // the Redis image, for replacement nodes
	started    int    // Redis nodes started so far, for their names
	// pgReplica is PostgreSQL's streaming replica (docker_pg_replica.go)
	// and pgReplicaInfo how to reach it, once it is ready.
	pgReplica     *container
	pgReplicaInfo PostgresInfo
}

// startDockerHA starts the ha topology (see the top of this file).
func startDockerHA(ctx context.Context, opts Options, progress ProgressFunc) (l *Lab, err error) {
	pool, opts, runID, labels, start, err := dockerPrelude(ctx, opts, progress)
	if err != nil {
		return nil, err
	}
	pgPass, redisPass := RandomPassword(), RandomPassword()
	pg := haPostgresPrimary(opts.PostgresImage, pgPass)
	d := &dockerRun{pool: pool, runID: runID, expire: opts.Expire, labels: labels, pg: pg}
	h := &haRun{dockerRun: d, password: redisPass, image: opts.RedisImage, started: 3}
	defer func() {
		if err != nil {
			_ = h.purge()
		}
	}()

	progress(Progress{Service: "redis", Phase: PhaseStarting, Detail: "networks for primary + 2 replicas + 3 sentinels",
		Elapsed: time.Since(start)})
	if h.repl, err = createReplNetwork(ctx, pool, runID, labels("network")); err != nil {
		return nil, err
	}
	h.client, err = pool.Client.CreateNetwork(dc.CreateNetworkOptions{Name: "cqrslab-" + runID + "-client",
		Driver: "bridge", Labels: labels("network"), Context: ctx})
	if err != nil {
		return nil, fmt.Errorf("create the ha client network: %w", err)
	}

	// PostgreSQL (primary, then its replica) and the Redis primary start
	// side by side, each PostgreSQL server waited for as soon as its
	// container runs; the Redis replicas need the Redis primary's address,
	// so they follow it, and the Sentinels follow the replicas' sync (see
	// startSentinels).
	pgCtx, pgCancel := context.WithCancel(ctx)
	defer pgCancel()
	var pgInfo, replicaInfo PostgresInfo
	pgErr := make(chan error, 1)
	go func() {
		var err error
		pgInfo, replicaInfo, err = h.startHAPostgres(pgCtx, opts, pgPass, start, progress)
		pgErr <- err
	}()
	primary, err := h.runRedisNode(ctx, "primary", opts, labels("redis"), "")
	if err != nil {
		pgCancel()
		<-pgErr
		return nil, err
	}
	progress(Progress{Service: "redis", Phase: PhaseStarting, Detail: "primary at " + primary.replIP + "; 2 replicas",
		Elapsed: time.Since(start)})
	if !routes(ctx, primary.clientIP, haRedisPort) {
		pgCancel()
		<-pgErr
		return nil, fmt.Errorf("%w: topology ha needs a Docker engine whose container addresses this host "+
			"reaches (Linux); this one (Docker Desktop, Colima or Podman in a VM?) does not route to %s",
			ErrTopologyUnavailable, primary.clientIP)
	}
	rctx, cancel := context.WithTimeout(ctx, opts.ReadyTimeout)
	defer cancel()
	replicas, err := h.runSide(rctx, 2, func(i int) (*haNode, error) {
		return h.runRedisNode(rctx, fmt.Sprintf("replica-%d", i+1), opts, labels("redis"), primary.replIP)
	})
	if err == nil {
		h.nodes = append([]*haNode{primary}, replicas...)
		err = h.startSentinels(rctx, start, progress, func(i int) (*haNode, error) {
			return h.runSentinel(rctx, fmt.Sprintf("sentinel-%d", i+1), opts, labels("sentinel"), primary.replIP)
		})
	}
	if err != nil {
		pgCancel()
		<-pgErr
		return nil, err
	}

	info := Info{
		RunID: runID, Provider: Docker, PID: os.Getpid(), Started: start, Topology: TopologyHA,
		Redis: RedisInfo{Addr: net.JoinHostPort(primary.clientIP, strconv.Itoa(haRedisPort)), Password: redisPass,
			MasterName: HAMasterName},
	}
	for _, s := range h.sentinels {
		info.Redis.Sentinels = append(info.Redis.Sentinels, net.JoinHostPort(s.replIP, strconv.Itoa(haSentinelPort)))
	}
	if err = h.waitHAReady(rctx, start, progress); err != nil {
		pgCancel()
		<-pgErr
		return nil, err
	}
	if err = <-pgErr; err != nil {
		return nil, err
	}
	d.postgres = pg.resource
	info.Postgres = pgInfo
	info.PostgresReplica = &replicaInfo
	h.mu.Lock()
	h.pgReplicaInfo = replicaInfo
	h.mu.Unlock()
	l = &Lab{Info: info, servers: h}
	l.closeFn = h.purge
	return l, nil
}

// startSentinels starts the three Sentinels once the primary has both
// replicas online. A Sentinel learns the replicas from the primary's INFO,
// which it asks at once on connecting and then only every 10 s: started
// beside the replicas, before they had synchronised, the Sentinels kept
// the lab waiting up to those 10 s. Started after, they know the replicas
// from their first INFO and each other within a hello period (2 s).
func (h *haRun) startSentinels(ctx context.Context, start time.Time, progress ProgressFunc,
	run func(i int) (*haNode, error)) error {
	progress(Progress{Service: "redis", Phase: PhaseWaiting, Detail: "replicas in sync before the sentinels start",
		Elapsed: time.Since(start)})
	if err := poll(ctx, func(ctx context.Context) error {
		_, err := h.replicasOnline(ctx)
		return err
	}); err != nil {
		progress(Progress{Service: "redis", Phase: PhaseFailed, Detail: err.Error(), Elapsed: time.Since(start)})
		return fmt.Errorf("redis replicas did not synchronise: %w", err)
	}
	progress(Progress{Service: "redis", Phase: PhaseStarting, Detail: "2/2 replicas online; 3 sentinels",
		Elapsed: time.Since(start)})
	sentinels, err := h.runSide(ctx, 3, run)
	h.sentinels = sentinels
	return err
}

// runSide runs n nodes side by side.
func (h *haRun) runSide(ctx context.Context, n int, run func(i int) (*haNode, error)) ([]*haNode, error) {
	var wg sync.WaitGroup
	errs := make([]error, n)
	nodes := make([]*haNode, n)
	for i := range n {
		wg.Go(func() { nodes[i], errs[i] = run(i) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return nodes, nil
}

// createReplNetwork creates the repl network on a free /24 the lab picks
// (see the top of this file), trying another when Docker says it overlaps.
func createReplNetwork(ctx context.Context, pool *dockertest.Pool, runID string, labels map[string]string) (*dc.Network, error) {
	var last error
	for range 8 {
		subnet := fmt.Sprintf("10.213.%d.0/24", 1+rand.IntN(254))
		n, err := pool.Client.CreateNetwork(dc.CreateNetworkOptions{Name: "cqrslab-" + runID + "-repl",
			Driver: "bridge", Labels: labels, Context: ctx,
			IPAM: &dc.IPAMOptions{Driver: "default", Config: []dc.IPAMConfig{{Subnet: subnet}}}})
		if err == nil {
			return n, nil
		}
		last = err
		if !strings.Contains(strings.ToLower(err.Error()), "overlap") {
			break
		}
	}
	return nil, fmt.Errorf("create the ha replication network: %w", last)
}

// runRedisNode starts one Redis server on repl (and client); replicaOf is
// the primary's repl address, "" for the primary itself.
func (h *haRun) runRedisNode(ctx context.Context, name string, opts Options, labels map[string]string, replicaOf string) (*haNode, error) {
	cmd := []string{"redis-server", "--port", strconv.Itoa(haRedisPort), "--requirepass", h.password,
		"--masterauth", h.password, "--save", "", "--appendonly", "no",
		// A replica's first sync is diskless; the primary otherwise waits
		// 5 s for more replicas to share the transfer with.
		"--repl-diskless-sync-delay", "0"}
	if replicaOf != "" {
		cmd = append(cmd, "--replicaof", replicaOf, strconv.Itoa(haRedisPort))
	}
	n := &haNode{name: name}
	if err := h.runNode(ctx, n, opts.RedisImage, cmd, labels, true); err != nil {
		return nil, err
	}
	return n, nil
}

// runSentinel starts one Sentinel watching the primary at primaryIP. A
// Sentinel rewrites its configuration file, so the command writes one in
// the container first; the password is the data nodes' (auth-pass) and the
// Sentinels' own (requirepass, sentinel-pass: they talk to each other).
func (h *haRun) runSentinel(ctx context.Context, name string, opts Options, labels map[string]string, primaryIP string) (*haNode, error) {
	conf := strings.Join([]string{
		"port " + strconv.Itoa(haSentinelPort),
		"bind 0.0.0.0",
		"requirepass " + h.password,
		fmt.Sprintf("sentinel monitor %s %s %d 2", HAMasterName, primaryIP, haRedisPort),
		fmt.Sprintf("sentinel auth-pass %s %s", HAMasterName, h.password),
		"sentinel sentinel-pass " + h.password,
		fmt.Sprintf("sentinel down-after-milliseconds %s %d", HAMasterName, haDownAfter),
		// failover-timeout also spaces failovers of one master (twice
		// it): 4 s lets a lesson kill the new primary soon after.
		fmt.Sprintf("sentinel failover-timeout %s 4000", HAMasterName),
		fmt.Sprintf("sentinel parallel-syncs %s 1", HAMasterName),
	}, "\n")
	cmd := []string{"sh", "-c", `printf '%s\n' "$0" > /tmp/sentinel.conf && exec redis-server /tmp/sentinel.conf --sentinel`, conf}
	n := &haNode{name: name}
	if err := h.runNode(ctx, n, opts.RedisImage, cmd, labels, false); err != nil {
		return nil, err
	}
	return n, nil
}

// runNode creates and starts one container on repl (and, with onClient,
// joins it to client), recording its addresses. No port is published: the
// lab reaches the nodes by their own addresses.
func (h *haRun) runNode(ctx context.Context, n *haNode, image string, cmd []string, labels map[string]string, onClient bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	repo, tag := splitImage(image)
	res, err := h.pool.RunWithOptions(&dockertest.RunOptions{Repository: repo, Tag: tag, Cmd: cmd,
		Labels: labels, NetworkID: h.repl.ID, Name: "cqrslab-" + h.runID + "-" + n.name},
		func(hc *dc.HostConfig) {
			hc.AutoRemove = true
			hc.RestartPolicy = dc.RestartPolicy{Name: "no"}
		})
	if err != nil {
		return fmt.Errorf("redis %s container (%s) failed to start: %w", n.name, image, err)
	}
	n.res = res
	_ = res.Expire(uint(h.expire.Seconds()))
	if onClient {
		if err := h.pool.Client.ConnectNetwork(h.client.ID, dc.NetworkConnectionOptions{Container: res.Container.ID,
			Context: ctx}); err != nil {
			return fmt.Errorf("join redis %s to the client network: %w", n.name, err)
		}
	}
	c, err := h.pool.Client.InspectContainerWithContext(res.Container.ID, ctx)
	if err != nil {
		return fmt.Errorf("inspect redis %s: %w", n.name, err)
	}
	for _, net := range c.NetworkSettings.Networks {
		switch net.NetworkID {
		case h.repl.ID:
			n.replIP = net.IPAddress
		case h.client.ID:
			n.clientIP = net.IPAddress
		}
	}
	if n.replIP == "" || onClient && n.clientIP == "" {
		return fmt.Errorf("redis %s has no address on the lab's networks", n.name)
	}
	return nil
}

// dial is the engine's Dialer for the ha topology: a Redis node's repl
// address (what Sentinel announces) is dialled at its client address, so
// the engine still reaches a primary partitioned from repl. Sentinels and
// unknown addresses are dialled as given.
func (h *haRun) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if host, port, err := net.SplitHostPort(addr); err == nil {
		h.mu.Lock()
		for _, n := range h.nodes {
			if n.replIP == host && n.clientIP != "" {
				addr = net.JoinHostPort(n.clientIP, port)
				break
			}
		}
		if h.partitioned != nil && h.partitionedIP == host {
			addr = net.JoinHostPort(h.partitioned.clientIP, port)
		}
		h.mu.Unlock()
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// purge removes PostgreSQL, every node, and the networks.
func (h *haRun) purge() error {
	err := h.dockerRun.purge() // PostgreSQL, then everything labelled with the run
	if e := removeRunNetworks(context.Background(), h.pool, h.runID); e != nil && err == nil {
		err = e
	}
	return err
}

// The single-server Redis faults make no sense on ha (which Redis?); the
// ha kinds (fault_ha.go) say which node they act on.
func haNoSingle(kind string) error {
	return fmt.Errorf("%w: %s acts on the single lab's one Redis; on topology ha use %s or %s",
		ErrFaultUnavailable, kind, FaultRedisPrimaryKill, FaultRedisPartition)
}

func (h *haRun) pauseRedis(context.Context) error   { return haNoSingle("pause") }
func (h *haRun) unpauseRedis(context.Context) error { return nil }
func (h *haRun) stopRedis(context.Context) error    { return haNoSingle("stop") }
func (h *haRun) startRedis(context.Context, string) (string, error) {
	return "", haNoSingle("stop")
}
