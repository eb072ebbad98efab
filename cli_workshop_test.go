package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	dc "github.com/ory/dockertest/v3/docker"

	"cqrslab/demo/lab"
	"cqrslab/internal/labtest"
)

// Tests of the workshop commands (doctor, prepare, completion, version) as
// an instructor runs them: the built binary, its output and exit status.

func TestWorkshopCommandsHelp(t *testing.T) {
	t.Parallel() // runs the binary and reads its output; nothing shared
	for _, args := range [][]string{{"doctor", "--help"}, {"prepare", "--help"}, {"completion", "--help"}, {"version", "--help"}} {
		out, stderr, code := cqrslab(t, nil, args...)
		if code != 0 || !strings.Contains(out, "USAGE") || !strings.Contains(out, "cqrslab "+args[0]) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, stderr)
		}
	}
	out, _, _ := cqrslab(t, nil, "--help")
	for _, name := range []string{"doctor", "prepare", "completion", "version"} {
		if !strings.Contains(out, "  "+name+" ") {
			t.Errorf("main help does not list %s:\n%s", name, out)
		}
	}
}

func TestVersion(t *testing.T) {
	flag, _, code1 := cqrslab(t, nil, "--version")
	cmd, _, code2 := cqrslab(t, nil, "version")
	if code1 != 0 || code2 != 0 || flag != cmd || !regexp.MustCompile(`^cqrslab \S+.*built with go1\.\d+`).MatchString(flag) {
		t.Fatalf("--version %q (exit %d), version %q (exit %d)", flag, code1, cmd, code2)
	}
}

// TestDoctorWithDockerStopped is the acceptance check. The real
// daemon is shared, so "stopped" is a DOCKER_HOST where nothing listens.
func TestDoctorWithDockerStopped(t *testing.T) {
	env := []string{"CQRSLAB_STATE_DIR=" + t.TempDir(), "DOCKER_HOST=unix:///nonexistent.sock"}

	out, stderr, code := cqrslab(t, env, "doctor", "--infra", "docker")
	if code != 1 {
		t.Fatalf("doctor --infra docker with Docker stopped: exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{"fail Docker", "no Docker socket at /nonexistent.sock", "fix: ", "DOCKER_HOST"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr, "failed: Docker") {
		t.Errorf("stderr does not name the failing check: %q", stderr)
	}

	// Plain doctor (--infra auto): local servers stand in when installed.
	// The report is wrapped to fit 80 columns, and where a line breaks
	// depends on the details of this machine: the text is read unwrapped.
	out, _, code = cqrslab(t, env, "doctor")
	flat := strings.Join(strings.Fields(out), " ")
	if lab.LocalAvailable() == nil {
		if code != 0 || !strings.Contains(flat, "warn Docker") || !strings.Contains(flat, "--infra local") {
			t.Errorf("Docker stopped, local servers installed: exit %d\n%s", code, out)
		}
	} else if code != 1 || !strings.Contains(flat, "fail Docker") || !strings.Contains(flat, "--infra external") {
		t.Errorf("Docker stopped, no local servers: exit %d\n%s", code, out)
	}
}

func TestDoctorJSON(t *testing.T) {
	start := time.Now()
	out, stderr, code := cqrslab(t, []string{"CQRSLAB_STATE_DIR=" + t.TempDir()}, "doctor", "--json")
	t.Logf("doctor took %s", time.Since(start))
	var rep struct {
		Status string `json:"status"`
		Checks []struct {
			Name, Status, Detail, Fix string
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON (%v): %q %q", err, out, stderr)
	}
	if (rep.Status == "fail") != (code == 1) || (rep.Status != "fail" && code != 0) {
		t.Errorf("status %s with exit %d", rep.Status, code)
	}
	if len(rep.Checks) < 9 {
		t.Errorf("only %d checks", len(rep.Checks))
	}
	for _, c := range rep.Checks {
		if c.Status != "ok" && c.Status != "warn" && c.Status != "fail" || c.Detail == "" ||
			(c.Status != "ok" && c.Fix == "") {
			t.Errorf("check %+v", c)
		}
	}
}

func TestCompletionScriptsParse(t *testing.T) {
	for _, shell := range []struct{ name, check string }{{"bash", "-n"}, {"zsh", "-n"}, {"fish", "--no-execute"}} {
		if _, err := exec.LookPath(shell.name); err != nil {
			if shell.name == "bash" {
				t.Errorf("bash not found")
			}
			continue
		}
		out, stderr, code := cqrslab(t, nil, "completion", shell.name)
		if code != 0 {
			t.Fatalf("completion %s: exit %d, %s", shell.name, code, stderr)
		}
		path := filepath.Join(t.TempDir(), "cqrslab."+shell.name)
		os.WriteFile(path, []byte(out), 0o644)
		if b, err := exec.Command(shell.name, shell.check, path).CombinedOutput(); err != nil {
			t.Errorf("%s %s: %v\n%s", shell.name, shell.check, err, b)
		}
	}
	_, stderr, code := cqrslab(t, nil, "completion", "powershell")
	if code != 2 || !strings.Contains(stderr, "bash, zsh or fish") {
		t.Errorf("unknown shell: exit %d, %q", code, stderr)
	}
}

// uniqueImages makes two images of the test's own from the lab's images:
// each is the source plus a layer with a random file, so removing them
// really removes an image (not just a second name for one other tests use),
// and loading them back really restores it.
func uniqueImages(t *testing.T, client *dc.Client) []string {
	t.Helper()
	opts := labtest.Ready(t)
	var b [4]byte
	rand.Read(b[:])
	tag := hex.EncodeToString(b[:])
	var refs []string
	for i, src := range []string{opts.PostgresImage, opts.RedisImage} {
		if src == "" {
			src = []string{lab.DefaultPostgresImage, lab.DefaultRedisImage}[i]
		}
		src = lab.NormalizeImageRef(src)
		if _, err := client.InspectImage(src); err != nil {
			labtest.Unavailable(t, "image %s is not on this machine (set CQRSLAB_POSTGRES_IMAGE/CQRSLAB_REDIS_IMAGE)", src)
		}
		c, err := client.CreateContainer(dc.CreateContainerOptions{Config: &dc.Config{Image: src,
			Labels: map[string]string{"cqrslab.preptest": "1"}}})
		if err != nil {
			t.Fatal(err)
		}
		var marker bytes.Buffer
		tw := tar.NewWriter(&marker)
		tw.WriteHeader(&tar.Header{Name: "cqrslab-preptest", Mode: 0o644, Size: int64(len(tag))})
		tw.Write([]byte(tag))
		tw.Close()
		err = client.UploadToContainer(c.ID, dc.UploadToContainerOptions{InputStream: &marker, Path: "/"})
		repo := "cqrslab-preptest/" + []string{"postgres", "redis"}[i]
		if err == nil {
			_, err = client.CommitContainer(dc.CommitContainerOptions{Container: c.ID, Repository: repo, Tag: tag})
		}
		client.RemoveContainer(dc.RemoveContainerOptions{ID: c.ID, Force: true})
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, repo+":"+tag)
	}
	t.Cleanup(func() {
		for _, r := range refs {
			client.RemoveImage(r)
		}
	})
	return refs
}

// TestPrepareSaveLoadThenLabStartsOffline is the other acceptance
// check: save the images, remove them, load the archive, and start the lab
// from it. This machine's engine reaches no registry, so the start can only
// succeed from what the archive brought back.
func TestPrepareSaveLoadThenLabStartsOffline(t *testing.T) {
	client, err := dc.NewClientFromEnv()
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err = client.PingWithContext(ctx)
		cancel()
	}
	if err != nil {
		labtest.Unavailable(t, "docker unavailable: %v", err)
	}
	refs := uniqueImages(t, client)
	env := []string{"CQRSLAB_STATE_DIR=" + t.TempDir()}
	images := []string{"--postgres-image", refs[0], "--redis-image", refs[1]}
	archive := filepath.Join(t.TempDir(), "cqrslab-images.tar")

	start := time.Now()
	out, stderr, code := cqrslab(t, env, append([]string{"prepare", "--save", archive}, images...)...)
	if code != 0 {
		t.Fatalf("prepare --save: exit %d\n%s%s", code, out, stderr)
	}
	fi, err := os.Stat(archive)
	if err != nil || !strings.Contains(out, "prepare --load cqrslab-images.tar") {
		t.Fatalf("archive %v; output %q", err, out)
	}
	t.Logf("save: %.1f MB in %s", float64(fi.Size())/1e6, time.Since(start).Round(100*time.Millisecond))

	for _, r := range refs {
		if err := client.RemoveImage(r); err != nil {
			t.Fatalf("removing %s: %v", r, err)
		}
		if _, err := client.InspectImage(r); err == nil {
			t.Fatalf("%s still here after removal", r)
		}
	}
	out, _, _ = cqrslab(t, env, append([]string{"doctor", "--infra", "docker"}, images...)...)
	if !strings.Contains(out, "is not on this machine") || !strings.Contains(out, "prepare --load FILE") {
		t.Errorf("doctor does not point at prepare --load for the missing images:\n%s", out)
	}

	start = time.Now()
	out, stderr, code = cqrslab(t, env, append([]string{"prepare", "--load", archive}, images...)...)
	if code != 0 || !strings.Contains(out, "the lab can start with no network") {
		t.Fatalf("prepare --load: exit %d\n%s%s", code, out, stderr)
	}
	t.Logf("load: %s", time.Since(start).Round(100*time.Millisecond))
	for _, r := range refs {
		if _, err := client.InspectImage(r); err != nil {
			t.Fatalf("%s not back after load: %v", r, err)
		}
	}

	runLabUntilUp(t, env, append([]string{"lab", "up", "--infra", "docker"}, images...))
}

// runLabUntilUp starts `lab up`, waits for it to say it is up, checks it
// pulled nothing, stops it with Ctrl-C and checks nothing is left.
func runLabUntilUp(t *testing.T, env, args []string) {
	t.Helper()
	up := startLabUp(t, env, args)
	up.Stop()
	if strings.Contains(up.Stderr.String(), "pulling") {
		t.Errorf("lab up pulled an image:\n%s", up.Stderr)
	}
}
