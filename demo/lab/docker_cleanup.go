package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
)

// PurgeContainers removes labelled lab containers: with all=false only those
// whose owning process on this host is gone (a crashed run), with all=true
// every one on the engine, other users' and other state directories' live
// labs included (tests and `cqrslab cleanup` use ListLabContainers and
// RemoveLabContainers, which choose). It returns how many it removed. When Docker
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
	_ = removeLabNetworks(ctx, pool, "", all) // the ha topology's
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
	return removeRunNetworks(context.Background(), pool, runID) // the ha topology's
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

// LabContainer is one labelled lab container on the engine, as `cqrslab
// cleanup` lists it.
type LabContainer struct {
	ID       string
	Name     string
	Service  string // postgres or redis
	Run      string // the lab's run ID
	PID      int    // the process that started it
	Host     string // the host that process ran on
	StateDir string // that process's state directory ("" from older versions)
	// OwnerAlive: the starting process still runs (always true for a
	// container of another host, which we cannot check).
	OwnerAlive bool
}

// Stale reports whether the container's owner is gone: started on this
// host by a process that no longer runs.
func (c LabContainer) Stale() bool {
	host, _ := os.Hostname()
	return c.Host == host && !c.OwnerAlive
}

// Owned reports whether the container belongs to the labs of stateDir:
// started with that state directory, or of a run recorded there.
func (c LabContainer) Owned(stateDir string, runs []string) bool {
	return c.StateDir != "" && c.StateDir == stateDir || c.Run != "" && slices.Contains(runs, c.Run)
}

// ListLabContainers lists every labelled lab container on the engine. When
// Docker is not reachable there is nothing of ours to list: nil, nil.
func ListLabContainers(ctx context.Context) ([]LabContainer, error) {
	pool, err := newDockerPool(ctx)
	if err != nil {
		return nil, nil
	}
	list, err := listLabelled(ctx, pool, "")
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	out := make([]LabContainer, 0, len(list))
	for _, c := range list {
		pid, _ := strconv.Atoi(c.Labels[LabelPID])
		lc := LabContainer{ID: c.ID, Service: c.Labels[LabelService], Run: c.Labels[LabelRun], PID: pid,
			Host: c.Labels[LabelHost], StateDir: c.Labels[LabelState]}
		if len(c.Names) > 0 {
			lc.Name = strings.TrimPrefix(c.Names[0], "/")
		}
		lc.OwnerAlive = lc.Host != host || ownerAlive(c.Labels[LabelPID])
		out = append(out, lc)
	}
	return out, nil
}

// RemoveLabContainers force-removes the given containers (and their
// volumes), returning how many are gone. Only these: a container started
// after the list was made is not touched.
func RemoveLabContainers(ctx context.Context, list []LabContainer) (int, error) {
	if len(list) == 0 {
		return 0, nil
	}
	pool, err := newDockerPool(ctx)
	if err != nil {
		return 0, err
	}
	removed := 0
	var errs []error
	for _, c := range list {
		err := pool.Client.RemoveContainer(dc.RemoveContainerOptions{ID: c.ID, Force: true,
			RemoveVolumes: true, Context: ctx})
		if err == nil || isNoSuchContainer(err) {
			removed++
			continue
		}
		errs = append(errs, fmt.Errorf("remove container %s: %w", c.ID[:min(12, len(c.ID))], err))
	}
	// The ha topology's networks go with their run's containers.
	runs := map[string]bool{}
	for _, c := range list {
		if c.Run != "" && !runs[c.Run] {
			runs[c.Run] = true
			if err := removeRunNetworks(ctx, pool, c.Run); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return removed, errors.Join(errs...)
}
