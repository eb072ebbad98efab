package lab

// Starting a local lab: the servers, their readiness and the ports they listen on.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// startLocal starts Redis and PostgreSQL as child processes in a fresh
// temporary directory and waits until both answer. On any failure, and when
// ctx ends, everything it started is stopped and removed before it returns.
func startLocal(ctx context.Context, opts Options, progress ProgressFunc) (l *Lab, err error) {
	// Auto falls back to local when Docker is missing: not for ha.
	asLocal := opts
	asLocal.Provider = Local
	if err := checkTopology(asLocal); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	if progress == nil {
		progress = func(Progress) {}
	}
	bins, err := findLocalBins()
	if err != nil {
		return nil, err
	}
	cred, err := localServerCredential()
	if err != nil {
		return nil, err
	}
	// A crashed earlier run may have left servers behind: remove those whose
	// owner is gone. This is housekeeping; a failure here must not stop the
	// lesson, and a real problem with the state directory shows up below.
	_, _ = CleanupLocal(false)

	start := time.Now()
	runID := NewRunID()
	r := &localRun{
		runID:      runID,
		dir:        filepath.Join(localTempRoot(cred), localDirPrefix+runID),
		recordPath: localRecordPath(runID),
		cred:       cred,
	}
	r.rec = localRecord{
		RunID:    runID,
		OwnerPID: os.Getpid(),
		Dir:      r.dir,
		Started:  start,
	}
	r.rec.OwnerStart, _, _ = procStat(os.Getpid())
	if exe, err := os.Executable(); err == nil {
		r.rec.OwnerName = filepath.Base(exe)
	}
	// The record goes down before anything exists, so no crash can leave a
	// directory or a server that clean-up does not know about.
	if err := writeLocalRecord(r.recordPath, r.rec); err != nil {
		return nil, err
	}
	failed := ""
	defer func() {
		if err == nil {
			return
		}
		if failed != "" {
			progress(Progress{Service: failed, Phase: PhaseFailed, Detail: err.Error(), Elapsed: time.Since(start)})
		}
		if stopErr := r.stop(); stopErr != nil {
			err = fmt.Errorf("%w (and cleaning up failed: %v)", err, stopErr)
		}
	}()
	if err := os.Mkdir(r.dir, 0o700); err != nil {
		return nil, fmt.Errorf("local lab: %w", err)
	}
	for _, sub := range []string{"redis", "sock"} {
		if err := os.Mkdir(filepath.Join(r.dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("local lab: %w", err)
		}
	}
	if cred != nil {
		// initdb creates the data directory inside the run directory, and
		// postgres creates its socket in sock: both must belong to its user.
		for _, p := range []string{r.dir, filepath.Join(r.dir, "sock")} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return nil, fmt.Errorf("local lab: %w", err)
			}
		}
	}

	pgPassword, redisPassword := RandomPassword(), RandomPassword()

	// Redis first: it is up in milliseconds, and once it listens the kernel
	// will not hand its port to PostgreSQL's probe.
	progress(Progress{Service: "redis", Phase: PhaseStarting, Detail: "starting redis-server", Elapsed: time.Since(start)})
	r.bins, r.opts, r.redisPassword = bins, opts, redisPassword
	redisPort, err := r.startServer(ctx, opts, "redis", r.spawnRedis, redisListening(redisPassword))
	if err != nil {
		failed = "redis"
		return nil, err
	}

	progress(Progress{Service: "postgres", Phase: PhaseStarting, Detail: "preparing the cluster", Elapsed: time.Since(start)})
	how, err := r.preparePostgres(ctx, bins, pgPassword)
	if err != nil {
		failed = "postgres"
		return nil, err
	}
	progress(Progress{Service: "postgres", Phase: PhaseStarting, Detail: how, Elapsed: time.Since(start)})
	pgPort, err := r.startServer(ctx, opts, "postgres", func(port int) (*localProc, error) {
		progress(Progress{Service: "postgres", Phase: PhaseStarting,
			Detail: "starting postgres on port " + strconv.Itoa(port), Elapsed: time.Since(start)})
		return r.spawnPostgres(port)
	}, postmasterListening(filepath.Join(r.dir, "pgdata")))
	if err != nil {
		failed = "postgres"
		return nil, err
	}

	info := Info{
		RunID:    runID,
		Provider: Local,
		PID:      os.Getpid(),
		Started:  start,
		Postgres: PostgresInfo{Host: "127.0.0.1", Port: pgPort, User: "cqrslab", Password: pgPassword,
			Database: "cqrslab", Schema: "public"},
		Redis: RedisInfo{Addr: "127.0.0.1:" + strconv.Itoa(redisPort), Password: redisPassword},
	}
	// A server that dies while we wait would otherwise cost the whole ready
	// timeout; watching both turns it into an immediate error with its log.
	wctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-r.postgres.done:
		case <-r.redis.done:
		case <-wctx.Done():
		}
		cancel()
	}()
	err = waitReady(wctx, info, opts.ReadyTimeout, start, progress)
	cancel()
	if err != nil {
		for _, p := range []*localProc{r.postgres, r.redis} {
			if p.exited() {
				return nil, p.exitError()
			}
		}
		return nil, err
	}
	return &Lab{Info: info, closeFn: r.stop, servers: r}, nil
}

// spawnRedis starts redis-server on port with the run's password. It keeps
// no data on disk: a Redis started again (a stop fault healed) is empty.
func (r *localRun) spawnRedis(port int) (*localProc, error) {
	return r.spawn("redis", r.bins.redis, []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--requirepass", r.redisPassword,
		"--save", "",
		"--appendonly", "no",
		"--daemonize", "no",
		"--dir", filepath.Join(r.dir, "redis"),
	}, nil)
}

// spawnPostgres starts the postmaster on the run's data directory.
func (r *localRun) spawnPostgres(port int) (*localProc, error) {
	return r.spawn("postgres", r.bins.postgres, []string{
		"-D", filepath.Join(r.dir, "pgdata"),
		"-p", strconv.Itoa(port),
		"-k", r.socketDir(),
		"-c", "listen_addresses=127.0.0.1",
		// A lab's data is thrown away at the end: durability only costs time.
		// A fast shutdown (postgres_stop) still checkpoints, so a restart
		// finds every committed row.
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
	}, r.cred)
}

// socketDir is where postgres puts its Unix socket: inside the run directory,
// so it never needs /var/run/postgresql (missing or not writable without the
// distribution's service scripts). Where that path would exceed the socket
// path limit (long macOS temp dirs) no socket is made; the lab uses TCP.
func (r *localRun) socketDir() string {
	d := filepath.Join(r.dir, "sock")
	if len(d)+len("/.s.PGSQL.65535") >= 100 {
		return ""
	}
	return d
}

// startServer picks a free loopback port, spawns the server on it and waits
// until listening(port) confirms that this very server listens there. If
// another program grabbed the port between our probe and the server's bind,
// the server exits saying so, and we try again with a new port.
func (r *localRun) startServer(ctx context.Context, opts Options, service string,
	spawn func(port int) (*localProc, error), listening func(ctx context.Context, p *localProc, port int) bool) (int, error) {
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("%s: %w", service, err)
		}
		port, err := localFreePort()
		if err != nil {
			return 0, err
		}
		p, err := spawn(port)
		if err != nil {
			return 0, err
		}
		err = waitListening(ctx, p, port, opts.ReadyTimeout, listening)
		if err == nil {
			return port, nil
		}
		if !errors.Is(err, errLocalPortTaken) || attempt == localPortAttempts {
			return 0, err
		}
	}
}

// waitListening polls listening until it says yes, or the server exits (the
// error then carries its log), or ctx or timeout ends.
func waitListening(ctx context.Context, p *localProc, port int, timeout time.Duration,
	listening func(ctx context.Context, p *localProc, port int) bool) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if p.exited() {
			return p.exitError()
		}
		if listening(ctx, p, port) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", p.service, ctx.Err())
		case <-p.done:
		case <-deadline.C:
			return fmt.Errorf("%s did not listen on 127.0.0.1:%d within %v; last lines of its log:\n%s",
				p.service, port, timeout, logTail(p.logPath, 15))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// redisListening says whether our Redis answers on port. A bare TCP connect
// is not proof: a program that took the port first would accept it too.
// Only our server knows the random password, so an authenticated PING is.
func redisListening(password string) func(ctx context.Context, p *localProc, port int) bool {
	return func(ctx context.Context, p *localProc, port int) bool {
		rdb := redis.NewClient(&redis.Options{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			Password: password, MaxRetries: -1, DialTimeout: 200 * time.Millisecond,
			ReadTimeout: 200 * time.Millisecond, ContextTimeoutEnabled: true})
		defer rdb.Close()
		return rdb.Ping(ctx).Err() == nil
	}
}

// postmasterListening says whether our postmaster has bound its TCP socket:
// it then writes the listen address into line 6 of postmaster.pid (the file
// pg_ctl watches too), whose line 1 is its pid. Unlike a TCP connect this
// cannot be fooled by another program on the port, and it needs no password
// round trip while the server is still starting up.
func postmasterListening(dataDir string) func(ctx context.Context, p *localProc, port int) bool {
	return func(ctx context.Context, p *localProc, port int) bool {
		b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
		if err != nil {
			return false
		}
		lines := strings.Split(string(b), "\n")
		return len(lines) >= 6 && strings.TrimSpace(lines[0]) == strconv.Itoa(p.pid) &&
			strings.TrimSpace(lines[5]) != ""
	}
}

// spawn starts a server as a child process in its own process group, so a
// Ctrl-C in the terminal reaches only us and we can stop it cleanly. Its
// output goes to <service>.log in the run directory.
func (r *localRun) spawn(service, bin string, args []string, cred *syscall.Credential) (*localProc, error) {
	logPath := filepath.Join(r.dir, service+".log")
	// O_APPEND: a server of an earlier attempt that is still dying cannot
	// overwrite what this one writes.
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("local lab: %w", err)
	}
	defer logf.Close() // the child has its own copy
	cmd := exec.Command(bin, args...)
	cmd.Dir = r.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: cred}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("local lab: start %s: %w", service, err)
	}
	p := &localProc{service: service, cmd: cmd, pid: cmd.Process.Pid, logPath: logPath, done: make(chan struct{})}
	p.start, _, _ = procStat(p.pid)
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, r.setProc(p)
}
