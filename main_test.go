package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// binary is the cqrslab binary built once for these tests: the CLI is tested
// as a user runs it, exit codes and all.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cqrslab-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "cqrslab")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func cqrslab(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// usageCase is a command line that must be refused as a usage error (exit
// 2) with a message that holds want.
type usageCase struct {
	args []string
	want string
}

// wantUsageErrors runs each command line against an empty state directory
// and checks it exits 2 and says what is wrong.
func wantUsageErrors(t *testing.T, cases []usageCase) {
	t.Helper()
	env := []string{"CQRSLAB_STATE_DIR=" + t.TempDir()}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, stderr, code := cqrslab(t, env, tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (stderr %q)", code, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q lacks %q", stderr, tc.want)
			}
		})
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	t.Parallel() // runs the binary and reads its output; nothing shared
	wantUsageErrors(t, []usageCase{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"--bogus"}, "unknown flag: --bogus"},
		{[]string{"--theme", "purple"}, "purple"},
		{[]string{"feed", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"feed"}, "--author is required"},
		{[]string{"feed", "--author", "alice", "-n", "zero"}, `invalid value "zero" for -n`},
		{[]string{"lab", "up", "--infra", "cloud"}, `unknown infra "cloud"`},
		{[]string{"lab", "up", "--infra", "external"}, "needs --pg-dsn and --redis-addr"},
		{[]string{"lab", "up", "--infra", "external", "--pg-dsn", "nonsense", "--redis-addr", "x:1"}, "bad --pg-dsn"},
		{[]string{"lab"}, "lab up"},
		{[]string{"post", "create"}, "--author is required"},
		{[]string{"bench", "--iterations", "1"}, "out of range"},
	})
}

func TestHelpEverywhere(t *testing.T) {
	t.Parallel() // runs the binary and reads its output; nothing shared
	for _, args := range [][]string{{"--help"}, {"lab", "--help"}, {"lab", "up", "--help"}, {"lab", "status", "--help"},
		{"post", "--help"}, {"post", "create", "--help"}, {"feed", "--help"}, {"bench", "--help"}, {"cleanup", "--help"}} {
		out, stderr, code := cqrslab(t, nil, args...)
		if code != 0 || !strings.Contains(out, "USAGE") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, stderr)
		}
	}
}

func TestNoLabRunningIsClear(t *testing.T) {
	env := []string{"CQRSLAB_STATE_DIR=" + t.TempDir()}
	_, stderr, code := cqrslab(t, env, "feed", "--author", "alice")
	if code != 1 || !strings.Contains(stderr, "cqrslab lab up") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	// No command has a --start flag: the message must not suggest one.
	if strings.Contains(stderr, "--start") {
		t.Errorf("the message suggests a --start flag that does not exist: %q", stderr)
	}
}

// TestLabUpPostFeedRoundTrip runs `lab up` as a user would, in its own
// process, then posts and reads through other processes, then stops it with
// Ctrl-C (SIGINT) and checks nothing is left.
func TestLabUpPostFeedRoundTrip(t *testing.T) {
	env := []string{"CQRSLAB_STATE_DIR=" + t.TempDir()}
	up := startLabUp(t, env, labUpArgs(t))
	runID := up.RunID
	time.Sleep(100 * time.Millisecond)
	if s := up.Output(); !strings.Contains(s, "psql \"postgres://") || !strings.Contains(s, "redis-cli -h 127.0.0.1") {
		t.Errorf("connection strings missing:\n%s", s)
	}

	out, errOut, code := cqrslab(t, env, "post", "create", "--author", "alice", "--title", "round trip", "--id", "rt-1", "--json")
	if code != 0 {
		t.Fatalf("post create: exit %d: %s", code, errOut)
	}
	var created struct {
		Post      struct{ ID string } `json:"post"`
		Projected bool                `json:"projected"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.Post.ID != "rt-1" || !created.Projected {
		t.Fatalf("post create output %q (%v)", out, err)
	}
	for _, src := range [][]string{{}, {"--sql"}} {
		out, errOut, code = cqrslab(t, env, append([]string{"feed", "--author", "alice", "--json"}, src...)...)
		var feed struct {
			Items []struct {
				PostID string `json:"postId"`
				Title  string `json:"title"`
			} `json:"items"`
		}
		items := &feed.Items
		if code != 0 || json.Unmarshal([]byte(out), &feed) != nil || len(*items) != 1 || (*items)[0].Title != "round trip" {
			t.Fatalf("feed %v: exit %d, %q %q", src, code, out, errOut)
		}
	}
	out, errOut, code = cqrslab(t, env, "reconcile", "--json")
	var rec struct {
		Before struct{ Rows, Missing, Unexpected int } `json:"before"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rec) != nil || rec.Before.Rows != 1 || rec.Before.Missing != 0 {
		t.Fatalf("reconcile: exit %d, %q %q", code, out, errOut)
	}
	// Bad input through the CLI: exit 2, the field named, nothing written.
	_, errOut, code = cqrslab(t, env, "post", "create", "--author", "alice", "--title", "\x1b[2J")
	if code != 2 || !strings.Contains(errOut, "invalid title") {
		t.Fatalf("bad title: exit %d, %q", code, errOut)
	}
	out, _, _ = cqrslab(t, env, "lab", "status")
	if !strings.Contains(out, runID) {
		t.Errorf("lab status does not list the lab: %q", out)
	}

	up.Stop()
	_, errOut, code = cqrslab(t, env, "feed", "--author", "alice")
	if code != 1 || !strings.Contains(errOut, "no lab is running") {
		t.Fatalf("after lab up ended: exit %d, %q", code, errOut)
	}
}
