package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"cqrslab/internal/statedir"

	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
)

// Labels put on every container the docker provider starts. Clean-up finds
// containers by these, never by name or image, so it removes only ours.
const (
	LabelLab     = "cqrslab"
	LabelRun     = "cqrslab.run"
	LabelPID     = "cqrslab.pid"
	LabelHost    = "cqrslab.host"
	LabelService = "cqrslab.service"
	// LabelState is the state directory of the process that started the
	// lab: `cqrslab cleanup` removes the labs of its own state directory
	// only, so one user's (or test's) clean-up never ends another's lab.
	LabelState = "cqrslab.state"
)

// dockerHint is appended to every "cannot reach Docker" error: dockertest
// reads DOCKER_HOST and ignores docker contexts, which is what trips Colima
// and Podman users.
const dockerHint = "start Docker (Docker Desktop, or `sudo systemctl start docker`); " +
	"for Colima or Podman set DOCKER_HOST to their socket " +
	"(e.g. unix://$HOME/.colima/default/docker.sock or unix://$XDG_RUNTIME_DIR/podman/podman.sock); " +
	"or run without Docker: --infra local (PostgreSQL and Redis installed) or --infra external --pg-dsn ... --redis-addr ..."

// ErrImageUnavailable means an image is neither on the machine nor
// pullable (an offline room, a CI machine without a registry).
var ErrImageUnavailable = errors.New("image unavailable")

// newDockerPool connects to the Docker engine and checks that it answers
// within a few seconds, so a dead socket fails fast with advice.
func newDockerPool(ctx context.Context) (*dockertest.Pool, error) {
	pool, err := dockertest.NewPool("")
	if err != nil {
		return nil, fmt.Errorf("cannot reach Docker (%v): %s", err, dockerHint)
	}
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := pool.Client.PingWithContext(pctx); err != nil {
		where := os.Getenv("DOCKER_HOST")
		if where == "" {
			where = "the default socket /var/run/docker.sock"
		}
		return nil, fmt.Errorf("cannot reach Docker at %s (%v): %s", where, err, dockerHint)
	}
	return pool, nil
}

func dockerAvailable(ctx context.Context) error {
	_, err := newDockerPool(ctx)
	return err
}

// container is one server of a docker lab.
type container struct {
	service string
	image   string
	port    string // container port, e.g. "5432/tcp"
	env     []string
	cmd     []string
	// keep turns AutoRemove off, so the container survives a stop.
	keep bool
	// entrypoint and user, when set, replace the image's (the ha
	// topology's PostgreSQL replica runs pg_basebackup as postgres).
	entrypoint []string
	user       string
	resource   *dockertest.Resource
}

// startDocker runs PostgreSQL and Redis containers side by side. Ports are
// bound to 127.0.0.1 only, passwords are random, and every container carries
// the run's labels; AutoRemove and an expiry stand behind Close in case this
// process dies without running it.
func startDocker(ctx context.Context, opts Options, progress ProgressFunc) (l *Lab, err error) {
	if opts.Topology == TopologyHA {
		return startDockerHA(ctx, opts, progress)
	}
	if opts.Topology == TopologyCluster {
		return startDockerCluster(ctx, opts, progress)
	}
	pool, opts, runID, labels, start, err := dockerPrelude(ctx, opts, progress)
	if err != nil {
		return nil, err
	}
	pgPass, redisPass := RandomPassword(), RandomPassword()
	pg := &container{service: "postgres", image: opts.PostgresImage, port: "5432/tcp",
		// No AutoRemove: a postgres_stop fault stops the container and
		// starts it again on the same data (PostgreSQL is the source of
		// truth), which an auto-removed container would not survive. Close,
		// the signal purge, the stale purge at the next start and
		// `cqrslab cleanup` remove it like the others.
		keep: true,
		// POSTGRES_DB=postgres: the image makes no database of its own
		// (CREATE DATABASE copies template1 and checkpoints: 3 to 4 s of a
		// 5 s start on a loaded machine, measured with the offline image);
		// the lab renames "postgres" to "cqrslab" once it answers, a
		// catalog update (see adoptDatabase).
		env: []string{"POSTGRES_USER=cqrslab", "POSTGRES_PASSWORD=" + pgPass, "POSTGRES_DB=postgres"},
		// The lab's data is thrown away with the container, so durability
		// settings that only cost time are off.
		cmd: []string{"postgres", "-c", "fsync=off", "-c", "full_page_writes=off"}}
	rd := &container{service: "redis", image: opts.RedisImage, port: "6379/tcp",
		cmd: []string{"redis-server", "--requirepass", redisPass, "--save", "", "--appendonly", "no"}}

	purgeAll := func() {
		for _, c := range []*container{pg, rd} {
			if c.resource != nil {
				_ = pool.Purge(c.resource)
			}
		}
		// Anything created under this run ID that we lost track of (a
		// cancelled create) goes too.
		_ = purgeRun(pool, runID)
	}
	defer func() {
		if err != nil {
			purgeAll()
		}
	}()

	info := Info{
		RunID: runID, Provider: Docker, PID: os.Getpid(), Started: start,
		Postgres: PostgresInfo{User: "cqrslab", Password: pgPass, Database: "cqrslab", Schema: "public"},
		Redis:    RedisInfo{Password: redisPass},
	}
	// Each server is waited for as soon as its own container runs, not
	// once both do: Redis is up long before PostgreSQL, and PostgreSQL's
	// wait starts the moment its container does.
	// ReadyTimeout bounds each wait from when it begins (a pull before it
	// may take minutes).
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := func() (context.Context, context.CancelFunc) { return context.WithTimeout(sctx, opts.ReadyTimeout) }
	errc := make(chan error, 2)
	go func() {
		err := runContainer(sctx, pool, pg, labels(pg.service), opts.Expire, start, progress)
		if err == nil {
			wctx, done := ready()
			defer done()
			info.Postgres.Host, info.Postgres.Port, info.Postgres.PublishedPort = reachContainer(wctx, pg)
			err = waitPostgresAdopt(wctx, info.Postgres, start, progress)
		}
		errc <- err
	}()
	go func() {
		err := runContainer(sctx, pool, rd, labels(rd.service), opts.Expire, start, progress)
		if err == nil {
			wctx, done := ready()
			defer done()
			host, port, published := reachContainer(wctx, rd)
			info.Redis.Addr = net.JoinHostPort(host, strconv.Itoa(port))
			if published != 0 {
				info.Redis.PublishedAddr = "127.0.0.1:" + strconv.Itoa(published)
			}
			err = waitRedis(wctx, info.Redis, start, progress)
		}
		errc <- err
	}()
	for range 2 {
		if e := <-errc; e != nil && err == nil {
			err = e
			cancel() // the other server need not be waited for
		}
	}
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := &dockerRun{pool: pool, runID: runID, expire: opts.Expire, labels: labels, pg: pg, rd: rd,
		postgres: pg.resource, redis: rd.resource}
	l = &Lab{Info: info, servers: d}
	l.closeFn = d.purge
	return l, nil
}

// dockerRun keeps the handles that fault injection needs (pause, stop,
// restart a container) reachable from the Lab. A stop fault replaces the
// Redis container, so the current resources are read under mu.
type dockerRun struct {
	pool   *dockertest.Pool
	runID  string
	expire time.Duration
	labels func(service string) map[string]string
	// pg and rd are the container specs, reused to start Redis again.
	pg, rd *container

	mu       sync.Mutex
	postgres *dockertest.Resource
	redis    *dockertest.Resource // nil while a stop fault has removed it
}

// purge removes the run's containers: the ones we hold, then anything else
// labelled with the run (a container a cancelled fault heal created).
func (d *dockerRun) purge() error {
	d.mu.Lock()
	rs := []*dockertest.Resource{d.postgres, d.redis}
	d.mu.Unlock()
	var first error
	for _, r := range rs {
		if r == nil {
			continue
		}
		if e := d.pool.Purge(r); e != nil && !isNoSuchContainer(e) && first == nil {
			first = e
		}
	}
	if e := purgeRun(d.pool, d.runID); e != nil && first == nil {
		first = e
	}
	return first
}

// runContainer pulls the image when it is missing (reporting progress), then
// creates and starts the container. dockertest's own calls take no context,
// so the pull, the one slow part, is done here under ctx.
func runContainer(ctx context.Context, pool *dockertest.Pool, c *container, labels map[string]string,
	expire time.Duration, start time.Time, progress ProgressFunc) error {
	repo, tag := splitImage(c.image)
	if _, err := pool.Client.InspectImage(repo + ":" + tag); err != nil {
		progress(Progress{Service: c.service, Phase: PhasePulling, Detail: c.image, Elapsed: time.Since(start)})
		out := &pullReporter{service: c.service, start: start, progress: progress}
		err := pool.Client.PullImage(dc.PullImageOptions{Repository: repo, Tag: tag, Context: ctx,
			OutputStream: out, RawJSONStream: true, InactivityTimeout: 2 * time.Minute}, dc.AuthConfiguration{})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			env := "CQRSLAB_POSTGRES_IMAGE"
			if c.service == "redis" {
				env = "CQRSLAB_REDIS_IMAGE"
			}
			return fmt.Errorf("%w: %s is not on this machine and could not be pulled (%v); "+
				"without a registry, load the images with `cqrslab prepare --load FILE`, or (in a checkout, "+
				"with Debian's package mirror reachable) build some with scripts/build-offline-images.sh "+
				"and point %s at them", ErrImageUnavailable, c.image, err, env)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	progress(Progress{Service: c.service, Phase: PhaseStarting, Detail: c.image, Elapsed: time.Since(start)})
	res, err := pool.RunWithOptions(&dockertest.RunOptions{
		Repository: repo, Tag: tag, Env: c.env, Cmd: c.cmd, Labels: labels,
		Entrypoint: c.entrypoint, User: c.user,
		ExposedPorts: []string{c.port},
		PortBindings: map[dc.Port][]dc.PortBinding{dc.Port(c.port): {{HostIP: "127.0.0.1", HostPort: ""}}},
	}, func(hc *dc.HostConfig) {
		// AutoRemove is the backstop that removes a container that stops
		// on its own; PostgreSQL's is kept (see startDocker).
		hc.AutoRemove = !c.keep
		hc.PublishAllPorts = false // only the loopback binding above
		hc.RestartPolicy = dc.RestartPolicy{Name: "no"}
	})
	if err != nil {
		return fmt.Errorf("%s container (%s) failed to start: %w", c.service, c.image, err)
	}
	c.resource = res
	_ = res.Expire(uint(expire.Seconds()))
	return nil
}

// reachContainer is where the lab reaches a container's server: its own
// address where the host routes to it (no docker-proxy hop, see reach.go),
// else the published port on 127.0.0.1 (not dockertest's "localhost",
// which may resolve to ::1 where nothing is bound). published is the
// loopback port for the tools the lab prints when host is the container's
// own address, else 0.
func reachContainer(ctx context.Context, c *container) (host string, port, published int) {
	pub := c.resource.GetPort(c.port)
	host, port, _ = serverAddr(ctx, c.resource.Container, c.port, pub)
	if host != "127.0.0.1" {
		published, _ = strconv.Atoi(pub)
	}
	return host, port, published
}

// splitImage splits "repo[:tag]" at the tag colon, which is the last colon
// after the last slash (a registry host may carry a port).
func splitImage(image string) (repo, tag string) {
	slash := strings.LastIndex(image, "/")
	if colon := strings.LastIndex(image, ":"); colon > slash {
		return image[:colon], image[colon+1:]
	}
	return image, "latest"
}

func isNoSuchContainer(err error) bool {
	var nsc *dc.NoSuchContainer
	return errors.As(err, &nsc) || strings.Contains(err.Error(), "No such container") ||
		strings.Contains(err.Error(), "is already in progress")
}

// dockerPrelude is what every docker topology does before its first
// container: connect to the engine, remove what crashed earlier runs left
// (containers whose owning process is gone; other live labs on this
// machine are left alone), pick the images (the asked ones, or offline
// stand-ins for absent official ones) and pull the missing ones, naming in
// one error any that cannot be had. It returns opts with the images
// resolved, the run's ID and the labels every container and network of the
// run carries, which is what the clean-up paths look for.
func dockerPrelude(ctx context.Context, opts Options, progress ProgressFunc) (pool *dockertest.Pool, _ Options, runID string, labels func(service string) map[string]string, start time.Time, err error) {
	pool, err = newDockerPool(ctx)
	if err != nil {
		return nil, opts, "", nil, start, err
	}
	if _, err := purgeStale(ctx, pool, false); err != nil {
		return nil, opts, "", nil, start, err
	}
	start = time.Now()
	plan, err := PlanImages(pool.Client, opts)
	if err != nil {
		return nil, opts, "", nil, start, err
	}
	for _, pk := range plan.Picks() {
		if pk.Source == FromOffline {
			progress(Progress{Service: pk.Service, Phase: PhaseStarting, Detail: pk.Describe(), Elapsed: time.Since(start)})
		}
	}
	if err := pullMissing(ctx, pool.Client, plan, start, progress); err != nil {
		return nil, opts, "", nil, start, err
	}
	opts.PostgresImage, opts.RedisImage = plan.Postgres.Ref, plan.Redis.Ref
	runID = NewRunID()
	host, _ := os.Hostname()
	labels = func(service string) map[string]string {
		return map[string]string{LabelLab: "1", LabelRun: runID, LabelPID: strconv.Itoa(os.Getpid()),
			LabelHost: host, LabelService: service, LabelState: statedir.Dir()}
	}
	return pool, opts, runID, labels, start, nil
}
