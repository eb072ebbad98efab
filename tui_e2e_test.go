package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	dc "github.com/ory/dockertest/v3/docker"

	"cqrslab/demo/lab"
	"cqrslab/internal/labtest"
	"cqrslab/lessons"
)

// The TUI as a learner meets it: the built binary in a real terminal (tmux),
// driven by keys, read off the screen.

// tmuxTUI is one cqrslab TUI running in a detached tmux session.
type tmuxTUI struct {
	t        *testing.T
	session  string
	stateDir string
	exitFile string
}

func startTUI(t *testing.T, w, h int, args ...string) *tmuxTUI {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		labtest.Unavailable(t, "tmux is not installed")
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	tt := &tmuxTUI{t: t, session: "cqrslab-e2e-" + hex.EncodeToString(b[:]), stateDir: t.TempDir()}
	tt.exitFile = filepath.Join(tt.stateDir, "exit-status")
	var env []string
	for _, k := range []string{"CQRSLAB_POSTGRES_IMAGE", "CQRSLAB_REDIS_IMAGE", "DOCKER_HOST", "PATH", "HOME"} {
		if v := os.Getenv(k); v != "" {
			env = append(env, k+"="+shellQuote(v))
		}
	}
	env = append(env, "CQRSLAB_STATE_DIR="+shellQuote(tt.stateDir), "TERM=xterm-256color")
	quoted := []string{shellQuote(binary)}
	for _, a := range args {
		quoted = append(quoted, shellQuote(a))
	}
	script := fmt.Sprintf("env %s %s 2>%s; echo $? > %s", strings.Join(env, " "), strings.Join(quoted, " "),
		shellQuote(filepath.Join(tt.stateDir, "stderr")), shellQuote(tt.exitFile))
	cmd := exec.Command("tmux", "new-session", "-d", "-s", tt.session, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "kill-session", "-t", tt.session).Run() })
	return tt
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (tt *tmuxTUI) screen() string {
	out, _ := exec.Command("tmux", "capture-pane", "-p", "-t", tt.session).Output()
	return string(out)
}

func (tt *tmuxTUI) keys(keys ...string) {
	tt.t.Helper()
	for _, k := range keys {
		tt.press(k)
		time.Sleep(150 * time.Millisecond)
	}
}

// press sends one key without keys' pause, for a caller that waits on the
// screen for the key's effect itself.
func (tt *tmuxTUI) press(k string) {
	tt.t.Helper()
	if out, err := exec.Command("tmux", "send-keys", "-t", tt.session, k).CombinedOutput(); err != nil {
		tt.t.Fatalf("tmux send-keys %s: %v: %s", k, err, out)
	}
}

// waitFor polls the screen until it shows want.
func (tt *tmuxTUI) waitFor(want string, limit time.Duration) string {
	tt.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		s := tt.screen()
		if strings.Contains(s, want) {
			return s
		}
		if time.Now().After(deadline) {
			stderr, _ := os.ReadFile(filepath.Join(tt.stateDir, "stderr"))
			tt.t.Fatalf("after %v the screen lacks %q:\n%s\nstderr: %s", limit, want, s, stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitExit waits for the program to end and returns its exit status.
func (tt *tmuxTUI) waitExit(limit time.Duration) int {
	tt.t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(tt.exitFile); err == nil && len(b) > 0 {
			code, _ := strconv.Atoi(strings.TrimSpace(string(b)))
			return code
		}
		time.Sleep(100 * time.Millisecond)
	}
	tt.t.Fatalf("the TUI did not exit within %v:\n%s", limit, tt.screen())
	return -1
}

// pid is the cqrslab process's PID (the child of the pane's shell).
func (tt *tmuxTUI) pid() int {
	out, err := exec.Command("tmux", "display-message", "-p", "-t", tt.session, "#{pane_pid}").Output()
	if err != nil {
		return 0
	}
	shell, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(shell) {
			if exe, _ := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); exe == binary {
				return pid
			}
		}
	}
	return 0
}

// runID is the running lab's ID, from the record the TUI writes for the
// other commands.
func (tt *tmuxTUI) runID() string {
	entries, _ := os.ReadDir(filepath.Join(tt.stateDir, "labs"))
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join(tt.stateDir, "labs", e.Name())); err == nil {
			var info lab.Info
			if json.Unmarshal(b, &info) == nil && info.RunID != "" {
				return info.RunID
			}
		}
	}
	return ""
}

// leftovers counts what a run left: containers labelled with its run ID or
// its process, and processes whose command line names the run.
func leftovers(t *testing.T, runID string, pid int) (containers, procs int) {
	t.Helper()
	if client, err := dc.NewClientFromEnv(); err == nil {
		var filters []string
		if runID != "" {
			filters = append(filters, lab.LabelRun+"="+runID)
		}
		if pid != 0 {
			filters = append(filters, lab.LabelPID+"="+strconv.Itoa(pid))
		}
		for _, f := range filters {
			cs, err := client.ListContainers(dc.ListContainersOptions{All: true, Filters: map[string][]string{"label": {f}}})
			if err == nil {
				containers = max(containers, len(cs))
			}
		}
	}
	if runID != "" {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			if _, err := strconv.Atoi(e.Name()); err != nil {
				continue
			}
			if cl, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline")); err == nil && strings.Contains(string(cl), runID) {
				procs++
			}
		}
	}
	return containers, procs
}

// tuiInfraArgs runs the TUI on the lab labtest.Ready chose, skipping the
// test before anything waits when no lab can start here.
func tuiInfraArgs(t *testing.T) []string {
	t.Helper()
	return append(append([]string{"tui"}, labtest.Args(labtest.Ready(t))...), "--no-animation")
}

// TestTUILearnWalkEndToEnd is the first thing a new learner does: open the
// app, go to Learn, step through CreatePost with the real lab, see the post
// in PostgreSQL and not yet in Redis between the INSERT and the ZADD, then
// in both, and quit; nothing of the lab may be left.
func TestTUILearnWalkEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a lab in a terminal")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	before, countErr := lab.CountContainers(ctx, "")
	tt := startTUI(t, 100, 30, tuiInfraArgs(t)...)
	tt.waitFor("Your progress", 15*time.Second)
	tt.keys("Enter")
	pages, err := lessons.Default()
	if err != nil {
		t.Fatal(err)
	}
	tt.waitFor(fmt.Sprintf("Learn · page 1 of %d", len(pages)), 5*time.Second) // counted, so a new page changes no test
	tt.keys("Enter")
	s := tt.waitFor("", time.Second)
	for deadline := time.Now().Add(3 * time.Minute); !strings.Contains(s, "paused before validate"); s = tt.screen() {
		if strings.Contains(s, "could not start") {
			labtest.Unavailable(t, "the lab did not start:\n%s", s)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the walk did not begin within 3 minutes:\n%s", s)
		}
		time.Sleep(200 * time.Millisecond)
	}
	runID, pid := tt.runID(), tt.pid()
	if runID == "" || pid == 0 {
		t.Fatalf("cannot tell the run (run %q, pid %d): the leftover check would prove nothing", runID, pid)
	}
	tt.keys("Enter")
	tt.waitFor("Paused before postgres.insert", 15*time.Second)
	tt.keys("Enter")
	s = tt.waitFor("in PostgreSQL, not in Redis yet", 15*time.Second)
	for _, want := range []string{"Step 2: the INSERT, the commit point", "PostgreSQL · 1 post", "Redis · ZRANGE feed:alice · 0"} {
		if !strings.Contains(s, want) {
			t.Errorf("between the INSERT and the ZADD the screen lacks %q:\n%s", want, s)
		}
	}
	tt.keys("Enter", "Enter")
	s = tt.waitFor("in PostgreSQL and in Redis", 15*time.Second)
	if !strings.Contains(s, "Redis · ZRANGE feed:alice · 1") {
		t.Errorf("after the ZADD the Redis panel lacks the post:\n%s", s)
	}
	tt.keys("q")
	if code := tt.waitExit(2 * time.Minute); code != 0 {
		stderr, _ := os.ReadFile(filepath.Join(tt.stateDir, "stderr"))
		t.Errorf("exit status %d; stderr: %s", code, stderr)
	}
	if c, p := leftovers(t, runID, pid); c != 0 || p != 0 {
		t.Errorf("after quitting, run %s left %d containers and %d processes", runID, c, p)
	}
	if countErr == nil {
		if after, err := lab.CountContainers(ctx, ""); err == nil && after > before {
			t.Logf("note: %d cqrslab containers before, %d after (other labs on this machine may have started meanwhile)", before, after)
		}
	}
}

// TestTUICtrlCDuringLabStart cancels the lab's start from the Lab screen.
func TestTUICtrlCDuringLabStart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a lab in a terminal")
	}
	tt := startTUI(t, 100, 30, tuiInfraArgs(t)...)
	tt.waitFor("Your progress", 15*time.Second)
	tt.keys("2")
	tt.waitFor("Starting the lab", 10*time.Second)
	pid := tt.pid()
	if pid == 0 {
		t.Fatal("cannot find the cqrslab process")
	}
	time.Sleep(1500 * time.Millisecond) // let the containers be created
	if c, _ := leftovers(t, "", pid); c == 0 && labtest.Ready(t).Provider == lab.Docker {
		t.Log("no container existed yet at ctrl+c; the test still checks that none is left")
	}
	tt.keys("C-c")
	if code := tt.waitExit(2 * time.Minute); code != 0 {
		t.Errorf("exit status %d after ctrl+c", code)
	}
	if c, _ := leftovers(t, "", pid); c != 0 {
		t.Errorf("ctrl+c during the start left %d containers", c)
	}
}

func TestTUIFlagsAreChecked(t *testing.T) {
	wantUsageErrors(t, []usageCase{
		{[]string{"tui", "--theme", "neon"}, `--theme: unknown theme "neon": use auto, dark, light or high-contrast`},
		{[]string{"tui", "--infra", "cloud"}, `unknown infra "cloud"`},
		{[]string{"--roomy=maybe"}, `invalid value "maybe" for --roomy: give true or false`},
	})
	env := []string{"CQRSLAB_STATE_DIR=" + t.TempDir()}
	stdout, _, code := cqrslab(t, env, "tui", "--help")
	for _, want := range []string{"-theme", "-no-animation", "-roomy", "-infra"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("tui --help (exit %d) lacks %s:\n%s", code, want, stdout)
		}
	}
}
