package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cqrslab/demo"
	"cqrslab/demo/experiment"
	"cqrslab/demo/lab"
)

// asCLIEnv makes the test binary act as cqrslab itself (see TestMain): the
// completion scripts ask `cqrslab __complete …` for candidates, so the
// shells need a cqrslab on PATH, and this one is built from the code under
// test.
const asCLIEnv = "CQRSLAB_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(asCLIEnv) == "1" {
		os.Exit(Main(context.Background(), os.Args[1:], Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
	}
	os.Exit(m.Run())
}

func TestCompletionCommand(t *testing.T) {
	for _, shell := range shells {
		code, out, errOut := runCLI(t, "completion", shell)
		if code != 0 || !strings.Contains(out, "cqrslab") || !strings.Contains(out, "__complete") {
			t.Errorf("%s: exit %d, %s\n%s", shell, code, errOut, out)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{{nil, "name one shell"}, {[]string{"powershell"}, `unknown shell "powershell"`}, {[]string{"bash", "zsh"}, "name one shell"}} {
		code, _, errOut := runCLI(t, append([]string{"completion"}, tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("completion %v: exit %d, %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// registryNames are the candidates the registries say a line must offer.
func registryNames() (faults, heal, scenarios, policies, authors []string) {
	for _, k := range lab.FaultCatalog() {
		faults = append(faults, string(k.Kind))
	}
	heal = append(slices.Clone(faults), "all")
	for _, s := range experiment.Scenarios {
		scenarios = append(scenarios, s.Name)
	}
	for _, p := range demo.Registry {
		policies = append(policies, string(p.Name))
	}
	for _, a := range demo.SeedAuthors {
		authors = append(authors, a.ID)
	}
	return
}

type completionCase struct {
	words   []string // the command line, last element being completed
	want    []string
	notWant []string
}

// completionCases are lines typed so far, with candidates that must and
// must not be offered, checked against each shell's real completion code.
func completionCases() []completionCase {
	faults, heal, scenarios, policies, authors := registryNames()
	themeNames := []string{}
	for _, th := range themes {
		themeNames = append(themeNames, string(th))
	}
	return []completionCase{
		{[]string{"cqrslab", ""}, []string{"doctor", "prepare", "completion", "lab", "version", "man"}, []string{"--json"}},
		{[]string{"cqrslab", "pre"}, []string{"prepare"}, []string{"post"}},
		{[]string{"cqrslab", "--"}, []string{"--roomy", "--theme", "--version"}, nil},
		{[]string{"cqrslab", "--theme", ""}, themeNames, []string{"lab"}},
		{[]string{"cqrslab", "lab", ""}, []string{"up", "status"}, []string{"lab"}},
		{[]string{"cqrslab", "lab", "up", "--in"}, []string{"--infra"}, []string{"--json"}},
		{[]string{"cqrslab", "lab", "up", "--infra", ""}, []string{"docker", "local", "external", "auto"}, []string{"up"}},
		{[]string{"cqrslab", "prepare", "--save", ""}, []string{"images.tar"}, []string{"--load"}},
		{[]string{"cqrslab", "prepare", "--"}, []string{"--save", "--load", "--redis-image"}, []string{"--infra"}},
		{[]string{"cqrslab", "doctor", "--"}, []string{"--json", "--infra"}, nil},
		{[]string{"cqrslab", "completion", ""}, []string{"bash", "zsh", "fish"}, nil},
		{[]string{"cqrslab", "feed", "-n", "5", "--"}, []string{"--json", "--sql"}, nil},
		{[]string{"cqrslab", "post", "create", "--author", "alice", "--t"}, []string{"--title"}, []string{"up"}},
		{[]string{"cqrslab", "fault", "inject", ""}, faults, []string{"all", "images.tar"}},
		{[]string{"cqrslab", "fault", "heal", ""}, heal, []string{"images.tar"}},
		{[]string{"cqrslab", "experiment", "--scenario", ""}, append(scenarios, "all"), []string{"images.tar"}},
		{[]string{"cqrslab", "experiment", "--policy", ""}, append(policies, "all"), nil},
		{[]string{"cqrslab", "post", "create", "--policy", ""}, policies, []string{"all"}},
		{[]string{"cqrslab", "post", "create", "--author", ""}, authors, nil},
		{[]string{"cqrslab", "feed", "--author", ""}, authors, nil},
		{[]string{"cqrslab", "tui", "--theme", ""}, themeNames, nil},
	}
}

// shellTest writes the script for shell into a temporary folder holding a
// file named images.tar (for file completion) and a cqrslab on PATH (this
// test binary, see TestMain), and returns the folder, the script and the
// environment the shell runs in.
func shellTest(t *testing.T, shell string) (dir, script string, env []string) {
	t.Helper()
	if _, err := exec.LookPath(shell); err != nil {
		if os.Getenv("CQRSLAB_REQUIRE_INFRA") == "1" {
			t.Fatalf("%s is not installed and CQRSLAB_REQUIRE_INFRA=1 (.ci/run installs it)", shell)
		}
		t.Skipf("%s not installed (apt-get install %s)", shell, shell)
	}
	code, out, errOut := runCLI(t, "completion", shell)
	if code != 0 {
		t.Fatalf("completion %s: exit %d, %s", shell, code, errOut)
	}
	dir = t.TempDir()
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(bin, "cqrslab")); err != nil {
		t.Fatal(err)
	}
	script = filepath.Join(dir, "cqrslab."+shell)
	os.WriteFile(script, []byte(out), 0o644)
	os.WriteFile(filepath.Join(dir, "images.tar"), nil, 0o644)
	env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir, asCLIEnv+"=1",
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "CQRSLAB_STATE_DIR="+t.TempDir())
	return dir, script, env
}

func runShell(t *testing.T, dir string, env []string, shell string, args ...string) []string {
	t.Helper()
	cmd := exec.Command(shell, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s%s", shell, args, err, out, stderr.String())
	}
	var cands []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		// fish prints name<TAB>description.
		l, _, _ = strings.Cut(l, "\t")
		cands = append(cands, l)
	}
	return cands
}

func checkCandidates(t *testing.T, line []string, got, want, notWant []string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%q: %q not offered; got %q", strings.Join(line, " "), w, got)
		}
	}
	for _, w := range notWant {
		if slices.Contains(got, w) {
			t.Errorf("%q: %q offered; got %q", strings.Join(line, " "), w, got)
		}
	}
}

func TestBashCompletion(t *testing.T) {
	t.Parallel() // each case starts a shell and the binary: waiting, mostly
	dir, script, env := shellTest(t, "bash")
	if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	// With bash-completion installed its word splitter is used, else the
	// script's own stand-in. The script's `complete -o default` makes bash
	// complete file names when it offers nothing, which compgen -f does
	// here, as readline would.
	prelude := "[ -r /usr/share/bash-completion/bash_completion ] && source /usr/share/bash-completion/bash_completion\n"
	for _, tc := range completionCases() {
		var words []string
		for _, w := range tc.words {
			words = append(words, sq(w))
		}
		line := strings.Join(tc.words, " ")
		prog := prelude + "source " + sq(script) + "\nCOMP_WORDS=(" + strings.Join(words, " ") + ")\n" +
			"COMP_CWORD=" + strconv.Itoa(len(tc.words)-1) + "\nCOMP_LINE=" + sq(line) + "\nCOMP_POINT=" + strconv.Itoa(len(line)) + "\n" +
			"__start_cqrslab 2>/dev/null\n" +
			"if [ ${#COMPREPLY[@]} -eq 0 ]; then compgen -f -- \"${COMP_WORDS[COMP_CWORD]}\"; else printf '%s\\n' \"${COMPREPLY[@]}\"; fi\n"
		checkCandidates(t, tc.words, runShell(t, dir, env, "bash", "-c", prog), tc.want, tc.notWant)
	}
}

func TestZshCompletion(t *testing.T) {
	t.Parallel() // each case starts a shell and the binary: waiting, mostly
	dir, script, env := shellTest(t, "zsh")
	if out, err := exec.Command("zsh", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	// The completion system's functions are stubbed to print what they
	// would offer; the script's own logic, and its call to cqrslab, run
	// for real.
	stubs := "compdef() { :; }\n" +
		"_describe() { (( ${#completions} )) || return 1; print -l -- \"${completions[@]}\"; }\n" +
		"_arguments() { print -l -- *(N); }\n" +
		"compadd() { :; }\n"
	for _, tc := range completionCases() {
		var words []string
		for _, w := range tc.words {
			words = append(words, sq(w))
		}
		cur := tc.words[len(tc.words)-1]
		prog := stubs + "source " + sq(script) + "\nwords=(" + strings.Join(words, " ") + ")\n" +
			"CURRENT=" + strconv.Itoa(len(tc.words)) + "\nPREFIX=" + sq(cur) + "\n_cqrslab\n"
		got := runShell(t, dir, env, "zsh", "-f", "-c", prog)
		// The stubs print every candidate; the shell would filter by prefix.
		var filtered []string
		for _, g := range got {
			g, _, _ = strings.Cut(g, ":") // _describe items are name:description
			if strings.HasPrefix(g, cur) {
				filtered = append(filtered, g)
			}
		}
		checkCandidates(t, tc.words, filtered, tc.want, tc.notWant)
	}
}

func TestFishCompletion(t *testing.T) {
	t.Parallel() // each case starts a shell and the binary: waiting, mostly
	dir, script, env := shellTest(t, "fish")
	if out, err := exec.Command("fish", "--no-execute", script).CombinedOutput(); err != nil {
		t.Fatalf("fish --no-execute: %v\n%s", err, out)
	}
	for _, tc := range completionCases() {
		prog := "source " + fq(script) + "; complete -C " + fq(strings.Join(tc.words, " "))
		checkCandidates(t, tc.words, runShell(t, dir, env, "fish", "--no-config", "-c", prog), tc.want, tc.notWant)
	}
}

// sq quotes s for POSIX shell single quotes.
func sq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// fq quotes s for fish single quotes.
func fq(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
