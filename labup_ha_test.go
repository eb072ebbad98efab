package main

import (
	"context"
	"regexp"
	"syscall"
	"testing"
	"time"

	"cqrslab/demo/lab"
	"cqrslab/internal/labtest"
)

// TestLabUpHALeavesNothing stops `lab up --topology ha` on its exit
// paths and counts what is left: the ha lab is nine containers on two
// networks of its own, and a network outlives its containers unless it is
// removed by name. Ctrl-C once the lab is up, and SIGTERM half way through
// the start (the Redis primary runs, the replicas are being started):
// neither may leave a container or a network of the process.
func TestLabUpHALeavesNothing(t *testing.T) {
	t.Parallel()
	opts := labtest.Ready(t)
	labtest.DockerOnly(t, opts, "topology ha")
	args := labUpArgs(t, "--topology", "ha")

	t.Run("ctrl-c when up", func(t *testing.T) {
		u := startLabUp(t, []string{"CQRSLAB_STATE_DIR=" + t.TempDir()}, args)
		u.Stop() // counts containers and networks of the run
	})

	t.Run("sigterm while starting", func(t *testing.T) {
		p := startPiped(t, []string{"CQRSLAB_STATE_DIR=" + t.TempDir()}, args...)
		started := regexp.MustCompile(`primary at \S+; 2 replicas`)
		deadline := time.Now().Add(2 * time.Minute)
		for !started.MatchString(p.stderr.String()) {
			select {
			case <-p.done:
				t.Fatalf("lab up ended before the Redis primary ran: %s", p.stderr)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("no Redis primary within 2 minutes: %s", p.stderr)
			}
			time.Sleep(20 * time.Millisecond)
		}
		pid := p.cmd.Process.Pid
		ctx := context.Background()
		if n, err := lab.CountNetworksOfPID(ctx, pid); err != nil || n == 0 {
			t.Fatalf("the start has %d networks so far (%v): the check below would prove nothing", n, err)
		}
		p.cmd.Process.Signal(syscall.SIGTERM)
		p.wait(t, time.Minute, nil) // no container or network of the pid left
	})
}
