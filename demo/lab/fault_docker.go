package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
)

// Process faults of the docker provider, through the dockertest client.
//
// The containers are created with StopSignal SIGWINCH (dockertest does
// that so Expire can use `docker stop` with a long grace as a timer), so a
// plain `docker stop` would only wait: the faults send the signal each
// server shuts down on themselves (SIGTERM to Redis, SIGINT, the fast
// shutdown, to PostgreSQL).
//
// Redis's container is auto-removed, so stopping it removes it; starting it
// again runs a new container from the same spec (same image, password and
// labels) on a new host port, and the proxy is pointed there. The lab's
// Redis keeps no data on disk (--save "" --appendonly no): it comes back
// empty. PostgreSQL's container is not auto-removed: postgres_stop stops
// it and heal starts the same container, on its data, on the new host port
// Docker gives it.

func (d *dockerRun) current() (pg, rd *dockertest.Resource) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.postgres, d.redis
}

func (d *dockerRun) redisID() (string, error) {
	_, rd := d.current()
	if rd == nil || rd.Container == nil {
		return "", errors.New("the Redis container is not running (stopped by a fault)")
	}
	return rd.Container.ID, nil
}

// pauseUnsupported says whether a pause error means this Docker cannot
// pause at all (rootless without cgroup v2, no freezer, some VMs), which is
// reported as unavailable rather than as a failure.
func pauseUnsupported(err error) bool {
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"cgroup", "freezer", "not supported", "rootless", "not implemented", "operation not permitted"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func (d *dockerRun) pauseRedis(ctx context.Context) error {
	id, err := d.redisID()
	if err != nil {
		return err
	}
	err = runBounded(ctx, "docker pause", func() error { return d.pool.Client.PauseContainer(id) })
	if err != nil && !errors.Is(err, errToxiproxyStuck) && pauseUnsupported(err) {
		return fmt.Errorf("%w: this Docker cannot pause containers (%v)", ErrFaultUnavailable, err)
	}
	return err
}

func (d *dockerRun) unpauseRedis(ctx context.Context) error {
	id, err := d.redisID()
	if err != nil {
		return err
	}
	return runBounded(ctx, "docker unpause", func() error {
		err := d.pool.Client.UnpauseContainer(id)
		if err != nil && strings.Contains(err.Error(), "not paused") {
			return nil
		}
		return err
	})
}

// stopRedis shuts Redis down with SIGTERM and makes sure its container is
// gone (AutoRemove does it; a forced remove makes sure).
func (d *dockerRun) stopRedis(ctx context.Context) error {
	id, err := d.redisID()
	if err != nil {
		return nil // already gone
	}
	err = d.pool.Client.KillContainer(dc.KillContainerOptions{ID: id, Signal: dc.SIGTERM, Context: ctx})
	if err != nil && !isNoSuchContainer(err) && !isNotRunning(err) {
		return fmt.Errorf("stop the Redis container: %w", err)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	_, _ = d.pool.Client.WaitContainerWithContext(id, wctx)
	cancel()
	err = d.pool.Client.RemoveContainer(dc.RemoveContainerOptions{ID: id, Force: true, RemoveVolumes: true, Context: ctx})
	if err != nil && !isNoSuchContainer(err) {
		return fmt.Errorf("remove the stopped Redis container: %w", err)
	}
	d.mu.Lock()
	d.redis = nil
	d.mu.Unlock()
	return nil
}

// startRedis runs a new Redis container through the start's own code path
// (runContainer) and waits until it answers.
func (d *dockerRun) startRedis(ctx context.Context, password string) (string, error) {
	d.rd.resource = nil
	err := runContainer(ctx, d.pool, d.rd, d.labels(d.rd.service), d.expire, time.Now(), func(Progress) {})
	if d.rd.resource != nil {
		d.mu.Lock()
		d.redis = d.rd.resource
		d.mu.Unlock()
	}
	if err != nil {
		return "", err
	}
	host, port, _ := serverAddr(ctx, d.rd.resource.Container, d.rd.port, d.rd.resource.GetPort(d.rd.port))
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	if err := waitRedisAt(ctx, addr, password); err != nil {
		return "", err
	}
	return addr, nil
}

func isNotRunning(err error) bool {
	var nr *dc.ContainerNotRunning
	return errors.As(err, &nr) || strings.Contains(err.Error(), "is not running")
}

// stopPostgres sends PostgreSQL's fast-shutdown signal and waits until the
// container has stopped; the container and its data stay.
func (d *dockerRun) stopPostgres(ctx context.Context) error {
	pg, _ := d.current()
	id := pg.Container.ID
	err := d.pool.Client.KillContainer(dc.KillContainerOptions{ID: id, Signal: dc.SIGINT, Context: ctx})
	if err != nil && !isNotRunning(err) {
		return fmt.Errorf("stop the PostgreSQL container: %w", err)
	}
	if _, err := d.pool.Client.WaitContainerWithContext(id, ctx); err != nil {
		return fmt.Errorf("wait for PostgreSQL to stop: %w", err)
	}
	return nil
}

// startPostgres starts the stopped PostgreSQL container again and reads the
// host port Docker bound this time.
func (d *dockerRun) startPostgres(ctx context.Context, cur PostgresInfo) (string, int, error) {
	pg, _ := d.current()
	id := pg.Container.ID
	if err := d.pool.Client.StartContainerWithContext(id, nil, ctx); err != nil {
		var already *dc.ContainerAlreadyRunning
		if !errors.As(err, &already) {
			return "", 0, fmt.Errorf("start the PostgreSQL container: %w", err)
		}
	}
	var port int
	err := poll(ctx, func(ctx context.Context) error {
		c, err := d.pool.Client.InspectContainerWithContext(id, ctx)
		if err != nil {
			return err
		}
		if c.NetworkSettings != nil {
			if b := c.NetworkSettings.Ports[dc.Port(d.pg.port)]; len(b) > 0 && b[0].HostPort != "" {
				port, _ = strconv.Atoi(b[0].HostPort)
				d.mu.Lock()
				d.postgres.Container = c
				d.mu.Unlock()
				return nil
			}
		}
		return errors.New("no host port bound yet")
	})
	if err != nil {
		return "", 0, fmt.Errorf("read PostgreSQL's new port: %w", err)
	}
	// The expiry timer (a pending `docker stop`) ended with the stop: set
	// it again.
	_ = pg.Expire(uint(d.expire.Seconds()))
	d.mu.Lock()
	c := d.postgres.Container
	d.mu.Unlock()
	host, port, _ := serverAddr(ctx, c, d.pg.port, strconv.Itoa(port))
	cur.Host, cur.Port = host, port
	if err := waitPostgresAt(ctx, cur); err != nil {
		return "", 0, err
	}
	return host, port, nil
}
