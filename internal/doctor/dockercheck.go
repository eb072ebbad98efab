package doctor

import (
	"errors"
	"fmt"
	"os"
	"strings"

	dc "github.com/ory/dockertest/v3/docker"

	"cqrslab/demo/lab"
)

// withoutDocker is the advice for a machine where Docker cannot be had.
const withoutDocker = "or go without Docker: install PostgreSQL and Redis " +
	"(Debian/Ubuntu: `sudo apt-get install postgresql redis-server`; macOS: `brew install postgresql redis`) " +
	"and use --infra local, or use servers you run: --infra external --pg-dsn DSN --redis-addr HOST:PORT"

// checkDocker judges the engine the lab would use. How bad "no Docker" is
// depends on --infra: fatal for docker, harmless for local and external,
// and for auto a warning when local servers can stand in.
func checkDocker(p lab.Provider, e engine, others []socket, localErr error) Check {
	c := Check{Name: "Docker", Status: OK}
	if p == lab.Local || p == lab.External {
		c.Detail = "not used with --infra " + string(p)
		if e.err == nil {
			c.Detail += "; " + e.describe() + " answers"
		}
		return c
	}
	if e.err == nil {
		c.Detail = e.describe()
		return c
	}
	c.Detail = e.whyDown()
	c.Fix = dockerFix(e, others)
	if p == lab.Auto && localErr == nil {
		c.Status = Warn
		c.Detail += "; the lab will use the local PostgreSQL and Redis instead (--infra local)"
		return c
	}
	c.Status = Fail
	if p == lab.Auto {
		c.Fix += "; " + withoutDocker
	}
	return c
}

// dockerFix picks the one action most likely to work, from what exists on
// this machine: a live socket elsewhere beats "start Docker".
func dockerFix(e engine, others []socket) string {
	for _, s := range others {
		if s.alive && s.isDefault {
			return fmt.Sprintf("Docker answers at the default socket %s: `unset DOCKER_HOST` "+
				"(and remove it from your shell profile)", s.path)
		}
		if s.alive {
			fix := fmt.Sprintf("%s answers at %s, but cqrslab reads DOCKER_HOST, not docker contexts: "+
				"`export DOCKER_HOST=%s` (add it to your shell profile)", s.label, s.path, unixEndpoint(s.path))
			if e.source == "DOCKER_HOST" {
				fix = "DOCKER_HOST points at an engine that does not answer, while " + fix
			}
			return fix
		}
	}
	if len(others) > 0 {
		s := others[0]
		if s.isDefault {
			return fmt.Sprintf("Docker's default socket %s exists but does not answer: `%s`, then `unset DOCKER_HOST`",
				s.path, s.start)
		}
		return fmt.Sprintf("%s is installed (%s exists) but not running: `%s`, then `export DOCKER_HOST=%s`",
			s.label, s.path, s.start, unixEndpoint(s.path))
	}
	why := e.whyDown()
	switch {
	case strings.Contains(why, "permission denied"):
		return "let this user use Docker: `sudo usermod -aG docker $USER`, then log out and back in"
	case e.source == "DOCKER_HOST":
		return "start the engine DOCKER_HOST names, or correct DOCKER_HOST, or `unset DOCKER_HOST` to use the default socket"
	}
	return "start Docker: open Docker Desktop, or `sudo systemctl start docker` (Colima: `colima start`; " +
		"Podman: `podman machine start`; then set DOCKER_HOST to their socket)"
}

// checkImages says, per image, whether a start will need the network. The
// registry is not asked (doctor talks to nothing beyond this machine), so a
// missing image is a warning with the two ways to get it.
func checkImages(cfg Config, e engine, localErr error) []Check {
	images := []struct{ name, ref, env string }{
		{"postgres image", cfg.PostgresImage, "CQRSLAB_POSTGRES_IMAGE"},
		{"redis image", cfg.RedisImage, "CQRSLAB_REDIS_IMAGE"},
	}
	var checks []Check
	for _, img := range images {
		ref := lab.NormalizeImageRef(img.ref)
		if v := os.Getenv(img.env); v != "" && lab.NormalizeImageRef(v) == ref {
			ref += " (from " + img.env + ")"
		}
		c := Check{Name: img.name, Status: OK}
		switch {
		case cfg.Provider == lab.Local || cfg.Provider == lab.External:
			c.Detail = "not used with --infra " + string(cfg.Provider)
		case e.err != nil && cfg.Provider == lab.Auto && localErr == nil:
			c.Detail = "not needed while Docker is down: the lab will use local servers"
		case e.err != nil:
			c.Status, c.Detail = Warn, ref+": not checked, Docker is not reachable"
			c.Fix = "fix Docker first (above), then run `cqrslab doctor` again"
		default:
			c = imageCheck(c, e, img.ref, ref)
		}
		checks = append(checks, c)
	}
	return checks
}

func imageCheck(c Check, e engine, ref, shown string) Check {
	img, err := e.client.InspectImage(lab.NormalizeImageRef(ref))
	switch {
	case errors.Is(err, dc.ErrNoSuchImage):
		c.Status = Warn
		c.Detail = shown + " is not on this machine: the first start would download it"
		c.Fix = "`cqrslab prepare` before the workshop (needs the internet), or, with no network, " +
			"`cqrslab prepare --load FILE` from an archive made elsewhere with `cqrslab prepare --save FILE`"
	case err != nil:
		c.Status, c.Detail = Warn, fmt.Sprintf("%s: the engine could not say whether it is here: %v", shown, err)
		c.Fix = "run `cqrslab doctor` again; if it persists, restart Docker"
	case e.arch != "" && img.Architecture != "" && img.Architecture != e.arch:
		c.Status = Warn
		c.Detail = fmt.Sprintf("%s is here but built for %s, and this engine runs %s: it will be slow under emulation, "+
			"or fail to start", shown, img.Architecture, e.arch)
		c.Fix = fmt.Sprintf("load an archive made on a %s machine, or pull the right one here: "+
			"`docker rmi %s` then `cqrslab prepare`", e.arch, lab.NormalizeImageRef(ref))
	default:
		c.Detail = fmt.Sprintf("%s is here (%s)", shown, megabytes(img.Size))
	}
	return c
}

func megabytes(n int64) string {
	return fmt.Sprintf("%.0f MB", float64(n)/1e6)
}

// checkLocal reports the local provider's programs. Missing ones fail only
// when --infra local was asked for; with Docker working they are a mere
// alternative.
func checkLocal(p lab.Provider, dockerUp bool, localErr error) Check {
	c := Check{Name: "local servers", Status: OK}
	switch {
	case localErr == nil:
		c.Detail = "PostgreSQL (initdb, postgres) and redis-server found: --infra local works without Docker"
	case p == lab.Local:
		c.Status, c.Detail = Fail, localErr.Error()
		c.Fix = "install them (Debian/Ubuntu: `sudo apt-get install postgresql redis-server`; " +
			"macOS: `brew install postgresql redis`), or use Docker: --infra docker"
	case p == lab.External || (dockerUp && p != lab.Local):
		c.Detail = "not installed; only needed for --infra local (without Docker)"
	default:
		c.Status, c.Detail = Warn, "not installed either, so without Docker there is no lab"
		c.Fix = "install them (Debian/Ubuntu: `sudo apt-get install postgresql redis-server`; " +
			"macOS: `brew install postgresql redis`), or fix Docker (above)"
	}
	return c
}
