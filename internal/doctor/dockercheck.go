package doctor

import (
	"context"
	"fmt"
	"os"
	"strings"

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

// checkImages says, per image, what a start would run, from the same
// decision the lab makes (lab.PlanImages): the image asked for, an offline
// stand-in for an absent official image, or a pull. For a pull, the
// registry is asked whether it has the image (its manifest only, nothing is
// downloaded), so that a machine where the images can be neither found nor
// pulled fails here, as the start would, instead of warning.
func checkImages(ctx context.Context, cfg Config, e engine, localErr error) []Check {
	names := map[string]string{"postgres": "postgres image", "redis": "redis image"}
	envs := map[string]string{"postgres": "CQRSLAB_POSTGRES_IMAGE", "redis": "CQRSLAB_REDIS_IMAGE"}
	shown := func(ref, service string) string {
		if v := os.Getenv(envs[service]); v != "" && lab.NormalizeImageRef(v) == ref {
			return ref + " (from " + envs[service] + ")"
		}
		return ref
	}
	refs := map[string]string{"postgres": lab.NormalizeImageRef(cfg.PostgresImage), "redis": lab.NormalizeImageRef(cfg.RedisImage)}
	var checks []Check
	skipAll := func(status Status, detail, fix string) []Check {
		for _, svc := range []string{"postgres", "redis"} {
			d := detail
			if status != OK {
				d = shown(refs[svc], svc) + ": " + detail
			}
			checks = append(checks, Check{Name: names[svc], Status: status, Detail: d, Fix: fix})
		}
		return checks
	}
	switch {
	case cfg.Provider == lab.Local || cfg.Provider == lab.External:
		return skipAll(OK, "not used with --infra "+string(cfg.Provider), "")
	case e.err != nil && cfg.Provider == lab.Auto && localErr == nil:
		return skipAll(OK, "not needed while Docker is down: the lab will use local servers", "")
	case e.err != nil:
		return skipAll(Warn, "not checked, Docker is not reachable", "fix Docker first (above), then run `cqrslab doctor` again")
	}
	plan, err := lab.PlanImages(e.client, lab.Options{PostgresImage: cfg.PostgresImage, RedisImage: cfg.RedisImage})
	if err != nil {
		return skipAll(Warn, "the engine could not say whether it is here: "+err.Error(),
			"run `cqrslab doctor` again; if it persists, restart Docker")
	}
	for _, pk := range plan.Picks() {
		c := Check{Name: names[pk.Service], Status: OK}
		switch pk.Source {
		case lab.FromAsked:
			c = imageCheck(c, e, pk.Ref, shown(pk.Ref, pk.Service))
		case lab.FromOffline:
			c = imageCheck(c, e, pk.Ref, pk.Ref)
			if c.Status == OK {
				c.Detail = fmt.Sprintf("%s is not here; the lab will use the offline image %s", pk.Asked,
					strings.Replace(c.Detail, " is here (", " (", 1))
			}
		default:
			c = missingImage(ctx, c, e, pk, shown(pk.Ref, pk.Service), cfg.Provider == lab.Auto && localErr == nil)
		}
		checks = append(checks, c)
	}
	return checks
}

// missingImage judges an image a start would have to pull: a warning when
// the registry has it (or local servers stand in), a failure when the start
// would stop there.
func missingImage(ctx context.Context, c Check, e engine, pk lab.ImagePick, shown string, localStandsIn bool) Check {
	err := lab.Pullable(ctx, e.client, pk.Ref)
	switch {
	case err == nil:
		c.Status = Warn
		c.Detail = shown + " is not on this machine: the first start would download it"
		c.Fix = "`cqrslab prepare` before the workshop (needs the internet), or, with no network, " +
			"`cqrslab prepare --load FILE` from an archive made elsewhere with `cqrslab prepare --save FILE`"
	case localStandsIn:
		c.Status = Warn
		c.Detail = fmt.Sprintf("%s is not on this machine and cannot be pulled (%v): "+
			"the lab will use the local PostgreSQL and Redis instead", shown, err)
		c.Fix = lab.ImagesFix
	default:
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s is not on this machine and cannot be pulled (%v), "+
			"and no offline image stands in: the lab will not run", shown, firstLine(err))
		c.Fix = lab.ImagesFix
	}
	return c
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

func imageCheck(c Check, e engine, ref, shown string) Check {
	img, err := e.client.InspectImage(lab.NormalizeImageRef(ref))
	switch {
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
