package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	dc "github.com/ory/dockertest/v3/docker"

	"cqrslab/internal/labtest"
)

// doctorImages runs `doctor --json --infra docker ARGS` and returns its exit
// status and the two image checks.
func doctorImages(t *testing.T, env []string, args ...string) (int, map[string]struct{ Status, Detail string }) {
	t.Helper()
	out, stderr, code := cqrslab(t, env, append([]string{"doctor", "--json", "--infra", "docker"}, args...)...)
	var rep struct {
		Checks []struct{ Name, Status, Detail string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("doctor --json: %v: %s %s", err, out, stderr)
	}
	checks := map[string]struct{ Status, Detail string }{}
	for _, c := range rep.Checks {
		if strings.HasSuffix(c.Name, " image") {
			checks[c.Name] = struct{ Status, Detail string }{c.Status, c.Detail}
		}
	}
	return code, checks
}

// labUpOutcome runs `lab up --infra docker ARGS` until it says the lab is
// up (then stops it with Ctrl-C) or exits; it returns whether the lab came
// up, and what it printed.
func labUpOutcome(t *testing.T, env []string, args ...string) (bool, string) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"lab", "up", "--infra", "docker"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	go func() { cmd.Wait(); pw.Close() }()
	var out strings.Builder
	sc := bufio.NewScanner(pr)
	up := false
	deadline := time.AfterFunc(3*time.Minute, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if upLine.MatchString(sc.Text()) && !up {
			up = true
			cmd.Process.Signal(syscall.SIGINT)
		}
	}
	return up, out.String()
}

// TestDoctorAndLabUpAgree runs doctor and then lab up on the same machine
// state: where doctor says the lab will not run, lab up fails naming every
// missing image in one message; where doctor passes the images, lab up
// starts, with the images doctor named.
func TestDoctorAndLabUpAgree(t *testing.T) {
	client, err := dc.NewClientFromEnv()
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err = client.PingWithContext(ctx)
		cancel()
	}
	if err != nil {
		labtest.Unavailable(t, "Docker does not answer: %v", err)
	}
	env := []string{"CQRSLAB_STATE_DIR=" + t.TempDir(), "CQRSLAB_POSTGRES_IMAGE=", "CQRSLAB_REDIS_IMAGE="}

	t.Run("images neither here nor pullable", func(t *testing.T) {
		images := []string{"--postgres-image", "cqrslab-absent/postgres:none", "--redis-image", "cqrslab-absent/redis:none"}
		code, checks := doctorImages(t, env, images...)
		if code != 1 || checks["postgres image"].Status != "fail" || checks["redis image"].Status != "fail" ||
			!strings.Contains(checks["postgres image"].Detail, "the lab will not run") {
			t.Fatalf("doctor: exit %d, %+v", code, checks)
		}
		up, out := labUpOutcome(t, env, images...)
		if up {
			t.Fatalf("doctor said the lab will not run, and lab up started it:\n%s", out)
		}
		// One message names both images.
		var msg string
		for l := range strings.SplitSeq(out, "\n") {
			if strings.Contains(l, "cqrslab-absent/postgres:none") && strings.Contains(l, "cqrslab-absent/redis:none") {
				msg = l
			}
		}
		if msg == "" || !strings.Contains(out, "prepare --load") {
			t.Errorf("lab up does not name both images in one message, with the fix:\n%s", out)
		}
	})

	t.Run("the images the lab finds here", func(t *testing.T) {
		code, checks := doctorImages(t, env)
		pg, rd := checks["postgres image"], checks["redis image"]
		willRun := pg.Status != "fail" && rd.Status != "fail"
		if strings.Contains(pg.Detail+rd.Detail, "download") {
			labtest.Unavailable(t, "the lab would download images here, which a test does not do: %s / %s", pg.Detail, rd.Detail)
		}
		up, out := labUpOutcome(t, env)
		if up != willRun {
			t.Fatalf("doctor (exit %d) says the lab will run: %v; lab up started: %v\ndoctor: %+v\nlab up:\n%s",
				code, willRun, up, checks, out)
		}
		if strings.Contains(pg.Detail, "will use the offline image") && !strings.Contains(out, "an offline image") {
			t.Errorf("doctor names an offline image, lab up does not say it uses one:\n%s", out)
		}
		t.Logf("doctor: %s / %s; lab up started: %v", pg.Detail, rd.Detail, up)
	})
}
