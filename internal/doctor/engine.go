package doctor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
	dcopts "github.com/ory/dockertest/v3/docker/opts"

	"cqrslab/demo/lab"
)

// pingTimeout is how long an engine gets to answer, as in the lab itself: a
// live engine answers in milliseconds, a dead socket refuses at once, and a
// hung one should not hold the whole doctor. (A variable for tests.)
var pingTimeout = 3 * time.Second

// defaultDockerHost is where the lab looks when DOCKER_HOST is unset (a
// variable so tests can point it at a socket of their own).
var defaultDockerHost = dcopts.DefaultHost

// engine is what the Docker-compatible engine the lab would use said.
type engine struct {
	endpoint string // as dockertest reads it: DOCKER_HOST, DOCKER_URL, or the default socket
	source   string // which of those it came from
	client   *dc.Client
	err      error // nil when the engine answered a ping

	product string // "Docker 20.10.24", "Podman 4.9.3"
	os      string // "Docker Desktop", "Debian GNU/Linux 12", ...
	arch    string // image architecture ("amd64", "arm64")
}

// socketPath is the engine's unix socket path, or "" for a TCP endpoint.
func (e engine) socketPath() string {
	if p, ok := strings.CutPrefix(e.endpoint, "unix://"); ok {
		return p
	}
	return ""
}

// dockerEndpoint mirrors dockertest.NewPool(""), which the lab uses: it
// reads DOCKER_HOST (then DOCKER_URL) and ignores docker contexts, the
// usual trap for Colima and Podman users.
func dockerEndpoint() (endpoint, source string) {
	if v := os.Getenv("DOCKER_HOST"); v != "" {
		return v, "DOCKER_HOST"
	}
	if v := os.Getenv("DOCKER_URL"); v != "" {
		return v, "DOCKER_URL"
	}
	return defaultDockerHost, "the default socket"
}

func probeEngine(ctx context.Context) engine {
	e := engine{}
	e.endpoint, e.source = dockerEndpoint()
	pool, err := dockertest.NewPool(e.endpoint)
	if err != nil {
		e.err = err
		return e
	}
	e.client = pool.Client
	if e.err = ping(ctx, e.client); e.err != nil {
		return e
	}
	// Version and Info take no context: bound them here, so an engine that
	// answers pings but hangs on real work still lets the doctor finish.
	type about struct{ product, os, arch string }
	answered := make(chan about, 1)
	go func() {
		var a about
		if v, err := e.client.Version(); err == nil {
			a.product = productName(v.Get("Version"), v.Get("Components"))
		}
		if info, err := e.client.Info(); err == nil {
			a.os, a.arch = info.OperatingSystem, lab.ImageArch(info.Architecture)
		}
		answered <- a
	}()
	select {
	case a := <-answered:
		e.product, e.os, e.arch = a.product, a.os, a.arch
	case <-time.After(2 * pingTimeout):
		e.err = fmt.Errorf("the engine answers pings but not requests within %s", 2*pingTimeout)
	}
	return e
}

// ping asks the engine to answer within pingTimeout. The client first asks
// for the API version without any context, so the whole call runs aside and
// is abandoned if the engine hangs (the process ends soon after anyway).
func ping(ctx context.Context, c *dc.Client) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	answered := make(chan error, 1)
	go func() { answered <- c.PingWithContext(ctx) }()
	select {
	case err := <-answered:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// productName tells Podman from Docker: Podman's compatible API reports
// its own name among the version's components.
func productName(version, components string) string {
	name := "Docker"
	if strings.Contains(components, "Podman") {
		name = "Podman"
	}
	if version == "" {
		return name
	}
	return name + " " + version
}

// describe is the ok line: which engine, on what, where.
func (e engine) describe() string {
	s := e.product
	if s == "" {
		s = "Docker"
	}
	if e.os != "" {
		s += " on " + e.os
	}
	if e.arch != "" {
		s += ", " + e.arch
	}
	s += ", at " + e.endpoint
	if e.source != "the default socket" {
		s += " (from " + e.source + ")"
	}
	return s
}

// whyDown turns a failed ping into a reason a newcomer understands.
func (e engine) whyDown() string {
	where := e.endpoint
	path := e.socketPath()
	if path != "" {
		where = path
	}
	err := e.err
	switch {
	case path != "" && isMissing(path):
		return fmt.Sprintf("no Docker socket at %s: no engine is running there", path)
	case errors.Is(err, syscall.EACCES) || strings.Contains(err.Error(), "permission denied"):
		return fmt.Sprintf("permission denied on %s: this user may not use Docker", where)
	case errors.Is(err, dc.ErrConnectionRefused) || strings.Contains(err.Error(), "connection refused"):
		return fmt.Sprintf("nothing answers at %s: the engine is stopped", where)
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "deadline exceeded"):
		return fmt.Sprintf("%s did not answer within %s: the engine is hung or still starting", where, pingTimeout)
	}
	return fmt.Sprintf("cannot reach Docker at %s: %v", where, err)
}

func isMissing(path string) bool {
	_, err := os.Stat(path)
	return errors.Is(err, os.ErrNotExist)
}

// unixEndpoint is the DOCKER_HOST value for a socket path.
func unixEndpoint(path string) string { return "unix://" + path }
