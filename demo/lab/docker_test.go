package lab

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	dc "github.com/ory/dockertest/v3/docker"
	"github.com/redis/go-redis/v9"
)

// dockerOptions are the docker provider's options for tests: images from
// CQRSLAB_POSTGRES_IMAGE / CQRSLAB_REDIS_IMAGE (CI points them at images
// built by scripts/build-offline-images.sh), the official ones otherwise.
func dockerOptions(t *testing.T) Options {
	t.Helper()
	if err := dockerReady(); err != nil {
		if os.Getenv("CQRSLAB_REQUIRE_INFRA") == "1" {
			t.Fatalf("docker provider unavailable: %v", err)
		}
		t.Skipf("docker provider unavailable (start Docker, and have the images: `cqrslab prepare`): %v", err)
	}
	t.Setenv("CQRSLAB_STATE_DIR", t.TempDir())
	o := OptionsFromEnv()
	o.Provider = Docker
	o.PostgresImage, o.RedisImage = dockerImages.Postgres.Ref, dockerImages.Redis.Ref
	return o
}

var (
	dockerReadyOnce sync.Once
	dockerReadyErr  error
)

// dockerReady reports whether docker labs can start here: the engine
// answers and the images a lab would run (PlanImages: the asked ones, or
// offline stand-ins) are present. It never pulls: a missing image is known
// in milliseconds, and a test that downloads 200 MB is not a unit test.
func dockerReady() error {
	dockerReadyOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		pool, err := newDockerPool(ctx)
		if err != nil {
			dockerReadyErr = err
			return
		}
		plan, err := PlanImages(pool.Client, OptionsFromEnv())
		if err != nil {
			dockerReadyErr = err
			return
		}
		if m := plan.Missing(); len(m) > 0 {
			var refs []string
			for _, pk := range m {
				refs = append(refs, pk.Ref)
			}
			dockerReadyErr = fmt.Errorf("%w: %s not on this machine (tests never pull)", ErrImageUnavailable,
				strings.Join(refs, " and "))
			return
		}
		dockerImages = plan
	})
	return dockerReadyErr
}

// dockerImages are the images dockerReady found.
var dockerImages ImagePlan

// countOwn counts this test process's containers of one run, or all of
// them when runID is empty (other packages' tests run labs in parallel).
func countOwn(t *testing.T, runID string) int {
	t.Helper()
	count := func(ctx context.Context) (int, error) { return CountContainers(ctx, runID) }
	if runID == "" {
		count = CountProcessContainers
	}
	n, err := count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDockerStartConnectClose(t *testing.T) {
	opts := dockerOptions(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var phases []string
	l, err := Start(ctx, opts, func(p Progress) { phases = append(phases, p.Service+":"+string(p.Phase)) })
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	defer l.Close()
	for _, want := range []string{"postgres:starting", "postgres:ready", "redis:starting", "redis:ready"} {
		if !strings.Contains(strings.Join(phases, " "), want) {
			t.Errorf("progress lacks %s: %v", want, phases)
		}
	}
	if n := countOwn(t, l.RunID); n != 2 {
		t.Fatalf("%d labelled containers for the run, want 2", n)
	}
	// Both ports are published on loopback only.
	d := l.servers.(*dockerRun)
	for _, r := range []struct {
		id, port string
	}{{d.postgres.Container.ID, "5432/tcp"}, {d.redis.Container.ID, "6379/tcp"}} {
		c, err := d.pool.Client.InspectContainer(r.id)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range c.HostConfig.PortBindings[dc.Port(r.port)] {
			if b.HostIP != "127.0.0.1" {
				t.Errorf("%s bound to %q, want 127.0.0.1", r.port, b.HostIP)
			}
		}
		if len(c.HostConfig.PortBindings) != 1 || c.HostConfig.PublishAllPorts {
			t.Errorf("unexpected port publishing: %+v all=%v", c.HostConfig.PortBindings, c.HostConfig.PublishAllPorts)
		}
	}
	db, err := sql.Open("postgres", l.Postgres.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var one int
	if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("postgres: %v", err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: l.Redis.Addr, Password: l.Redis.Password})
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("redis with password: %v", err)
	}
	noPass := redis.NewClient(&redis.Options{Addr: l.Redis.Addr})
	defer noPass.Close()
	if err := noPass.Ping(ctx).Err(); err == nil {
		t.Error("redis answered without the password")
	}
	if err := l.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if n := countOwn(t, l.RunID); n != 0 {
		t.Fatalf("%d containers left after Close", n)
	}
}

func TestDockerCancelDuringStartLeavesNothing(t *testing.T) {
	opts := dockerOptions(t)
	before := countOwn(t, "")
	for _, at := range []Phase{PhaseStarting, PhaseWaiting} {
		t.Run(string(at), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := Start(ctx, opts, func(p Progress) {
				if p.Phase == at {
					cancel()
				}
			})
			if err == nil {
				t.Fatal("start succeeded although cancelled")
			}
			if n := countOwn(t, ""); n != before {
				t.Fatalf("%d labelled containers after a cancelled start, %d before", n, before)
			}
		})
	}
}

func TestDockerPurgesStaleContainers(t *testing.T) {
	opts := dockerOptions(t)
	ctx := context.Background()
	pool, err := newDockerPool(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A container labelled as a lab of a process that no longer exists: what
	// a crashed run leaves behind.
	host, _ := os.Hostname()
	repo, tag := splitImage(opts.withDefaults().RedisImage)
	c, err := pool.Client.CreateContainer(dc.CreateContainerOptions{
		Config: &dc.Config{Image: repo + ":" + tag, Cmd: []string{"redis-server"},
			Labels: map[string]string{LabelLab: "1", LabelRun: "stale-test", LabelPID: "999999999", LabelHost: host}},
		HostConfig: &dc.HostConfig{},
	})
	if err != nil {
		if os.Getenv("CQRSLAB_REQUIRE_INFRA") == "1" {
			t.Fatalf("create a stale container: %v", err)
		}
		t.Skipf("cannot create a container from %s:%s: %v", repo, tag, err)
	}
	defer pool.Client.RemoveContainer(dc.RemoveContainerOptions{ID: c.ID, Force: true})
	if n := countOwn(t, "stale-test"); n != 1 {
		t.Fatalf("stale container not created: %d", n)
	}
	l, err := Start(ctx, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if n := countOwn(t, "stale-test"); n != 0 {
		t.Fatalf("stale container of a dead run survived the next start")
	}
	if n := countOwn(t, l.RunID); n != 2 {
		t.Fatalf("own containers: %d, want 2 (a live lab must not be purged)", n)
	}
	// The live lab is not stale: a purge of stale ones leaves it.
	if _, err := PurgeContainers(ctx, false); err != nil {
		t.Fatal(err)
	}
	if n := countOwn(t, l.RunID); n != 2 {
		t.Fatalf("a live lab was purged as stale")
	}
}

func TestDockerUnreachableSaysWhatToDo(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	_, err := Start(context.Background(), Options{Provider: Docker}, nil)
	if err == nil {
		t.Fatal("started with no Docker")
	}
	for _, want := range []string{"DOCKER_HOST", "--infra local", "--infra external", "Colima"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

func TestSplitImage(t *testing.T) {
	cases := map[string][2]string{
		"postgres:17-alpine":          {"postgres", "17-alpine"},
		"redis":                       {"redis", "latest"},
		"registry.local:5000/pg":      {"registry.local:5000/pg", "latest"},
		"registry.local:5000/pg:15":   {"registry.local:5000/pg", "15"},
		"cqrslab-offline/postgres:15": {"cqrslab-offline/postgres", "15"},
	}
	for in, want := range cases {
		if r, tg := splitImage(in); r != want[0] || tg != want[1] {
			t.Errorf("splitImage(%q) = %q, %q", in, r, tg)
		}
	}
}

func TestAutoFallsBackToLocalWhenImagesCannotBeHad(t *testing.T) {
	opts := dockerOptions(t)
	if err := LocalAvailable(); err != nil {
		if os.Getenv("CQRSLAB_REQUIRE_INFRA") == "1" {
			t.Fatalf("local provider unavailable: %v", err)
		}
		t.Skipf("local provider unavailable: %v", err)
	}
	opts.Provider = Auto
	opts.PostgresImage = "cqrslab-test-no-such-image/postgres:0"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := Start(ctx, opts, nil)
	if err != nil {
		t.Fatalf("auto did not fall back to local: %v", err)
	}
	defer l.Close()
	if l.Provider != Local {
		t.Fatalf("provider %s, want local", l.Provider)
	}
	if n := countOwn(t, ""); n != 0 {
		t.Errorf("%d labelled containers left by the failed docker attempt", n)
	}
}
