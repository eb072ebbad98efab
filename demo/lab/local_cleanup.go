package lab

// Stale clean-up: removing what crashed or finished local runs left behind.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

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
