// Package labtest gives integration tests a real lab: one PostgreSQL and one
// Redis per test package, started on first use and torn down when the
// package's tests end. Each test gets its own schema and key prefix, so tests
// never see each other's data.
//
// With no infrastructure, tests skip with a message saying what to install,
// decided by Ready before anything waits; with CQRSLAB_REQUIRE_INFRA=1 (as
// in CI) they fail instead. CQRSLAB_TEST_INFRA chooses the provider (default
// auto); the docker provider's images come from CQRSLAB_POSTGRES_IMAGE /
// CQRSLAB_REDIS_IMAGE, or are the ones the lab finds (offline stand-ins).
package labtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/demo/lab"
)

var (
	once     sync.Once
	shared   *lab.Lab
	startErr error
)

// Required reports whether missing infrastructure must fail tests (CI).
func Required() bool { return os.Getenv("CQRSLAB_REQUIRE_INFRA") == "1" }

// Unavailable skips the test, or fails it when infrastructure is required.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("CQRSLAB_REQUIRE_INFRA=1 and %s", msg)
	}
	t.Skipf("skipping: %s (install Docker, or PostgreSQL and redis-server, to run integration tests)", msg)
}

// DockerOnly is for tests of what only the docker provider has (the
// replicated topologies). When the run asked for another provider by name
// (CQRSLAB_TEST_INFRA=local, as CI's second stage does) the test is skipped:
// that is the run's choice, not missing infrastructure, and CI runs the
// test in its docker stage. Otherwise a lab that is not docker is missing
// infrastructure, as Unavailable says.
func DockerOnly(t testing.TB, opts lab.Options, what string) {
	t.Helper()
	if opts.Provider == lab.Docker {
		return
	}
	if asked := os.Getenv("CQRSLAB_TEST_INFRA"); asked != "" && asked != string(lab.Auto) && asked != string(lab.Docker) {
		t.Skipf("%s needs the docker provider; this run asked for CQRSLAB_TEST_INFRA=%s", what, asked)
	}
	Unavailable(t, "%s needs Docker (this run's lab is %s)", what, opts.Provider)
}

// Options are the lab options tests use: provider from CQRSLAB_TEST_INFRA,
// images from the environment.
func Options() lab.Options {
	o := lab.OptionsFromEnv()
	o.Provider = lab.Auto
	if p := os.Getenv("CQRSLAB_TEST_INFRA"); p != "" {
		o.Provider = lab.Provider(p)
	}
	return o
}

// Lab returns the package's shared lab, starting it on first use. It skips
// (see Ready) before starting anything when no lab can start.
func Lab(t testing.TB) *lab.Lab {
	t.Helper()
	opts := Ready(t)
	once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		shared, startErr = lab.Start(ctx, opts, nil)
	})
	if startErr != nil {
		Unavailable(t, "no lab could start: %v", startErr)
	}
	return shared
}

// Main runs a package's tests and then closes the shared lab, so no
// container or process outlives the test binary.
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		if err := shared.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "labtest: closing the lab: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// Env is one test's view of the lab: its own namespace in both stores.
type Env struct {
	Lab    *lab.Lab
	Info   lab.Info // with this test's schema and key prefix
	Stores *demo.Stores
	Logs   *LogBuffer
}

// Service builds a PostService in this test's namespace whose warnings go to
// e.Logs.
func (e *Env) Service(opts demo.Options) *demo.PostService {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(e.Logs, nil))
	}
	return e.Stores.Service(opts)
}

// New gives the test a fresh schema and key prefix in the shared lab.
func New(t testing.TB) *Env {
	t.Helper()
	l := Lab(t)
	var b [4]byte
	_, _ = rand.Read(b[:])
	ns := "t_" + hex.EncodeToString(b[:])
	info := l.Info
	info.Postgres.Schema = ns
	info.Redis.KeyPrefix = ns + ":"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := demo.Connect(ctx, info)
	if err != nil {
		t.Fatalf("connect to the lab: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = st.PG.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+ns+" CASCADE")
		if keys, err := st.Redis.Keys(ctx, ns+":*").Result(); err == nil && len(keys) > 0 {
			st.Redis.Del(ctx, keys...)
		}
		st.Close()
	})
	return &Env{Lab: l, Info: info, Stores: st, Logs: &LogBuffer{}}
}

// LogBuffer collects log output safely from several goroutines.
type LogBuffer struct {
	mu sync.Mutex
	sb strings.Builder
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sb.Write(p)
}

// String is everything logged so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sb.String()
}

var _ io.Writer = (*LogBuffer)(nil)
