package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"regexp"
	"slices"
	"strings"

	"cqrslab/demo/lab"
)

const completionUsage = `completion bash|zsh|fish

Prints a shell completion script for cqrslab's commands, subcommands and flags
(generated from the commands themselves, so it matches this binary). The
binary must be on PATH as cqrslab (e.g. 'go install .').

  bash:  source <(cqrslab completion bash)
         keep it: cqrslab completion bash > ~/.local/share/bash-completion/completions/cqrslab
  zsh:   source <(cqrslab completion zsh)           (after compinit)
         keep it: cqrslab completion zsh > "${fpath[1]}/_cqrslab"
  fish:  cqrslab completion fish > ~/.config/fish/completions/cqrslab.fish`

// subcommands names the words that come after a command, with a summary,
// because a command's run function is opaque: the completion test fails
// when a command's --help shows a subcommand missing here.
var subcommands = map[string][]compWord{
	"lab":   {{"up", "start PostgreSQL and Redis, run until Ctrl-C"}, {"status", "show the running labs"}},
	"post":  {{"create", "create a post through the engine"}},
	"fault": {{"inject", "break the running lab"}, {"heal", "remove a fault"}, {"list", "the active faults and the kinds available"}},
	"export": {{"lesson", "the lesson as one markdown document"}, {"prompt", "the lesson as text for an AI assistant"},
		{"guide", "the facilitator's workshop guide"}},
	"quiz": {{"list", "the questions"}, {"grade", "grade an answer"}, {"export", "the learner's answers and scores"},
		{"merge", "a class's exports in one table"},
		{"reset", "forget answers"}},
}

// subcommandArgs are the positional words after a subcommand: the fault
// kinds, read from the lab's fault registry so a new kind completes
// without an edit here.
func subcommandArgs() map[string][]compWord {
	var inject, heal []compWord
	for _, k := range lab.FaultCatalog() {
		inject = append(inject, compWord{string(k.Kind), k.Help})
		heal = append(heal, compWord{string(k.Kind), "heal " + string(k.Kind)})
	}
	heal = append(heal, compWord{"all", "heal every fault"})
	return map[string][]compWord{"fault inject": inject, "fault heal": heal}
}

// fixedArgs are positional words that take no flags of their own.
var fixedArgs = map[string][]compWord{
	"completion": {{"bash", "script for bash"}, {"zsh", "script for zsh"}, {"fish", "script for fish"}},
}

// flagChoices are the values a flag accepts, where they are a fixed set.
var flagChoices = map[string][]string{
	"infra": {string(lab.Auto), string(lab.Docker), string(lab.Local), string(lab.External)},
}

// fileFlagPlaceholders mark flags whose value is a path: a flag declared
// with "`FILE`" in its usage shows FILE in --help, and completes files.
var fileFlagPlaceholders = []string{"FILE", "DIR", "PATH"}

type compWord struct{ name, summary string }

// compFlag is one flag of one command path.
type compFlag struct {
	name        string // without dashes
	usage       string
	placeholder string // the value's name in --help ("string", "FILE"); "" for a boolean
}

// dashed is how the flag is typed: -n for one letter, --name otherwise.
func (f compFlag) dashed() string {
	if len(f.name) == 1 {
		return "-" + f.name
	}
	return "--" + f.name
}

func (f compFlag) takesValue() bool { return f.placeholder != "" }
func (f compFlag) isFile() bool     { return slices.Contains(fileFlagPlaceholders, f.placeholder) }

// compNode is what can follow one command path ("", "lab", "lab up").
type compNode struct {
	path  string
	words []compWord
	flags []compFlag
}

// completionTree walks the command table: every command, its subcommands,
// and the flags each one's --help lists.
func completionTree() []compNode {
	root := compNode{flags: []compFlag{{name: "help", usage: "show the commands"},
		{name: "version", usage: "print the version"}}}
	nodes := []compNode{}
	for _, c := range commands() {
		root.words = append(root.words, compWord{c.name, c.summary})
		if subs, ok := subcommands[c.name]; ok {
			nodes = append(nodes, compNode{path: c.name, words: subs, flags: []compFlag{{name: "help", usage: "show help"}}})
			for _, s := range subs {
				path := c.name + " " + s.name
				nodes = append(nodes, compNode{path: path, words: subcommandArgs()[path], flags: helpFlags(c, s.name, "--help")})
			}
			continue
		}
		nodes = append(nodes, compNode{path: c.name, words: fixedArgs[c.name], flags: helpFlags(c, "--help")})
	}
	return append([]compNode{root}, nodes...)
}

// helpText runs a command with args (ending in --help) and returns what it
// printed. The context is already cancelled, so a command that ignored
// --help would stop at its first wait instead of doing real work.
func helpText(c command, args ...string) (text string) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	defer func() {
		if recover() != nil {
			text = ""
		}
	}()
	_ = c.run(ctx, Stdio{In: strings.NewReader(""), Out: &out, Err: io.Discard}, args)
	return out.String()
}

// flagLine matches a flag in flag.PrintDefaults output: "  -name type" with
// the usage on the next line, or "  -x\tusage" for a one-letter boolean.
var flagLine = regexp.MustCompile(`^  -([A-Za-z0-9][\w.-]*)(?: (\S+))?(?:\t(.*))?$`)

func helpFlags(c command, args ...string) []compFlag {
	flags := parseFlags(helpText(c, args...))
	if !slices.ContainsFunc(flags, func(f compFlag) bool { return f.name == "help" }) {
		flags = append(flags, compFlag{name: "help", usage: "show help"})
	}
	return flags
}

// parseFlags reads the flags in a command's --help, once each (a help
// printed twice lists them twice).
func parseFlags(help string) []compFlag {
	var flags []compFlag
	seen := map[string]bool{}
	current := -1 // index of the flag whose usage may follow, or -1
	sc := bufio.NewScanner(strings.NewReader(help))
	for sc.Scan() {
		line := sc.Text()
		if m := flagLine.FindStringSubmatch(line); m != nil {
			current = -1
			if !seen[m[1]] {
				seen[m[1]] = true
				flags = append(flags, compFlag{name: m[1], placeholder: m[2], usage: m[3]})
				current = len(flags) - 1
			}
			continue
		}
		if current >= 0 && flags[current].usage == "" && strings.HasPrefix(line, "    \t") {
			flags[current].usage = strings.TrimSpace(line)
		}
	}
	return flags
}

func runCompletion(ctx context.Context, stdio Stdio, args []string) error {
	fs := newFlags("completion", completionUsage, stdio)
	if err := parse(fs, args, true); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("completion: name one shell: bash, zsh or fish (run 'cqrslab completion --help')")
	}
	tree := completionTree()
	switch fs.Arg(0) {
	case "bash":
		return writeBash(stdio.Out, tree)
	case "zsh":
		return writeZsh(stdio.Out, tree)
	case "fish":
		return writeFish(stdio.Out, tree)
	}
	return usagef("completion: unknown shell %q: use bash, zsh or fish", fs.Arg(0))
}

// shortUsage is a flag's usage cut to its first clause, for menus.
func shortUsage(s string) string {
	if i := strings.IndexAny(s, ";("); i > 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(strings.ReplaceAll(s, "`", ""))
	if len(s) > 70 {
		s = s[:67] + "..."
	}
	return s
}

func (n compNode) names() []string {
	var w []string
	for _, x := range n.words {
		w = append(w, x.name)
	}
	return w
}

func (n compNode) flagNames(keep func(compFlag) bool) []string {
	var out []string
	for _, f := range n.flags {
		if keep == nil || keep(f) {
			out = append(out, f.dashed())
		}
	}
	return out
}

// completionChoices lists, over the whole tree, the flags with a fixed set
// of values, once each.
func completionChoices(tree []compNode) map[string][]string {
	out := map[string][]string{}
	for _, n := range tree {
		for _, f := range n.flags {
			if ch, ok := flagChoices[f.name]; ok && f.takesValue() {
				out[f.dashed()] = ch
			}
		}
	}
	return out
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
