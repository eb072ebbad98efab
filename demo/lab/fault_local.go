package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Process faults of the local provider, with signals to the servers this
// process started: SIGSTOP/SIGCONT pause and resume Redis; SIGTERM stops
// it (it keeps no data: a new redis-server starts empty, on a new free
// port, and the proxy is pointed there); SIGINT is PostgreSQL's fast
// shutdown, and heal starts the postmaster again on the same data
// directory, on the same port when it is still free.

func (r *localRun) runningProc(service string) (*localProc, error) {
	p := r.proc(service)
	if p == nil || p.exited() {
		return nil, fmt.Errorf("%s is not running", service)
	}
	return p, nil
}

func (r *localRun) pauseRedis(ctx context.Context) error {
	p, err := r.runningProc("redis")
	if err != nil {
		return err
	}
	if err := syscall.Kill(p.pid, syscall.SIGSTOP); err != nil {
		return fmt.Errorf("pause redis (SIGSTOP pid %d): %w", p.pid, err)
	}
	// The signal is delivered asynchronously; where /proc tells, wait until
	// the process is really stopped, so the fault is in force on return.
	if procfsAvailable() {
		pollUntil(time.Second, func() bool {
			_, state, ok := procStat(p.pid)
			return !ok || state == 'T'
		})
	}
	return nil
}

func (r *localRun) unpauseRedis(ctx context.Context) error {
	p, err := r.runningProc("redis")
	if err != nil {
		return err
	}
	if err := syscall.Kill(p.pid, syscall.SIGCONT); err != nil {
		return fmt.Errorf("resume redis (SIGCONT pid %d): %w", p.pid, err)
	}
	return nil
}

func (r *localRun) stopRedis(ctx context.Context) error {
	p := r.proc("redis")
	if p == nil {
		return nil
	}
	return runBounded(ctx, "stop redis", func() error { return p.stop(syscall.SIGTERM) })
}

func (r *localRun) startRedis(ctx context.Context, password string) (string, error) {
	port, err := r.startServer(ctx, r.opts, "redis", r.spawnRedis, redisListening(password))
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), nil
}

func (r *localRun) stopPostgres(ctx context.Context) error {
	p := r.proc("postgres")
	if p == nil {
		return nil
	}
	return runBounded(ctx, "stop postgres", func() error { return p.stop(syscall.SIGINT) })
}

// startPostgres starts the postmaster on the run's data directory, on its
// old port if that is still free, else on a new one.
func (r *localRun) startPostgres(ctx context.Context, cur PostgresInfo) (string, int, error) {
	listening := postmasterListening(filepath.Join(r.dir, "pgdata"))
	port := cur.Port
	p, err := r.spawnPostgres(port)
	if err == nil {
		err = waitListening(ctx, p, port, r.opts.ReadyTimeout, listening)
	}
	if errors.Is(err, errLocalPortTaken) {
		port, err = r.startServer(ctx, r.opts, "postgres", r.spawnPostgres, listening)
	}
	if err != nil {
		return "", 0, err
	}
	cur.Host, cur.Port = "127.0.0.1", port
	if err := waitPostgresAt(ctx, cur); err != nil {
		return "", 0, err
	}
	return "127.0.0.1", port, nil
}
