package lab

// initdb: creating the PostgreSQL cluster of a local run and running its tools.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

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
