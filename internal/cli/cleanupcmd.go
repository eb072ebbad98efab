package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/charmbracelet/x/term"

	"github.com/spf13/cobra"

	"cqrslab/demo/lab"
	"cqrslab/internal/statedir"
)

const cleanupUsage = `cleanup [--all [--yes]]

Removes the labs of this state directory (` + statedir.Env + `): their
containers and local servers, whether or not the command that started them
still runs, and any lab container whose starting process is gone. Labs of
other state directories and other users are left alone: cleanup never ends
someone else's lab.

  --all   every cqrslab container on the Docker engine, whoever started it;
          lists them first and asks (on a terminal), or needs --yes`

func cleanupCmd(stdio Stdio) *cobra.Command {
	c := leaf(cleanupUsage, "remove this state directory's labs (--all: every lab container)")
	fs := c.Flags()
	all := fs.Bool("all", false, "remove every cqrslab lab container on the Docker engine, other users' and state directories' included (asks first)")
	yes := fs.Bool("yes", false, "with --all: remove without asking")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		if *yes && !*all {
			return usagef("cleanup: --yes goes with --all (plain cleanup removes only this state directory's labs and never asks)")
		}
		list, err := lab.ListLabContainers(ctx)
		if err != nil {
			return fmt.Errorf("cleanup: %w", err)
		}
		dir := statedir.Dir()
		var pick, others []lab.LabContainer
		for _, c := range list {
			if *all || c.Owned(dir, recordedRuns()) || c.Stale() {
				pick = append(pick, c)
			} else {
				others = append(others, c)
			}
		}
		if *all && len(pick) > 0 {
			fmt.Fprintf(stdio.Out, "cleanup --all removes %d container(s): every cqrslab lab container on this Docker engine.\n", len(pick))
			printContainers(stdio.Out, pick)
			if !*yes {
				if err := confirm(stdio, len(pick)); err != nil {
					return err
				}
			}
		}
		containers, err := lab.RemoveLabContainers(ctx, pick)
		if err != nil {
			return fmt.Errorf("cleanup: %w", err)
		}
		runs, err := lab.CleanupLocal(true)
		if err != nil {
			return fmt.Errorf("cleanup: %w", err)
		}
		os.RemoveAll(labsDir())
		fmt.Fprintf(stdio.Out, "Removed %d container(s) and %d local server run(s).\n", containers, runs)
		if len(others) > 0 {
			fmt.Fprintf(stdio.Out, "Left %d container(s) of labs that other state directories or users still run "+
				"(`cqrslab cleanup --all` lists them and asks before removing them).\n", len(others))
		}
		return nil
	}
	return c
}

// recordedRuns are the run IDs of the labs recorded in this state
// directory, alive or not.
func recordedRuns() []string {
	entries, _ := os.ReadDir(labsDir())
	var runs []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".json"); ok && filepath.Ext(id) == "" {
			runs = append(runs, id)
		}
	}
	return runs
}

func printContainers(w io.Writer, list []lab.LabContainer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  RUN\tSERVICE\tSTARTED BY\tSTATE DIRECTORY")
	for _, c := range list {
		owner := fmt.Sprintf("pid %d, gone", c.PID)
		if c.OwnerAlive {
			owner = fmt.Sprintf("pid %d, running", c.PID)
		}
		if host, _ := os.Hostname(); c.Host != host {
			owner = fmt.Sprintf("pid %d on %s", c.PID, c.Host)
		}
		sd := c.StateDir
		if sd == "" {
			sd = "(not recorded)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", safeText(c.Run), safeText(c.Service), safeText(owner), safeText(sd))
	}
	tw.Flush()
}

// safeText drops control characters: labels are anyone's to set.
func safeText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}

// stdinIsTerminal says whether cleanup --all may ask; tests replace it.
var stdinIsTerminal = func(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// confirm asks on a terminal; anywhere else --yes is needed, as nobody can
// answer.
func confirm(stdio Stdio, n int) error {
	if stdio.In == nil || !stdinIsTerminal(stdio.In) {
		return usagef("cleanup --all: the %d container(s) above may belong to labs still in use; "+
			"pass --yes to remove them (stdin is not a terminal, so cqrslab cannot ask)", n)
	}
	fmt.Fprintf(stdio.Err, "Remove these %d container(s)? [y/N] ", n)
	line, _ := bufio.NewReader(stdio.In).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return fmt.Errorf("cleanup --all: not confirmed, nothing removed")
}
