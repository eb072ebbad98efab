package lab

// Process groups: stopping a server and everything it forked.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

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
