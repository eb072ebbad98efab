package doctor

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"cqrslab/demo/lab"
)

// TestRunReportsEveryCheck runs the whole doctor against a fake engine and
// a temporary state directory: every check is there, once, in order.
func TestRunReportsEveryCheck(t *testing.T) {
	home := isolate(t)
	p := filepath.Join(home, "d.sock")
	startFakeEngine(t, p, func(e *fakeEngine) { e.images["pg:1"] = "amd64"; e.images["rd:1"] = "amd64" })
	t.Setenv("DOCKER_HOST", "unix://"+p)
	t.Setenv("CQRSLAB_STATE_DIR", t.TempDir())
	start := time.Now()
	r := Run(context.Background(), Config{Provider: lab.Docker, PostgresImage: "pg:1", RedisImage: "rd:1"})
	t.Logf("doctor took %s", time.Since(start))
	want := []string{"Go", "Docker", "postgres image", "redis image", "local servers", "loopback ports",
		"terminal size", "colour", "progress file"}
	if len(r.Checks) != len(want) {
		t.Fatalf("checks %+v", r.Checks)
	}
	for i, c := range r.Checks {
		if c.Name != want[i] {
			t.Errorf("check %d is %q, want %q", i, c.Name, want[i])
		}
		if c.Status != OK && c.Status != Warn && c.Status != Fail {
			t.Errorf("%s: status %q", c.Name, c.Status)
		}
	}
	for _, name := range []string{"Docker", "postgres image", "redis image", "loopback ports", "progress file"} {
		for _, c := range r.Checks {
			if c.Name == name && c.Status != OK {
				t.Errorf("%s: %+v", name, c)
			}
		}
	}

	// The same machine with Docker stopped and --infra docker: Docker fails.
	t.Setenv("DOCKER_HOST", "unix:///nonexistent.sock")
	r = Run(context.Background(), Config{Provider: lab.Docker, PostgresImage: "pg:1", RedisImage: "rd:1"})
	if r.Status != Fail || len(r.Names(Fail)) != 1 || r.Names(Fail)[0] != "Docker" {
		t.Fatalf("with Docker stopped: %+v", r)
	}
}
