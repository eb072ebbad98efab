package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"cqrslab/demo/lab"
	"cqrslab/internal/labtest"
)

// pipedRun is cqrslab with its stdout on a pipe the test can close, as
// `cqrslab … | tee log` or `| head -1` give it.
type pipedRun struct {
	cmd    *exec.Cmd
	r      *os.File
	stderr *labtest.LogBuffer
	done   chan struct{}
}

func startPiped(t *testing.T, env []string, args ...string) *pipedRun {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &pipedRun{cmd: exec.Command(binary, args...), r: r, stderr: &labtest.LogBuffer{}, done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = w, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		r.Close()
	})
	go func() { p.cmd.Wait(); close(p.done) }()
	return p
}

// wait waits for the process to exit and checks it was not killed by a
// signal (SIGPIPE: exit 141 in a shell) and that nothing it started is
// left within a second of its exit.
func (p *pipedRun) wait(t *testing.T, within time.Duration, env []string) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(within):
		t.Fatalf("did not exit within %v: %s", within, p.stderr)
	}
	ws := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		t.Errorf("killed by %v, so no teardown ran: %s", ws.Signal(), p.stderr)
	}
	pid := p.cmd.Process.Pid
	deadline := time.Now().Add(time.Second)
	for {
		n, err := lab.CountContainersOfPID(context.Background(), pid)
		if err != nil || n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d container(s) of pid %d left a second after exit: %s", n, pid, p.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n, err := lab.CountNetworksOfPID(context.Background(), pid); err == nil && n != 0 {
		t.Fatalf("%d network(s) of pid %d left after exit: %s", n, pid, p.stderr)
	}
	// Local labs: every server run is recorded until it is removed.
	for _, e := range env {
		if dir, ok := strings.CutPrefix(e, "CQRSLAB_STATE_DIR="); ok {
			if left, _ := os.ReadDir(dir + "/local"); len(left) != 0 {
				t.Errorf("local server runs left recorded after exit: %v", left)
			}
		}
	}
}

// TestLabUpPipeClosedThenCtrlC is `cqrslab lab up | tee log`, then Ctrl-C:
// tee dies with the SIGINT, so "Tearing the lab down..." meets a closed
// pipe. That write used to kill cqrslab (SIGPIPE) before the teardown ran,
// leaving both containers and no record of them.
func TestLabUpPipeClosedThenCtrlC(t *testing.T) {
	env := []string{"CQRSLAB_STATE_DIR=" + t.TempDir()}
	p := startPiped(t, env, labUpArgs(t)...)
	sc := bufio.NewScanner(p.r)
	up := false
	for sc.Scan() {
		if upLine.MatchString(sc.Text()) {
			up = true
			break
		}
	}
	if !up {
		<-p.done
		labtest.Unavailable(t, "lab up ended before it was up: %s", p.stderr)
	}
	p.r.Close()
	p.cmd.Process.Signal(os.Interrupt)
	p.wait(t, 60*time.Second, env)
}

// TestExperimentIntoClosedPipe is `cqrslab experiment … | head -1` where
// the reader is gone before the report is written: the write used to kill
// cqrslab (SIGPIPE) with the experiment's lab still up. Now the failed
// write ends the command through its normal teardown, with exit 1.
func TestExperimentIntoClosedPipe(t *testing.T) {
	env := []string{"CQRSLAB_STATE_DIR=" + t.TempDir()}
	args := []string{"experiment", "--scenario", "redis-down", "--policy", "seed", "--rate", "20",
		"--duration", "2s", "--at", "500ms", "--for", "500ms"}
	args = append(args, labUpArgs(t)[2:]...) // --infra and images
	p := startPiped(t, env, args...)
	p.r.Close()
	p.wait(t, 5*time.Minute, env)
	if strings.Contains(p.stderr.String(), "no lab could start") || strings.Contains(p.stderr.String(), "cannot reach Docker") {
		labtest.Unavailable(t, "experiment could not start a lab: %s", p.stderr)
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(p.stderr.String(), "writing to stdout") {
		t.Errorf("exit %d, want 1 naming the lost output: %s", code, p.stderr)
	}
}

// TestSIGPIPEFromElsewhereDoesNotStop: a SIGPIPE not caused by our own
// stdout (sockets raise it too) must not end a lab.
func TestSIGPIPEFromElsewhereDoesNotStop(t *testing.T) {
	env := []string{"CQRSLAB_STATE_DIR=" + t.TempDir()}
	up := startLabUp(t, env, labUpArgs(t))
	up.cmd.Process.Signal(syscall.SIGPIPE)
	time.Sleep(500 * time.Millisecond)
	if out, errOut, code := cqrslab(t, env, "feed", "--author", "alice"); code != 0 {
		t.Fatalf("lab gone after a stray SIGPIPE to pid %s: exit %d %s %s", strconv.Itoa(up.cmd.Process.Pid), code, out, errOut)
	}
	up.Stop()
}
