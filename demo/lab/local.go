package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
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
