package cli

import (
	"context"
	"os"

	"cqrslab/demo/lab"
	"cqrslab/internal/tui"
)

const tuiUsage = `tui [flags]   open the interactive lesson (what plain 'cqrslab' does)`

func runTUI(ctx context.Context, stdio Stdio, args []string) error {
	fs := newFlags("tui", tuiUsage, stdio)
	infra := addInfraFlags(fs)
	infra.addTopologyFlag(fs)
	theme := fs.String("theme", "auto", "colours: auto (from the terminal's background), dark, light or high-contrast; NO_COLOR turns colour off")
	noAnim := fs.Bool("no-animation", false, "show static text instead of spinners")
	roomy := fs.Bool("roomy", false, "projector layout: margins on every side (projectors crop the edges) and air above the keys; needs 86×26")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	opts, err := infra.options()
	if err != nil {
		return err
	}
	th, err := tui.ParseTheme(*theme)
	if err != nil {
		return usagef("--theme: %v", err)
	}
	cfg := tui.Config{Lab: opts, Theme: th, NoAnimation: *noAnim, Roomy: *roomy, OnLabUp: recordTUILab}
	return tui.Run(ctx, cfg)
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
