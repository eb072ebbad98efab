package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestDoctorWithDockerStopped: a dead DOCKER_HOST stands for a stopped
// Docker (the real daemon is shared with other tests). With --infra docker,
// Docker is the failing check, the fix is printed, and the exit status is 1.
func TestDoctorWithDockerStopped(t *testing.T) {
	t.Setenv("CQRSLAB_STATE_DIR", t.TempDir())
	t.Setenv("DOCKER_HOST", "unix:///nonexistent.sock")
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"doctor", "--infra", "docker"}, Stdio{Out: &out, Err: &errOut})
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out.String(), errOut.String())
	}
	for _, w := range []string{"fail  Docker", "/nonexistent.sock", "fix: ", "DOCKER_HOST", "check fails"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("report lacks %q:\n%s", w, out.String())
		}
	}
	if !strings.Contains(errOut.String(), "doctor: 1 check(s) failed: Docker") {
		t.Errorf("stderr %q", errOut.String())
	}

	out.Reset()
	code = Main(context.Background(), []string{"doctor", "--infra", "docker", "--json"}, Stdio{Out: &out, Err: &bytes.Buffer{}})
	var rep struct {
		Status string
		Checks []struct{ Name, Status, Detail, Fix string }
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || code != 1 || rep.Status != "fail" {
		t.Fatalf("--json: exit %d, %v, %s", code, err, out.String())
	}
	for _, c := range rep.Checks {
		if c.Name == "Docker" && (c.Status != "fail" || c.Fix == "") {
			t.Errorf("Docker check %+v", c)
		}
	}
}

func TestDoctorUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Main(context.Background(), []string{"doctor", "--help"}, Stdio{Out: &out, Err: &errOut}); code != 0 ||
		!helpShows(out.String(), "doctor") || !strings.Contains(out.String(), "-json") {
		t.Errorf("help: exit %d\n%s", code, out.String())
	}
	errOut.Reset()
	if code := Main(context.Background(), []string{"doctor", "--infra", "cloud"}, Stdio{Out: &out, Err: &errOut}); code != 2 ||
		!strings.Contains(errOut.String(), "unknown infra") {
		t.Errorf("bad --infra: exit %d, %s", code, errOut.String())
	}
}
