package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"cqrslab/internal/atomicfile"
	"cqrslab/internal/statedir"

	"github.com/redis/go-redis/v9"
)

// The local provider runs initdb/postgres and redis-server from the machine
// as child processes of this program. It is the way to a lab when Docker is
// missing (a locked-down laptop, a CI runner without a daemon): everything
// lives in one temporary directory per run, listens on 127.0.0.1 only and is
// protected by random passwords, and a run record in the state directory lets
// a later start remove what a crashed run left behind.

const (
	// localDirPrefix starts the name of every run directory. Clean-up refuses
	// to delete a directory whose name does not start with it, so a damaged
	// run record can never make it remove anything else.
	localDirPrefix = "cqrslab-local-"
	// localStopGrace is how long a server gets to shut down cleanly before
	// its whole process group is killed.
	localStopGrace = 5 * time.Second
	// localPortAttempts bounds the retries when another program takes the
	// free port we picked between our probe and the server's bind.
	localPortAttempts = 5
)

const localInstallHint = "install them (Debian/Ubuntu: apt-get install postgresql redis-server; macOS: brew install postgresql redis)"

// localBins are the programs the local provider runs. initdb and postgres
// come from the same directory because initdb refuses a postgres of another
// version.
type localBins struct {
	initdb, postgres, redis string
}

// LocalAvailable reports nil when initdb, postgres and redis-server can be
// found (on PATH or where Debian and Homebrew install them), else an error
// naming what is missing and how to install it.
func LocalAvailable() error {
	if _, err := findLocalBins(); err != nil {
		return err
	}
	_, err := localServerCredential()
	return err
}

func findLocalBins() (localBins, error) {
	var b localBins
	var missing []string
	for _, dir := range postgresBinDirs() {
		if isExecutableFile(filepath.Join(dir, "initdb")) && isExecutableFile(filepath.Join(dir, "postgres")) {
			b.initdb, b.postgres = filepath.Join(dir, "initdb"), filepath.Join(dir, "postgres")
			break
		}
	}
	if b.initdb == "" {
		missing = append(missing, "initdb and postgres (the PostgreSQL server; searched PATH, /usr/lib/postgresql/*/bin, "+
			"/opt/homebrew/bin, /usr/local/bin, /opt/homebrew/opt/postgresql@*/bin, /usr/local/opt/postgresql@*/bin)")
	}
	for _, p := range redisCandidates() {
		if isExecutableFile(p) {
			b.redis = p
			break
		}
	}
	if b.redis == "" {
		missing = append(missing, "redis-server (searched PATH, /usr/bin, /usr/local/bin, /opt/homebrew/bin)")
	}
	if len(missing) > 0 {
		return b, fmt.Errorf("local servers not found: %s; %s", strings.Join(missing, " and "), localInstallHint)
	}
	return b, nil
}

// postgresBinDirs lists where a PostgreSQL server may be installed, in the
// order we prefer them: what PATH says first (the user's choice), then the
// Debian per-version directories (which are not on PATH) and the Homebrew
// ones, newest version first.
func postgresBinDirs() []string {
	var dirs []string
	for _, name := range []string{"initdb", "postgres"} {
		if p, err := exec.LookPath(name); err == nil {
			dirs = append(dirs, filepath.Dir(p))
		}
	}
	dirs = append(dirs, newestFirst("/usr/lib/postgresql/*/bin")...)
	dirs = append(dirs, "/opt/homebrew/bin", "/usr/local/bin")
	dirs = append(dirs, newestFirst("/opt/homebrew/opt/postgresql@*/bin")...)
	dirs = append(dirs, newestFirst("/usr/local/opt/postgresql@*/bin")...)
	return dirs
}

func redisCandidates() []string {
	var c []string
	if p, err := exec.LookPath("redis-server"); err == nil {
		c = append(c, p)
	}
	return append(c, "/usr/bin/redis-server", "/usr/local/bin/redis-server", "/opt/homebrew/bin/redis-server")
}

// newestFirst globs directories whose parent is named by a version ("15",
// "9.6", "postgresql@16") and sorts them by that version, highest first.
func newestFirst(pattern string) []string {
	dirs, _ := filepath.Glob(pattern)
	version := func(dir string) []int {
		name := filepath.Base(filepath.Dir(dir))
		if _, after, ok := strings.Cut(name, "@"); ok {
			name = after
		}
		var v []int
		for part := range strings.SplitSeq(name, ".") {
			n, err := strconv.Atoi(part)
			if err != nil {
				return nil
			}
			v = append(v, n)
		}
		return v
	}
	slices.SortStableFunc(dirs, func(a, b string) int {
		return -slices.Compare(version(a), version(b))
	})
	return dirs
}

func isExecutableFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// localServerCredential says which user the PostgreSQL programs run as. As
// an ordinary user: ourselves (nil). As root: PostgreSQL refuses to run, so
// we drop to the "postgres" user when the system has one (it is made for
// this) or else to "nobody".
func localServerCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root, and PostgreSQL refuses to run as root, but neither a postgres nor a nobody user exists to run it as; run cqrslab as an ordinary user")
}

// localTempRoot is where run directories go. When PostgreSQL runs as another
// user, every directory above its data directory must let that user through;
// a private TMPDIR (e.g. under /root) would not, so /tmp is used instead.
func localTempRoot(cred *syscall.Credential) string {
	if shm := roomyTmpfs(); shm != "" {
		return shm
	}
	dir := os.TempDir()
	if cred == nil || othersCanTraverse(dir) {
		return dir
	}
	return "/tmp"
}

func othersCanTraverse(dir string) bool {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

// localRecord is what the state directory remembers about one local run, so
// that the servers of a process that died without closing its lab can be
// found and stopped later. Start times (Linux kernel clock ticks) tell our
// processes from later ones that got the same pid.
type localRecord struct {
	RunID         string    `json:"run_id"`
	OwnerPID      int       `json:"owner_pid"`
	OwnerStart    uint64    `json:"owner_start,omitempty"`
	OwnerName     string    `json:"owner_name,omitempty"`
	Dir           string    `json:"dir"`
	Started       time.Time `json:"started"`
	PostgresPID   int       `json:"postgres_pid,omitempty"`
	PostgresStart uint64    `json:"postgres_start,omitempty"`
	RedisPID      int       `json:"redis_pid,omitempty"`
	RedisStart    uint64    `json:"redis_start,omitempty"`
}

func localRecordDir() string { return statedir.Path("local") }

func localRecordPath(runID string) string {
	return filepath.Join(localRecordDir(), runID+".json")
}

// writeLocalRecord replaces the record atomically, so a reader (a clean-up in
// another process) never sees half a file.
func writeLocalRecord(path string, rec localRecord) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("local lab: state directory: %w", err)
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("local lab: write run record: %w", err)
	}
	return nil
}

// localProc is one server process of a local run. Keeping the *exec.Cmd lets
// Close wait for the real exit (and reap it), and lets fault injection stop
// or signal a server on purpose.
type localProc struct {
	service string
	cmd     *exec.Cmd
	pid     int
	start   uint64 // kernel start time, 0 where /proc is missing
	logPath string
	done    chan struct{} // closed once the process has exited and been reaped
	waitErr error         // valid after done is closed
}

func (p *localProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitError describes a server that exited while we needed it, with the end
// of its log, which is where PostgreSQL and Redis say why.
func (p *localProc) exitError() error {
	tail := logTail(p.logPath, 15)
	err := fmt.Errorf("%s exited during start (%v); last lines of its log:\n%s", p.service, p.waitErr, tail)
	if strings.Contains(tail, "already in use") {
		return fmt.Errorf("%w: %w", errLocalPortTaken, err)
	}
	return err
}

var errLocalPortTaken = errors.New("port taken by another program")

// stop asks the process to shut down with sig (its clean fast shutdown), and
// kills its whole process group when it has not exited after the grace
// period. The group is only signalled while the leader is not yet reaped, so
// its id cannot have been reused by an unrelated process.
func (p *localProc) stop(sig syscall.Signal) error {
	if p.exited() {
		return nil
	}
	_ = syscall.Kill(p.pid, sig)
	select {
	case <-p.done:
		return nil
	case <-time.After(localStopGrace):
	}
	_ = syscall.Kill(-p.pid, syscall.SIGKILL)
	select {
	case <-p.done:
		waitGroupGone(p.pid, time.Second)
		return nil
	case <-time.After(5 * time.Second):
		return fmt.Errorf("%s (pid %d) did not exit after SIGKILL", p.service, p.pid)
	}
}

// waitGroupGone waits (bounded) until no process of the group is left, so the
// data directory is not removed while a killed backend still writes into it.
func waitGroupGone(pgid int, limit time.Duration) {
	pollUntil(limit, func() bool { return !groupHasLiveMembers(pgid) })
}

// groupHasLiveMembers reports whether a process group still has a process
// that is not a zombie. Killed grandchildren are reparented to init, which
// may reap them only a second later; kill(-pgid, 0) would count those
// zombies, /proc lets us ignore them.
func groupHasLiveMembers(pgid int) bool {
	if !procfsAvailable() {
		return syscall.Kill(-pgid, 0) != syscall.ESRCH
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		if p, ok := readProcStat(e.Name()); ok && p.live() && p.pgrp == pgid {
			return true
		}
	}
	return false
}

// localRun is one local lab: its directory, run record and server processes.
type localRun struct {
	runID      string
	dir        string
	recordPath string
	cred       *syscall.Credential
	// bins, opts and redisPassword let fault injection start a server again
	// exactly as the start did.
	bins          localBins
	opts          Options
	redisPassword string

	mu       sync.Mutex
	rec      localRecord
	postgres *localProc
	redis    *localProc

	stopOnce sync.Once
	stopErr  error
}

// proc returns the process of a service ("postgres" or "redis"), nil when it
// was never started.
func (r *localRun) proc(service string) *localProc {
	r.mu.Lock()
	defer r.mu.Unlock()
	if service == "postgres" {
		return r.postgres
	}
	return r.redis
}

// setProc remembers a freshly spawned server and records its pid at once, so
// that a crash from now on still leaves a trace clean-up can follow.
func (r *localRun) setProc(p *localProc) error {
	r.mu.Lock()
	if p.service == "postgres" {
		r.postgres = p
		r.rec.PostgresPID, r.rec.PostgresStart = p.pid, p.start
	} else {
		r.redis = p
		r.rec.RedisPID, r.rec.RedisStart = p.pid, p.start
	}
	rec := r.rec
	r.mu.Unlock()
	return writeLocalRecord(r.recordPath, rec)
}

// stop shuts both servers down (in parallel, so Close takes at most one
// grace period), then removes the run directory and, once nothing is left,
// the run record. It runs once; later calls return the first result.
func (r *localRun) stop() error {
	r.stopOnce.Do(func() {
		pg, rd := r.proc("postgres"), r.proc("redis")
		var pgErr, rdErr error
		var wg sync.WaitGroup
		if pg != nil {
			// SIGINT is PostgreSQL's fast shutdown: abort sessions, checkpoint, exit.
			wg.Go(func() { pgErr = pg.stop(syscall.SIGINT) })
		}
		if rd != nil {
			wg.Go(func() { rdErr = rd.stop(syscall.SIGTERM) })
		}
		wg.Wait()
		errs := []error{pgErr, rdErr}
		if pgErr == nil && rdErr == nil {
			if err := removeLocalDir(r.dir); err != nil {
				errs = append(errs, err)
			} else if err := os.Remove(r.recordPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		r.stopErr = errors.Join(errs...)
	})
	return r.stopErr
}

// removeLocalDir deletes a run directory, refusing anything not named like
// one. It retries briefly because a server killed a moment ago may still be
// closing files.
func removeLocalDir(dir string) error {
	if dir == "" {
		return nil
	}
	if !filepath.IsAbs(dir) || !strings.HasPrefix(filepath.Base(dir), localDirPrefix) {
		return fmt.Errorf("local lab: refusing to remove %q: not a lab run directory", dir)
	}
	var err error
	for range 5 {
		if err = os.RemoveAll(dir); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("local lab: remove %s: %w", dir, err)
}

// startLocal starts Redis and PostgreSQL as child processes in a fresh
// temporary directory and waits until both answer. On any failure, and when
// ctx ends, everything it started is stopped and removed before it returns.
func startLocal(ctx context.Context, opts Options, progress ProgressFunc) (l *Lab, err error) {
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
	return &Lab{Info: info, closeFn: r.stop, local: r}, nil
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

// localFreePort picks the port for a server; tests replace it to force a
// port clash.
var localFreePort = freeLoopbackPort

// freeLoopbackPort asks the kernel for a free port on 127.0.0.1.
func freeLoopbackPort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("local lab: find a free port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	return port, ln.Close()
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

// initPostgres creates the cluster with a random superuser password and
// then the cqrslab database, using single-user mode: no server, no port and
// no polling needed just to run CREATE DATABASE.
func (r *localRun) initPostgres(ctx context.Context, bins localBins, password string) error {
	pwfile := filepath.Join(r.dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(password+"\n"), 0o600); err != nil {
		return fmt.Errorf("local lab: %w", err)
	}
	defer os.Remove(pwfile) // the password is only needed by initdb
	if r.cred != nil {
		if err := os.Chown(pwfile, int(r.cred.Uid), int(r.cred.Gid)); err != nil {
			return fmt.Errorf("local lab: %w", err)
		}
	}
	data := filepath.Join(r.dir, "pgdata")
	err := r.runTool(ctx, "initdb", bins.initdb, []string{
		"-D", data,
		"--username=cqrslab",
		"--pwfile=" + pwfile,
		"--auth=scram-sha-256",
		// C locale: works on every machine whatever LANG says, and sorts
		// the same everywhere.
		"--locale=C", "--encoding=UTF8",
		// A throwaway cluster needs no fsync; this halves initdb's time.
		"--no-sync",
		// 1 MB WAL segments instead of 16: less to write and to copy from
		// the template (local_template.go) for a cluster that lives minutes.
		"--wal-segsize=1",
	}, "")
	if err != nil {
		return err
	}
	return r.runTool(ctx, "createdb", bins.postgres, []string{
		"--single", "-D", data, "-F",
		"-c", "listen_addresses=",
		// Turn an SQL error into a non-zero exit instead of a logged line.
		"-c", "exit_on_error=on",
		"postgres",
	}, "CREATE DATABASE cqrslab;\n")
}

// runTool runs a one-shot PostgreSQL program as the server user, in its own
// process group that is killed as a whole when ctx ends (initdb starts
// postgres children of its own).
func (r *localRun) runTool(ctx context.Context, name, bin string, args []string, stdin string) error {
	logPath := filepath.Join(r.dir, name+".log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("local lab: %w", err)
	}
	defer logf.Close()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = r.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: r.cred}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	err = cmd.Run()
	if ctx.Err() != nil {
		if cmd.Process != nil {
			waitGroupGone(cmd.Process.Pid, time.Second)
		}
		return fmt.Errorf("postgres %s: %w", name, ctx.Err())
	}
	tail := logTail(logPath, 15)
	if err == nil && (strings.Contains(tail, "ERROR:") || strings.Contains(tail, "FATAL:")) {
		err = errors.New("reported an error")
	}
	if err != nil {
		return fmt.Errorf("postgres %s failed (%v); last lines of its output:\n%s", name, err, tail)
	}
	return nil
}

// logTail returns the last n lines of a log file, for error messages.
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// CleanupLocal stops and removes every local server run this tool recorded
// whose owner process is gone (all=false) or every one (all=true); returns
// how many runs it removed. all=true also stops runs of live programs,
// including labs of this very process.
func CleanupLocal(all bool) (int, error) {
	entries, err := os.ReadDir(localRecordDir())
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("local lab: read run records: %w", err)
	}
	removed := 0
	var errs []error
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		path := filepath.Join(localRecordDir(), e.Name())
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed meanwhile by its owner
		}
		var rec localRecord
		if err == nil {
			err = json.Unmarshal(b, &rec)
		}
		if err != nil {
			// Records are written atomically, so this one can never be read:
			// it points at nothing we could clean.
			_ = os.Remove(path)
			continue
		}
		if !all && localProcAlive(rec.OwnerPID, rec.OwnerStart, rec.OwnerName) {
			continue
		}
		if err := cleanupLocalRecord(path, rec); err != nil {
			errs = append(errs, err)
			continue
		}
		removed++
	}
	return removed, errors.Join(errs...)
}

// cleanupLocalRecord stops the servers of a recorded run (they are not our
// children, so we poll instead of waiting), removes its directory and then
// the record.
func cleanupLocalRecord(path string, rec localRecord) error {
	var pgErr, rdErr error
	var wg sync.WaitGroup
	wg.Go(func() { pgErr = stopRecordedProc(rec.PostgresPID, rec.PostgresStart, "postgres", syscall.SIGINT) })
	wg.Go(func() { rdErr = stopRecordedProc(rec.RedisPID, rec.RedisStart, "redis", syscall.SIGTERM) })
	wg.Wait()
	if err := errors.Join(pgErr, rdErr); err != nil {
		return fmt.Errorf("local lab run %s: %w", rec.RunID, err)
	}
	killProcsMentioning(rec.Dir)
	if err := removeLocalDir(rec.Dir); err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func stopRecordedProc(pid int, start uint64, name string, sig syscall.Signal) error {
	alive := func() bool { return localProcAlive(pid, start, name) }
	if !alive() {
		return nil
	}
	_ = syscall.Kill(pid, sig)
	if pollUntil(localStopGrace, func() bool { return !alive() }) {
		return nil
	}
	if alive() { // still our process: its group id is still its pid
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
	if pollUntil(5*time.Second, func() bool { return !alive() }) {
		return nil
	}
	return fmt.Errorf("%s (pid %d) did not exit after SIGKILL", name, pid)
}

func pollUntil(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killProcsMentioning kills leftover PostgreSQL/Redis processes whose command
// line names the run directory: the pids of a run that crashed between spawn
// and record update, or initdb's children. Linux only (needs /proc).
func killProcsMentioning(dir string) {
	if dir == "" || !procfsAvailable() {
		return
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || len(b) == 0 {
			continue
		}
		argv := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		switch filepath.Base(argv[0]) {
		case "postgres", "postmaster", "initdb", "redis-server":
		default:
			continue
		}
		if strings.Contains(strings.Join(argv, " "), dir) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// localProcAlive reports whether pid still is the process we recorded. On
// Linux the kernel start time settles it (a zombie counts as gone). Without
// /proc (macOS), a live pid must also show the expected name in ps, so a pid
// reused by another program is neither trusted nor killed.
func localProcAlive(pid int, start uint64, name string) bool {
	if pid <= 0 {
		return false
	}
	if st, state, ok := procStat(pid); ok {
		if state == 'Z' || state == 'X' {
			return false
		}
		return start == 0 || st == start
	}
	if procfsAvailable() {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && err != syscall.EPERM {
		return false
	}
	out, err := exec.Command("ps", "-o", "command=", "-p", strconv.Itoa(pid)).Output()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return false // ps found no such process
	}
	if err != nil || name == "" {
		return true // cannot tell: assume it is still ours
	}
	return strings.Contains(string(out), name)
}

var procfsAvailable = sync.OnceValue(func() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
})

// procInfo is what the lab reads of a process in /proc/<pid>/stat.
type procInfo struct {
	comm       string // the command name, as the kernel keeps it
	state      byte   // R, S, D, Z (zombie), X (dead), …
	ppid, pgrp int
	start      uint64 // kernel start time, in clock ticks since boot
}

// readProcStat parses /proc/<pid>/stat (pid as its directory name); ok is
// false where there is no such process or file. The one parser of that
// format in the project: the command name (field 2) is in parentheses and
// may hold spaces and parentheses, so the fields are counted from the last
// ')'.
func readProcStat(pid string) (p procInfo, ok bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return p, false
	}
	s := string(b)
	open, i := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || i < open {
		return p, false
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state), f[1] ppid, f[2] pgrp, f[19] field 22 (starttime).
	if len(f) < 20 || f[0] == "" {
		return p, false
	}
	p.comm, p.state = s[open+1:i], f[0][0]
	p.ppid, _ = strconv.Atoi(f[1])
	p.pgrp, _ = strconv.Atoi(f[2])
	if p.start, err = strconv.ParseUint(f[19], 10, 64); err != nil {
		return p, false
	}
	return p, true
}

// live is false for a zombie or a dead process.
func (p procInfo) live() bool { return p.state != 'Z' && p.state != 'X' }

// procStat reads a process's kernel start time and state; ok is false
// where there is no /proc entry for it.
func procStat(pid int) (start uint64, state byte, ok bool) {
	p, ok := readProcStat(strconv.Itoa(pid))
	return p.start, p.state, ok
}
