package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func nodeAt(t *testing.T, tree []compNode, path string) compNode {
	t.Helper()
	for _, n := range tree {
		if n.path == path {
			return n
		}
	}
	t.Fatalf("no completion node for %q", path)
	return compNode{}
}

func flagOf(t *testing.T, n compNode, name string) compFlag {
	t.Helper()
	for _, f := range n.flags {
		if f.name == name {
			return f
		}
	}
	t.Fatalf("%q has no flag %s (flags %+v)", n.path, name, n.flags)
	return compFlag{}
}

func TestCompletionTreeFollowsTheCommands(t *testing.T) {
	tree := completionTree()
	root := nodeAt(t, tree, "")
	for _, c := range commands() {
		if !slices.Contains(root.names(), c.name) {
			t.Errorf("command %s missing from completion", c.name)
		}
	}
	prepare := nodeAt(t, tree, "prepare")
	if f := flagOf(t, prepare, "save"); !f.isFile() || !f.takesValue() {
		t.Errorf("--save should complete files: %+v", f)
	}
	if f := flagOf(t, prepare, "postgres-image"); f.isFile() || !f.takesValue() {
		t.Errorf("--postgres-image: %+v", f)
	}
	if f := flagOf(t, nodeAt(t, tree, "doctor"), "json"); f.takesValue() {
		t.Errorf("--json is a boolean: %+v", f)
	}
	if f := flagOf(t, nodeAt(t, tree, "lab up"), "infra"); !f.takesValue() || !strings.Contains(f.usage, "docker") {
		t.Errorf("lab up --infra: %+v", f)
	}
	if got := flagOf(t, nodeAt(t, tree, "feed"), "n").dashed(); got != "-n" {
		t.Errorf("one-letter flag typed as %q", got)
	}
	if got := nodeAt(t, tree, "completion").names(); strings.Join(got, " ") != "bash zsh fish" {
		t.Errorf("completion's arguments: %v", got)
	}
	if choices := completionChoices(tree)["--infra"]; len(choices) != 4 {
		t.Errorf("--infra choices %v", choices)
	}
}

// TestSubcommandTableInSync fails when a command's --help shows a
// subcommand ("cqrslab NAME WORD" at the start of a usage line) that the
// completion table does not list, so a new subcommand cannot be forgotten.
func TestSubcommandTableInSync(t *testing.T) {
	for _, c := range commands() {
		usage := regexp.MustCompile(`(?m)^\s*(?:Usage:\s+)?cqrslab ` + regexp.QuoteMeta(c.name) + ` ([a-z][a-z-]*)\b`)
		help := helpText(c, "--help")
		known := append(subcommands[c.name], fixedArgs[c.name]...)
		for _, m := range usage.FindAllStringSubmatch(help, -1) {
			if !slices.ContainsFunc(known, func(w compWord) bool { return w.name == m[1] }) {
				t.Errorf("'cqrslab %s --help' shows subcommand %q: add it to subcommands in completioncmd.go", c.name, m[1])
			}
		}
		for _, s := range subcommands[c.name] {
			if !strings.Contains(helpText(c, s.name, "--help"), "Usage") {
				t.Errorf("'cqrslab %s %s --help' prints no usage", c.name, s.name)
			}
		}
	}
}

func TestParseFlags(t *testing.T) {
	help := "Usage: cqrslab x\n\nFlags:\n" +
		"  -json\n    \tprint JSON\n" +
		"  -n int\n    \thow many (default 20)\n" +
		"  -q\tquiet\n" +
		"  -save FILE\n    \twrite to FILE\n" +
		"Usage: cqrslab x\n\nFlags:\n  -json\n    \tprint JSON\n"
	got := parseFlags(help)
	want := []compFlag{{"json", "print JSON", ""}, {"n", "how many (default 20)", "int"}, {"q", "quiet", ""}, {"save", "write to FILE", "FILE"}}
	if !slices.Equal(got, want) {
		t.Fatalf("parseFlags =\n%+v\nwant\n%+v", got, want)
	}
}

func TestCompletionCommand(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		var out bytes.Buffer
		if err := runCompletion(context.Background(), Stdio{Out: &out}, []string{shell}); err != nil {
			t.Fatalf("%s: %v", shell, err)
		}
		if !strings.Contains(out.String(), "cqrslab") || !strings.Contains(out.String(), "--postgres-image") {
			t.Errorf("%s script looks empty:\n%s", shell, out.String())
		}
	}
	for _, args := range [][]string{nil, {"powershell"}, {"bash", "zsh"}} {
		err := runCompletion(context.Background(), Stdio{Out: &bytes.Buffer{}}, args)
		if _, ok := err.(*UsageError); !ok {
			t.Errorf("%v: err %v, want a usage error", args, err)
		}
	}
}

// completionCases are lines typed so far, with candidates that must and
// must not be offered, checked against each shell's real completion code.
var completionCases = []struct {
	words   []string // the command line, last element being completed
	want    []string
	notWant []string
}{
	{[]string{"cqrslab", ""}, []string{"doctor", "prepare", "completion", "lab", "version"}, []string{"--json"}},
	{[]string{"cqrslab", "pre"}, []string{"prepare"}, []string{"post"}},
	{[]string{"cqrslab", "lab", ""}, []string{"up", "status"}, []string{"lab"}},
	{[]string{"cqrslab", "lab", "up", "--in"}, []string{"--infra"}, []string{"--json"}},
	{[]string{"cqrslab", "lab", "up", "--infra", ""}, []string{"docker", "local", "external", "auto"}, []string{"up"}},
	{[]string{"cqrslab", "prepare", "--save", ""}, []string{"images.tar"}, []string{"--load"}},
	{[]string{"cqrslab", "prepare", "--"}, []string{"--save", "--load", "--redis-image"}, []string{"--infra"}},
	{[]string{"cqrslab", "doctor", "--"}, []string{"--json", "--infra"}, nil},
	{[]string{"cqrslab", "completion", ""}, []string{"bash", "zsh", "fish"}, nil},
	{[]string{"cqrslab", "feed", "-n", "5", "--"}, []string{"--json", "--sql"}, nil},
	{[]string{"cqrslab", "post", "create", "--author", "lab", "--t"}, []string{"--title"}, []string{"up"}},
}

// shellTest writes the script for shell into a temporary folder holding a
// file named images.tar (for file completion) and returns both.
func shellTest(t *testing.T, shell string) (dir, script string) {
	t.Helper()
	if _, err := exec.LookPath(shell); err != nil {
		if os.Getenv("CQRSLAB_REQUIRE_INFRA") == "1" {
			t.Fatalf("%s is not installed and CQRSLAB_REQUIRE_INFRA=1 (.ci/run installs it)", shell)
		}
		t.Skipf("%s not installed", shell)
	}
	var out bytes.Buffer
	if err := runCompletion(context.Background(), Stdio{Out: &out}, []string{shell}); err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	script = filepath.Join(dir, "cqrslab."+shell)
	os.WriteFile(script, out.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "images.tar"), nil, 0o644)
	return dir, script
}

func runShell(t *testing.T, dir, shell string, args ...string) []string {
	t.Helper()
	cmd := exec.Command(shell, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", shell, args, err, out)
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
	dir, script := shellTest(t, "bash")
	if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	for _, tc := range completionCases {
		var words []string
		for _, w := range tc.words {
			words = append(words, sq(w))
		}
		prog := "source " + sq(script) + "\nCOMP_WORDS=(" + strings.Join(words, " ") + ")\n" +
			"COMP_CWORD=" + strconv.Itoa(len(tc.words)-1) + "\n_cqrslab\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
		checkCandidates(t, tc.words, runShell(t, dir, "bash", "-c", prog), tc.want, tc.notWant)
	}
}

func TestZshCompletion(t *testing.T) {
	dir, script := shellTest(t, "zsh")
	if out, err := exec.Command("zsh", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	// The completion system's functions are stubbed to print what they
	// would offer; the script's own logic runs for real.
	stubs := "compdef() { :; }\n" +
		"_describe() { local arr=${@[-1]}; print -l -- ${(P)arr}; }\n" +
		"_files() { print -l -- *(N); }\n" +
		"compadd() { print -l -- ${(P)2}; }\n"
	for _, tc := range completionCases {
		var words []string
		for _, w := range tc.words {
			words = append(words, sq(w))
		}
		cur := tc.words[len(tc.words)-1]
		prog := stubs + "source " + sq(script) + "\nwords=(" + strings.Join(words, " ") + ")\n" +
			"CURRENT=" + strconv.Itoa(len(tc.words)) + "\nPREFIX=" + sq(cur) + "\n_cqrslab\n"
		got := runShell(t, dir, "zsh", "-f", "-c", prog)
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
	dir, script := shellTest(t, "fish")
	if out, err := exec.Command("fish", "--no-execute", script).CombinedOutput(); err != nil {
		t.Fatalf("fish --no-execute: %v\n%s", err, out)
	}
	for _, tc := range completionCases {
		prog := "source " + fq(script) + "; complete -C " + fq(strings.Join(tc.words, " "))
		checkCandidates(t, tc.words, runShell(t, dir, "fish", "--no-config", "-c", prog), tc.want, tc.notWant)
	}
}
