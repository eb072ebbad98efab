// Package doctor checks whether a machine is ready to run the lab: the Go
// toolchain, the Docker (or Colima, or Podman) engine and its images, the
// local servers, loopback ports, the terminal and the learner's progress
// file. An instructor runs it on every laptop before a workshop; a learner
// runs it when the lab will not start.
//
// Every check answers ok, warn or fail and, unless ok, the fix to apply, in
// words a newcomer can act on. The checks only look: they start nothing and
// pull nothing. The one question beyond this machine is, for an image the
// lab would have to pull, whether the registry has it (its manifest, not
// the image), so that "the lab will not run" is said where the start would
// fail.
package doctor

import (
	"context"
	"os"

	"cqrslab/demo/lab"
	"cqrslab/internal/statedir"
)

// Status is a check's verdict.
type Status string

const (
	// OK: nothing to do.
	OK Status = "ok"
	// Warn: the lab will run, but something will be slow, ugly or lost
	// (an image still to download, a small window, a corrupt progress file).
	Warn Status = "warn"
	// Fail: the lab will not run until the fix is applied.
	Fail Status = "fail"
)

// rank orders statuses from best to worst.
func (s Status) rank() int {
	switch s {
	case Fail:
		return 2
	case Warn:
		return 1
	}
	return 0
}

// Check is one line of the report.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Detail says what was found, naming the files, sockets and versions.
	Detail string `json:"detail"`
	// Fix is what to do about a warn or fail; empty when ok.
	Fix string `json:"fix,omitempty"`
}

// Report is every check, in the order a newcomer should fix them.
type Report struct {
	// Status is the worst status of any check.
	Status Status  `json:"status"`
	Checks []Check `json:"checks"`
}

func (r *Report) add(cs ...Check) {
	for _, c := range cs {
		r.Checks = append(r.Checks, c)
		if r.Status == "" || c.Status.rank() > r.Status.rank() {
			r.Status = c.Status
		}
	}
}

// Count is how many checks have status s.
func (r Report) Count(s Status) int {
	n := 0
	for _, c := range r.Checks {
		if c.Status == s {
			n++
		}
	}
	return n
}

// Names lists the names of the checks with status s.
func (r Report) Names(s Status) []string {
	var names []string
	for _, c := range r.Checks {
		if c.Status == s {
			names = append(names, c.Name)
		}
	}
	return names
}

// Config says what the lab would be started with, so that the checks judge
// the set-up the learner will actually use.
type Config struct {
	// Provider is --infra (default lab.Auto): with Docker chosen, no Docker
	// is a failure; with auto and local servers installed, only a warning.
	Provider lab.Provider
	// PostgresImage and RedisImage are the images the docker provider would
	// run (defaults: the lab's).
	PostgresImage string
	RedisImage    string
	// Terminal is where the lesson would draw; nil means no terminal (a
	// pipe, CI), which is fine for the headless commands.
	Terminal *os.File
}

func (c Config) withDefaults() Config {
	if c.Provider == "" {
		c.Provider = lab.Auto
	}
	if c.PostgresImage == "" {
		c.PostgresImage = lab.DefaultPostgresImage
	}
	if c.RedisImage == "" {
		c.RedisImage = lab.DefaultRedisImage
	}
	return c
}

// Run runs every check. It takes about as long as one `go env` and a few
// calls to the Docker engine; every wait is bounded (3 s for an engine that
// does not answer, 5 s for the go command).
func Run(ctx context.Context, cfg Config) Report {
	cfg = cfg.withDefaults()
	var r Report
	r.add(checkGo(ctx))

	eng := probeEngine(ctx)
	localErr := lab.LocalAvailable()
	r.add(checkDocker(cfg.Provider, eng, findSockets(ctx, eng.socketPath()), localErr))
	r.add(checkImages(ctx, cfg, eng, localErr)...)
	r.add(checkLocal(cfg.Provider, eng.err == nil, localErr))
	r.add(checkLoopback())
	r.add(checkTerminal(readTerminal(cfg.Terminal))...)
	r.add(checkProgressFile(statedir.Dir()))
	return r
}

// FindTerminal returns the first of files that is a terminal, or nil. The
// lesson draws on stdout and reads stdin, so callers pass those first; a
// doctor piped into a file still measures the window it runs in.
func FindTerminal(files ...any) *os.File {
	for _, f := range files {
		if f, ok := f.(*os.File); ok && f != nil && isTerminal(f) {
			return f
		}
	}
	return nil
}
