package cli

import (
	"context"
	"os"

	"github.com/spf13/cobra"

	"cqrslab/demo/lab"
	"cqrslab/internal/progress"
	"cqrslab/internal/statedir"
	"cqrslab/internal/tui"
)

// tuiFlags are the lesson's flags, on `cqrslab tui` and on plain `cqrslab`.
type tuiFlags struct {
	infra          *infraFlags
	theme, learner string
	noAnim, roomy  bool
}

func addTUIFlags(c *cobra.Command) *tuiFlags {
	fs := c.Flags()
	f := &tuiFlags{infra: addInfraFlags(c)}
	f.infra.addTopologyFlag(c)
	fs.StringVar(&f.theme, "theme", "auto", "colours: auto (from the terminal's background), dark, light or high-contrast; NO_COLOR turns colour off")
	fs.BoolVar(&f.noAnim, "no-animation", false, "show static text instead of spinners")
	fs.BoolVar(&f.roomy, "roomy", false, "projector layout: margins on every side (projectors crop the edges) and air above the keys; needs 86×26")
	fs.StringVar(&f.learner, "learner", "", "the learner's name, kept in the progress file for the quiz's exports (else the quiz asks once)")
	c.RegisterFlagCompletionFunc("theme", completeThemes)
	c.RegisterFlagCompletionFunc("learner", cobra.NoFileCompletions)
	return f
}

func tuiCmd(stdio Stdio) *cobra.Command {
	c := leaf("tui [flags]", "open the interactive lesson (the default with no command)")
	f := addTUIFlags(c)
	c.RunE = func(c *cobra.Command, _ []string) error { return runTUI(c.Context(), f) }
	return c
}

func runTUI(ctx context.Context, f *tuiFlags) error {
	opts, err := f.infra.options()
	if err != nil {
		return err
	}
	if opts.Topology == lab.TopologyCluster {
		return usagef("--topology cluster: the lesson's screens run on single and ha; " +
			"run the cluster with `cqrslab lab up --topology cluster` or `cqrslab experiment --topology cluster`")
	}
	th, err := tui.ParseTheme(f.theme)
	if err != nil {
		return usagef("--theme: %v", err)
	}
	if f.learner != "" {
		if err := setLearner(statedir.Dir(), f.learner); err != nil {
			return err
		}
	}
	cfg := tui.Config{Lab: opts, Theme: th, NoAnimation: f.noAnim, Roomy: f.roomy, OnLabUp: recordTUILab,
		AskLearner: true}
	return tui.Run(ctx, cfg)
}

// setLearner stores the learner's name in the progress file in dir before
// the lesson opens, as `quiz export --learner` does, so a facilitator can
// start every laptop with the name and the quiz does not ask for it.
func setLearner(dir, name string) error {
	if err := checkLearner(name); err != nil {
		return err
	}
	store, prog, _ := progress.Open(dir) // the lesson shows any notice itself
	if prog.Learner == name {
		return nil
	}
	prog.SetLearner(name)
	return store.Save(prog)
}

// recordTUILab makes the TUI's lab reachable from a second terminal, as
// `lab up` does: `cqrslab feed`, `post` and `fault` (the pages' "show me"
// commands) then work against the lab the learner is looking at.
func recordTUILab(l *lab.Lab) (func(), error) {
	if err := l.ServeControl("127.0.0.1:0"); err != nil {
		return nil, err
	}
	path, err := recordLab(l.CurrentInfo())
	if err != nil {
		return nil, err
	}
	return func() { os.Remove(path) }, nil
}
