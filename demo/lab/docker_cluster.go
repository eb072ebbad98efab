package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
	"github.com/redis/go-redis/v9"
)

// The cluster topology on the docker provider: PostgreSQL as in the single
// lab, and a Redis Cluster of three primaries and three replicas (the same
// Redis image, `--cluster-enabled yes`) on one private network the lab
// creates, labelled with the run like the containers.
//
// The lab forms the cluster itself over the Redis protocol (distinct config
// epochs, ADDSLOTSRANGE on the primaries, MEET, REPLICATE) rather than by
// running `redis-cli --cluster create` in a container: every step is a
// command whose answer it checks, so the progress lines say how far the
// cluster is, and nothing waits on redis-cli's fixed one-second sleeps.
//
// Each node announces its own address on the network (Redis's default: the
// address its peers see). The engine's ClusterClient is handed those
// addresses in CLUSTER SLOTS and MOVED replies and dials them as they are,
// so the host must route to the bridge: a Linux Docker engine does; Docker
// Desktop, Colima and Podman machines do not, and there the lab refuses to
// start rather than map addresses it cannot keep in step with a failover.
// No port is published.

const (
	clusterRedisPort = 6379
	// clusterNodeTimeout is cluster-node-timeout in ms: how long a primary
	// may be silent before its peers flag it failing, after which its
	// replica waits half a second or so and is elected. Two seconds keeps
	// the lesson's failover short yet rides out the pauses of a loaded
	// 2-core machine (production uses 5-15 s).
	clusterNodeTimeout = 2000
	clusterPrimaries   = 3
)

// clusterSlotRanges are the primaries' slots, as redis-cli would split
// 16384 among three.
var clusterSlotRanges = [clusterPrimaries][2]int{{0, 5460}, {5461, 10922}, {10923, 16383}}

// clusterNode is one Redis server of the cluster.
type clusterNode struct {
	name string // node-1 ... node-6, then node-7 for a replacement
	res  *dockertest.Resource
	ip   string
	id   string // the cluster's node ID (CLUSTER MYID)
}

func (n *clusterNode) addr() string { return net.JoinHostPort(n.ip, strconv.Itoa(clusterRedisPort)) }

// clusterRun is a running cluster topology: PostgreSQL through the embedded
// dockerRun (its Redis is nil), the Redis nodes here.
type clusterRun struct {
	*dockerRun
	password string
	network  *dc.Network
	image    string

	mu      sync.Mutex
	nodes   []*clusterNode // live nodes; a killed one is removed
	killed  *clusterNode   // the primary a kill fault removed, until healed
	started int            // nodes started so far, for their names
}

// startDockerCluster starts the cluster topology (see the top of this file).
func startDockerCluster(ctx context.Context, opts Options, progress ProgressFunc) (l *Lab, err error) {
	pool, opts, runID, labels, start, err := dockerPrelude(ctx, opts, progress)
	if err != nil {
		return nil, err
	}
	pgPass, redisPass := RandomPassword(), RandomPassword()
	// As in startDocker: no database of the image's own, the lab adopts
	// "postgres" (see docker_ready.go); kept on stop for postgres_stop.
	pg := &container{service: "postgres", image: opts.PostgresImage, port: "5432/tcp", keep: true,
		env: []string{"POSTGRES_USER=cqrslab", "POSTGRES_PASSWORD=" + pgPass, "POSTGRES_DB=postgres"},
		cmd: []string{"postgres", "-c", "fsync=off", "-c", "full_page_writes=off"}}
	d := &dockerRun{pool: pool, runID: runID, expire: opts.Expire, labels: labels, pg: pg}
	c := &clusterRun{dockerRun: d, password: redisPass, image: opts.RedisImage}
	defer func() {
		if err != nil {
			_ = c.purge()
		}
	}()

	progress(Progress{Service: "redis", Phase: PhaseStarting, Detail: "network for 3 primaries + 3 replicas",
		Elapsed: time.Since(start)})
	c.network, err = pool.Client.CreateNetwork(dc.CreateNetworkOptions{Name: "cqrslab-" + runID + "-cluster",
		Driver: "bridge", Labels: labels("network"), Context: ctx})
	if err != nil {
		return nil, fmt.Errorf("create the cluster network: %w", err)
	}

	info := Info{
		RunID: runID, Provider: Docker, PID: os.Getpid(), Started: start, Topology: TopologyCluster,
		Postgres: PostgresInfo{User: "cqrslab", Password: pgPass, Database: "cqrslab", Schema: "public"},
		Redis:    RedisInfo{Password: redisPass},
	}
	// PostgreSQL starts and is waited for beside the six nodes.
	rctx, cancel := context.WithTimeout(ctx, opts.ReadyTimeout)
	defer cancel()
	pgErr := make(chan error, 1)
	go func() {
		err := runContainer(rctx, pool, pg, labels("postgres"), opts.Expire, start, progress)
		if err == nil {
			info.Postgres.Host, info.Postgres.Port, info.Postgres.PublishedPort = reachContainer(rctx, pg)
			err = waitPostgresAdopt(rctx, info.Postgres, start, progress)
		}
		pgErr <- err
	}()
	waitPG := func(e error) error {
		cancel()
		return errors.Join(e, <-pgErr)
	}

	progress(Progress{Service: "redis", Phase: PhaseStarting, Detail: "6 cluster nodes (" + opts.RedisImage + ")",
		Elapsed: time.Since(start)})
	nodes := make([]*clusterNode, 2*clusterPrimaries)
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	var startedMu sync.Mutex
	up := 0
	for i := range nodes {
		wg.Go(func() {
			nodes[i], errs[i] = c.runNode(rctx, fmt.Sprintf("node-%d", i+1))
			if errs[i] == nil {
				startedMu.Lock()
				up++
				progress(Progress{Service: "redis", Phase: PhaseStarting, Elapsed: time.Since(start),
					Detail: fmt.Sprintf("%s running at %s (%d/%d)", nodes[i].name, nodes[i].ip, up, len(nodes))})
				startedMu.Unlock()
			}
		})
	}
	wg.Wait()
	c.started = len(nodes)
	if err = errors.Join(errs...); err != nil {
		return nil, waitPG(err)
	}
	c.nodes = nodes
	if err = c.waitAnswer(rctx, nodes[0]); err == nil && !routes(rctx, nodes[0].ip, clusterRedisPort) {
		err = fmt.Errorf("%w: topology cluster needs a Docker engine whose container addresses this host "+
			"reaches (Linux): the cluster hands its clients the nodes' own addresses; this one "+
			"(Docker Desktop, Colima or Podman in a VM?) does not route to %s", ErrTopologyUnavailable, nodes[0].ip)
	}
	if err == nil {
		err = c.form(rctx, start, progress)
	}
	if err != nil {
		progress(Progress{Service: "redis", Phase: PhaseFailed, Detail: err.Error(), Elapsed: time.Since(start)})
		return nil, waitPG(fmt.Errorf("redis cluster did not become ready: %w", err))
	}
	if err = <-pgErr; err != nil {
		return nil, err
	}
	d.postgres = pg.resource
	info.Redis.Addr = nodes[0].addr()
	info.Redis.Cluster = c.addrs()
	l = &Lab{Info: info, servers: c}
	l.closeFn = c.purge
	return l, nil
}

// runNode creates and starts one cluster-enabled Redis on the network and
// records its address.
func (c *clusterRun) runNode(ctx context.Context, name string) (*clusterNode, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cmd := []string{"redis-server", "--port", strconv.Itoa(clusterRedisPort),
		"--cluster-enabled", "yes", "--cluster-config-file", "/tmp/nodes.conf",
		"--cluster-node-timeout", strconv.Itoa(clusterNodeTimeout),
		"--requirepass", c.password, "--masterauth", c.password, "--save", "", "--appendonly", "no",
		// A replica's first sync starts at once instead of after Redis's
		// default 5 s wait for more replicas to share the transfer (each
		// primary here has one): the lab is ready that much sooner.
		"--repl-diskless-sync-delay", "0"}
	repo, tag := splitImage(c.image)
	res, err := c.pool.RunWithOptions(&dockertest.RunOptions{Repository: repo, Tag: tag, Cmd: cmd,
		Labels: c.labels("redis"), NetworkID: c.network.ID, Name: "cqrslab-" + c.runID + "-" + name},
		func(hc *dc.HostConfig) {
			hc.AutoRemove = true
			hc.RestartPolicy = dc.RestartPolicy{Name: "no"}
		})
	if err != nil {
		return nil, fmt.Errorf("redis %s container (%s) failed to start: %w", name, c.image, err)
	}
	_ = res.Expire(uint(c.expire.Seconds()))
	n := &clusterNode{name: name, res: res}
	ci, err := c.pool.Client.InspectContainerWithContext(res.Container.ID, ctx)
	if err != nil {
		return n, fmt.Errorf("inspect redis %s: %w", name, err)
	}
	if net, ok := ci.NetworkSettings.Networks[c.network.Name]; ok {
		n.ip = net.IPAddress
	}
	if n.ip == "" {
		return n, fmt.Errorf("redis %s has no address on the cluster network", name)
	}
	return n, nil
}

// client is a plain connection to one node (not a ClusterClient: the lab
// speaks to each node about the cluster itself).
func (c *clusterRun) client(n *clusterNode) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: n.addr(), Password: c.password, MaxRetries: -1,
		DialTimeout: time.Second, ContextTimeoutEnabled: true, PoolSize: 1})
}

// waitAnswer waits until node n answers CLUSTER MYID, and records its ID.
func (c *clusterRun) waitAnswer(ctx context.Context, n *clusterNode) error {
	rdb := c.client(n)
	defer rdb.Close()
	return poll(ctx, func(ctx context.Context) error {
		id, err := rdb.Do(ctx, "cluster", "myid").Text()
		if err == nil {
			n.id = id
		}
		return err
	})
}

// addrs is every live node's address.
func (c *clusterRun) addrs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = n.addr()
	}
	return out
}

// purge removes PostgreSQL, every node, and the network.
func (c *clusterRun) purge() error {
	err := c.dockerRun.purge() // PostgreSQL, then everything labelled with the run
	if e := removeRunNetworks(context.Background(), c.pool, c.runID); e != nil && err == nil {
		err = e
	}
	return err
}

// The single-server Redis faults name "the" Redis, of which the cluster has
// six; cluster_primary_kill (fault_cluster.go) says which node it acts on.
func clusterNoSingle(kind string) error {
	return fmt.Errorf("%w: %s acts on the single lab's one Redis; on topology cluster use %s",
		ErrFaultUnavailable, kind, FaultClusterPrimaryKill)
}

func (c *clusterRun) pauseRedis(context.Context) error   { return clusterNoSingle("pause") }
func (c *clusterRun) unpauseRedis(context.Context) error { return nil }
func (c *clusterRun) stopRedis(context.Context) error    { return clusterNoSingle("stop") }
func (c *clusterRun) startRedis(context.Context, string) (string, error) {
	return "", clusterNoSingle("stop")
}
