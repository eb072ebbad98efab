package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"cqrslab/demo"
	"cqrslab/demo/experiment"
	"cqrslab/demo/lab"
	"cqrslab/internal/tui"
	"cqrslab/quiz"
)

const completionUsage = `completion bash|zsh|fish

Prints a shell completion script for cqrslab's commands, flags and values
(fault kinds, scenarios, policies, themes, authors…). The script asks this
binary for the candidates as you type, so it always matches it; the binary
must be on PATH as cqrslab (e.g. 'go install .').

  bash:  source <(cqrslab completion bash)
         keep it: cqrslab completion bash > ~/.local/share/bash-completion/completions/cqrslab
  zsh:   source <(cqrslab completion zsh)           (after compinit)
         keep it: cqrslab completion zsh > "${fpath[1]}/_cqrslab"
  fish:  cqrslab completion fish > ~/.config/fish/completions/cqrslab.fish`

// shells are the shells the completion command writes for; the completion
// test runs each one's script in the real shell.
var shells = []string{"bash", "zsh", "fish"}

func completionCmd(stdio Stdio) *cobra.Command {
	c := leaf(completionUsage, "print a shell completion script (bash, zsh or fish)")
	c.ValidArgs = shells
	c.Args = func(_ *cobra.Command, args []string) error {
		if len(args) != 1 {
			return usagef("completion: name one shell: bash, zsh or fish (run 'cqrslab completion --help')")
		}
		return nil
	}
	c.RunE = func(c *cobra.Command, args []string) error {
		root, out := c.Root(), stdio.Out
		switch args[0] {
		case "bash":
			if err := root.GenBashCompletionV2(out, true); err != nil {
				return err
			}
			_, err := fmt.Fprint(out, bashWordsFallback)
			return err
		case "zsh":
			return root.GenZshCompletion(out)
		case "fish":
			return root.GenFishCompletion(out, true)
		}
		return usagef("completion: unknown shell %q: use bash, zsh or fish", args[0])
	}
	return c
}

// bashWordsFallback lets cobra's bash script work where the
// bash-completion package is not installed (a minimal Linux, macOS's
// stock bash): the script splits the line with that package's
// _get_comp_words_by_ref, and this stand-in reads bash's own COMP_WORDS
// (so --flag=value completes as --flag value does not, a small loss).
const bashWordsFallback = `
# cqrslab: a stand-in for bash-completion's word splitter when that
# package is absent.
if ! declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
_get_comp_words_by_ref() {
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
}
fi
`

// The completion functions below read the registries in code, so a new
// fault kind, scenario, policy or theme completes without an edit here.

type completeFunc = func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective)

func fixed(cands []cobra.Completion) ([]cobra.Completion, cobra.ShellCompDirective) {
	return cands, cobra.ShellCompDirectiveNoFileComp
}

// completeFaultSpecs offers the fault kinds (with their syntax), and once a
// kind and "=" are typed, the kind's example value.
func completeFaultSpecs(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return fixed(nil)
	}
	var out []cobra.Completion
	kind, _, hasValue := strings.Cut(toComplete, "=")
	for _, k := range lab.FaultCatalog() {
		if hasValue {
			if string(k.Kind) == kind && strings.Contains(k.Example, "=") {
				out = append(out, cobra.CompletionWithDesc(k.Example, k.Help))
			}
			continue
		}
		out = append(out, cobra.CompletionWithDesc(string(k.Kind), k.Syntax+": "+k.Help))
	}
	return fixed(out)
}

// completeFaultKinds offers what `fault heal` takes: a kind, or all.
func completeFaultKinds(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return fixed(nil)
	}
	var out []cobra.Completion
	for _, k := range lab.FaultCatalog() {
		out = append(out, cobra.CompletionWithDesc(string(k.Kind), "heal "+string(k.Kind)))
	}
	return fixed(append(out, cobra.CompletionWithDesc("all", "heal every fault")))
}

func completeScenarios(c *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	topo := lab.TopologySingle
	if f := c.Flags().Lookup("topology"); f != nil {
		topo, _ = lab.ParseTopology(f.Value.String())
	}
	for _, s := range experiment.ScenariosFor(topo) {
		out = append(out, cobra.CompletionWithDesc(s.Name, s.Description))
	}
	return fixed(append(out, cobra.CompletionWithDesc("all", "every scenario in turn")))
}

// completePolicies offers demo.Registry's policies (and all, where the
// command takes it).
func completePolicies(withAll bool) completeFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for _, p := range demo.Registry {
			out = append(out, cobra.CompletionWithDesc(string(p.Name), p.Summary))
		}
		if withAll {
			out = append(out, cobra.CompletionWithDesc("all", "every policy, side by side"))
		}
		return fixed(out)
	}
}

// themes are tui's themes, in the order --theme's help names them.
var themes = []tui.Theme{tui.ThemeAuto, tui.ThemeDark, tui.ThemeLight, tui.ThemeHighContrast}

func completeThemes(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, t := range themes {
		out = append(out, string(t))
	}
	return fixed(out)
}

func completeProviders(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return fixed([]cobra.Completion{
		cobra.CompletionWithDesc(string(lab.Auto), "docker if it answers, else local servers"),
		cobra.CompletionWithDesc(string(lab.Docker), "containers on the Docker engine"),
		cobra.CompletionWithDesc(string(lab.Local), "postgres and redis-server processes"),
		cobra.CompletionWithDesc(string(lab.External), "servers you run: --pg-dsn and --redis-addr"),
	})
}

// completeAuthors offers the authors every lab is seeded with.
func completeAuthors(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, a := range demo.SeedAuthors {
		out = append(out, cobra.CompletionWithDesc(a.ID, a.Name))
	}
	return fixed(out)
}

// completeLabs offers the run IDs of the labs running now.
func completeLabs(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, info := range runningLabs() {
		out = append(out, cobra.CompletionWithDesc(info.RunID, fmt.Sprintf("%s, pid %d", info.Provider, info.PID)))
	}
	return fixed(out)
}

func completeQuestions(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	bank, err := quiz.Embedded()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []cobra.Completion
	for _, id := range bank.IDs() {
		out = append(out, id)
	}
	return fixed(out)
}
