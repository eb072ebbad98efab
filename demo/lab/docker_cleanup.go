package lab

import (
	"context"
	"os"
	"strconv"
	"syscall"

	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
)

// PurgeContainers removes labelled lab containers: with all=false only those
// whose owning process on this host is gone (a crashed run), with all=true
// every one (`cqrslab cleanup`). It returns how many it removed. When Docker
// is not reachable there is nothing of ours to remove, so it returns 0, nil.
func PurgeContainers(ctx context.Context, all bool) (int, error) {
	pool, err := newDockerPool(ctx)
	if err != nil {
		return 0, nil
	}
	return purgeStale(ctx, pool, all)
}

// CountContainers counts the labelled lab containers (of one run when runID
// is not empty). Tests use it to prove nothing is left behind.
func CountContainers(ctx context.Context, runID string) (int, error) {
	pool, err := newDockerPool(ctx)
	if err != nil {
		return 0, err
	}
	list, err := listLabelled(ctx, pool, runID)
	return len(list), err
}

// CountProcessContainers counts the labelled lab containers started by
// this process: tests use it where other test binaries run labs of their
// own at the same time.
func CountProcessContainers(ctx context.Context) (int, error) {
	return CountContainersOfPID(ctx, os.Getpid())
}

// CountContainersOfPID counts the labelled lab containers started by the
// process pid (a cqrslab binary a test drives in a terminal, say).
func CountContainersOfPID(ctx context.Context, pid int) (int, error) {
	pool, err := newDockerPool(ctx)
	if err != nil {
		return 0, err
	}
	list, err := pool.Client.ListContainers(dc.ListContainersOptions{All: true, Context: ctx,
		Filters: map[string][]string{"label": {LabelLab + "=1", LabelPID + "=" + strconv.Itoa(pid)}}})
	return len(list), err
}

func listLabelled(ctx context.Context, pool *dockertest.Pool, runID string) ([]dc.APIContainers, error) {
	filter := []string{LabelLab + "=1"}
	if runID != "" {
		filter = append(filter, LabelRun+"="+runID)
	}
	return pool.Client.ListContainers(dc.ListContainersOptions{All: true, Context: ctx,
		Filters: map[string][]string{"label": filter}})
}

func purgeStale(ctx context.Context, pool *dockertest.Pool, all bool) (int, error) {
	list, err := listLabelled(ctx, pool, "")
	if err != nil {
		return 0, err
	}
	host, _ := os.Hostname()
	removed := 0
	for _, c := range list {
		if !all && (c.Labels[LabelHost] != host || ownerAlive(c.Labels[LabelPID])) {
			continue
		}
		err := pool.Client.RemoveContainer(dc.RemoveContainerOptions{ID: c.ID, Force: true,
			RemoveVolumes: true, Context: ctx})
		if err == nil || isNoSuchContainer(err) {
			removed++
		}
	}
	return removed, nil
}

func purgeRun(pool *dockertest.Pool, runID string) error {
	list, err := listLabelled(context.Background(), pool, runID)
	if err != nil {
		return err
	}
	for _, c := range list {
		_ = pool.Client.RemoveContainer(dc.RemoveContainerOptions{ID: c.ID, Force: true, RemoveVolumes: true})
	}
	return nil
}

// ownerAlive reports whether the process that started a lab still runs. A
// process we may not signal (EPERM) exists, so it counts as alive.
func ownerAlive(pidLabel string) bool {
	pid, err := strconv.Atoi(pidLabel)
	if err != nil || pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return true
	}
	err = syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}
