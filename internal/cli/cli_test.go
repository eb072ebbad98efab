package cli

import (
	"strings"
	"testing"

	"cqrslab/internal/progress"
)

// TestCommandLineConventions: what the move to cobra must keep (the
// stdlib flag package's single-dash long flags, --help after a flag that
// takes a value) and what it adds (the man page, -v, suggestions).
func TestCommandLineConventions(t *testing.T) {
	t.Setenv("CQRSLAB_STATE_DIR", t.TempDir())
	for _, tc := range []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"lab", "status", "-json"}, 0, "[]", ""},
		{[]string{"-version"}, 0, "cqrslab ", ""},
		{[]string{"-v"}, 0, "cqrslab ", ""},
		{[]string{"prepare", "--load", "--help"}, 0, "cqrslab prepare", ""},
		{[]string{"quiz", "grade", "--question", "-h"}, 0, "cqrslab quiz grade", ""},
		{[]string{"man"}, 0, ".TH CQRSLAB 1", ""},
		{[]string{"docter"}, 2, "", `unknown command "docter"; run 'cqrslab --help' for the list (did you mean 'doctor'?)`},
		{[]string{"lab", "stat"}, 2, "", `lab: unknown subcommand "stat"; use 'lab up' or 'lab status' (did you mean 'status'?)`},
		{[]string{"lab"}, 2, "", "lab: say what to do"},
		{[]string{"doctor", "--infra"}, 2, "", "doctor: flag needs an argument: --infra (run 'cqrslab doctor --help')"},
		{[]string{"bench", "--iterations", "many"}, 2, "", `bench: invalid value "many" for --iterations: give a whole number`},
		{[]string{"bench", "--capacity", "--capacity-p99", "0s"}, 2, "", "bench: --capacity-p99 0s is out of range; use 1ms to 10s"},
		{[]string{"experiment", "--at", "soon"}, 2, "", `invalid value "soon" for --at: give a duration such as 500ms`},
		{[]string{"version", "extra"}, 2, "", `version: unexpected argument "extra"`},
	} {
		code, out, errOut := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.err) {
			t.Errorf("%v: exit %d (want %d)\nstdout %.300q (want %q)\nstderr %q (want %q)", tc.args, code, tc.code, out, tc.out, errOut, tc.err)
		}
	}
}

// TestManPageCoversEveryCommand: the man page is made from the same tree
// as the help, so every visible command and its flags are in it.
func TestManPageCoversEveryCommand(t *testing.T) {
	_, page, _ := runCLI(t, "man")
	for _, c := range commands(Stdio{}) {
		if !strings.Contains(page, c.Name()) {
			t.Errorf("man page lacks %s", c.Name())
		}
	}
	for _, flag := range []string{"--scenario", "--toxiproxy-api", "--answer-file", "--roomy"} {
		if !strings.Contains(page, flag) {
			t.Errorf("man page lacks %s", flag)
		}
	}
}

// TestTUILearnerFlag: --learner on the lesson stores the name before the
// screen opens (so the quiz does not ask), and a bad name is a usage error
// before anything starts.
func TestTUILearnerFlag(t *testing.T) {
	dir := t.TempDir()
	if err := setLearner(dir, "Ada Lovelace"); err != nil {
		t.Fatal(err)
	}
	if _, p, _ := progress.Open(dir); p.Learner != "Ada Lovelace" {
		t.Errorf("progress has learner %q", p.Learner)
	}
	t.Setenv("CQRSLAB_STATE_DIR", dir)
	for _, args := range [][]string{{"--learner", " Ada"}, {"tui", "--learner", "a\x1b[2Jb"}} {
		code, _, errOut := runCLI(t, args...)
		if code != 2 || !strings.Contains(errOut, "--learner:") {
			t.Errorf("%q: exit %d, %q; want 2 naming --learner", args, code, errOut)
		}
	}
}
