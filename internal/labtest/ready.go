package labtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"cqrslab/demo/lab"
)

var (
	readyOnce sync.Once
	readyOpts lab.Options
	readyWhy  string // non-empty: no lab can start, and why
)

// Ready decides, before any test waits on anything, whether this machine can
// start a lab, and returns the options that will: the provider resolved
// (auto becomes docker or local) and the images the docker provider will
// run (offline stand-ins included). It asks only this machine: a Docker
// ping, image inspects (a missing image is known in milliseconds; no test
// ever pulls one), and a look for the local servers. When no lab can start,
// the test skips saying what to install, or fails with
// CQRSLAB_REQUIRE_INFRA=1. Tests that start a lab in a child process pass
// these options on (Args), so the child makes the same choice.
func Ready(t testing.TB) lab.Options {
	t.Helper()
	readyOnce.Do(func() { readyOpts, readyWhy = decide(context.Background(), Options()) })
	if readyWhy != "" {
		Unavailable(t, "%s", readyWhy)
	}
	return readyOpts
}

// Args are the command-line flags that make a cqrslab child process start
// the lab Ready chose.
func Args(o lab.Options) []string {
	args := []string{"--infra", string(o.Provider)}
	if o.Provider == lab.Docker {
		args = append(args, "--postgres-image", o.PostgresImage, "--redis-image", o.RedisImage)
	}
	return args
}

// decide is Ready's answer: usable options, or why there are none.
func decide(ctx context.Context, o lab.Options) (lab.Options, string) {
	var dockerWhy string
	if o.Provider == lab.Docker || o.Provider == lab.Auto {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		plan, err := planImages(ctx, o)
		switch {
		case err != nil:
			dockerWhy = err.Error()
		case len(plan.Missing()) > 0:
			var refs []string
			for _, pk := range plan.Missing() {
				refs = append(refs, pk.Ref)
			}
			dockerWhy = fmt.Sprintf("Docker answers but the image(s) %s are not on this machine, and tests never pull "+
				"(`cqrslab prepare`, or scripts/build-offline-images.sh)", strings.Join(refs, " and "))
		default:
			o.Provider, o.PostgresImage, o.RedisImage = lab.Docker, plan.Postgres.Ref, plan.Redis.Ref
			return o, ""
		}
		if o.Provider == lab.Docker {
			return o, "CQRSLAB_TEST_INFRA=docker: " + dockerWhy
		}
	}
	if o.Provider == lab.Local || o.Provider == lab.Auto {
		if err := lab.LocalAvailable(); err != nil {
			if dockerWhy != "" {
				return o, "no lab can start: " + dockerWhy + "; and " + err.Error()
			}
			return o, err.Error()
		}
		o.Provider = lab.Local
		return o, ""
	}
	return o, "" // external: the test's own options say where
}

// planImages asks the engine, within ctx, which images a docker lab would
// run.
func planImages(ctx context.Context, o lab.Options) (lab.ImagePlan, error) {
	store, err := lab.OpenImageStore(ctx)
	if err != nil {
		return lab.ImagePlan{}, err
	}
	return store.Plan(o)
}
