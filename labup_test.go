package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cqrslab/demo/lab"
	"cqrslab/internal/labtest"
)

// labUp is `cqrslab lab up` running in a process of its own, as a user runs
// it in one terminal while driving it from another.
type labUp struct {
	t      *testing.T
	cmd    *exec.Cmd
	Stderr *labtest.LogBuffer
	RunID  string

	mu     sync.Mutex
	output []string
	exited chan struct{}
}

// labUpArgs is `lab up` on the provider and images labtest.Ready chose; it
// skips the test at once when no lab can start here.
func labUpArgs(t *testing.T, extra ...string) []string {
	t.Helper()
	args := append([]string{"lab", "up"}, labtest.Args(labtest.Ready(t))...)
	return append(args, extra...)
}

var upLine = regexp.MustCompile(`^Lab ([0-9a-f]+) is up`)

// startLabUp runs `cqrslab ARGS` and waits until it says the lab is up. A
// lab that cannot start skips the test (fails it under
// CQRSLAB_REQUIRE_INFRA=1). The process is killed when the test ends, should
// the test not stop it.
func startLabUp(t *testing.T, env, args []string) *labUp {
	t.Helper()
	u := &labUp{t: t, Stderr: &labtest.LogBuffer{}, exited: make(chan struct{})}
	u.cmd = exec.Command(binary, args...)
	u.cmd.Env = append(os.Environ(), env...)
	stdout, _ := u.cmd.StdoutPipe()
	u.cmd.Stderr = u.Stderr
	if err := u.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.cmd.Process.Kill() })
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			u.mu.Lock()
			u.output = append(u.output, sc.Text())
			u.mu.Unlock()
		}
		close(u.exited)
	}()
	u.RunID = u.WaitFor(upLine, 3*time.Minute)
	return u
}

// Output is everything lab up has printed so far.
func (u *labUp) Output() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return strings.Join(u.output, "\n")
}

// WaitFor waits for a line matching re and returns its first submatch.
func (u *labUp) WaitFor(re *regexp.Regexp, within time.Duration) string {
	u.t.Helper()
	deadline := time.Now().Add(within)
	for {
		u.mu.Lock()
		for _, l := range u.output {
			if m := re.FindStringSubmatch(l); m != nil {
				u.mu.Unlock()
				return m[1]
			}
		}
		u.mu.Unlock()
		select {
		case <-u.exited:
			u.cmd.Wait()
			labtest.Unavailable(u.t, "lab up exited before printing %q: %s", re, u.Stderr)
		default:
		}
		if time.Now().After(deadline) {
			u.t.Fatalf("lab up did not print %q in %v: %s", re, within, u.Stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop presses Ctrl-C (SIGINT), waits for lab up to end cleanly, and checks
// that no container and no network of its run is left.
func (u *labUp) Stop() {
	u.t.Helper()
	u.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- u.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			u.t.Fatalf("lab up after Ctrl-C: %v\n%s", err, u.Stderr)
		}
	case <-time.After(60 * time.Second):
		u.t.Fatal("lab up did not stop within 60s of SIGINT")
	}
	if n, err := lab.CountContainers(context.Background(), u.RunID); err == nil && n != 0 {
		u.t.Fatalf("%d containers left after Ctrl-C", n)
	}
	if n, err := lab.CountNetworks(context.Background(), u.RunID); err == nil && n != 0 {
		u.t.Fatalf("%d networks left after Ctrl-C", n)
	}
}
