package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"cqrslab/demo"
)

func reconcileCmd(stdio Stdio) *cobra.Command {
	c := leaf("reconcile [--check | --repair | --rebuild] [--author A] [--json]\n\n"+
		"Compares every feed in Redis with PostgreSQL (counts, newest score, checksums of post IDs,\n"+
		"missing/unexpected/duplicate members). --repair fixes drift by difference; --rebuild\n"+
		"rewrites the feeds from PostgreSQL (temporary keys, then RENAME). --check exits 1 when the\n"+
		"feeds have drifted (0 when in sync), for scripts.", "check the feeds against PostgreSQL; --repair or --rebuild them")
	fs := c.Flags()
	check := fs.Bool("check", false, "only check, and exit with status 1 when the feeds have drifted")
	repair := fs.Bool("repair", false, "add missing members and remove unexpected ones")
	rebuild := fs.Bool("rebuild", false, "rewrite every feed from PostgreSQL")
	author := fs.String("author", "", "only this author (default: all)")
	c.RegisterFlagCompletionFunc("author", completeAuthors)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		if *repair && *rebuild {
			return usagef("reconcile: choose --repair or --rebuild, not both")
		}
		if *check && (*repair || *rebuild) {
			return usagef("reconcile: --check only checks; drop it to --repair or --rebuild")
		}
		st, err := connectCurrent(ctx, stdio.Err)
		if err != nil {
			return err
		}
		defer st.Close()
		// The read model's check and check → repair → check, as the Lab
		// screen runs them.
		rm := demo.NewReadModel(st.Service(demo.Options{}))
		var authors []string
		if *author != "" {
			authors = []string{*author}
		}
		rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		out := struct {
			Before  demo.Drift          `json:"before"`
			Action  string              `json:"action"`
			Rebuild *demo.RebuildReport `json:"rebuild,omitempty"`
			After   *demo.Drift         `json:"after,omitempty"`
		}{Action: "check"}
		if *repair || *rebuild {
			out.Action = "repair"
			if *rebuild {
				out.Action = "rebuild"
			}
			rep, err := rm.Repair(rctx, *rebuild, authors...)
			if err != nil {
				return err
			}
			out.Before, out.Rebuild, out.After = rep.Before, rep.RebuildReport, &rep.After
		} else if out.Before, err = rm.Drift(rctx, authors...); err != nil {
			return err
		}
		before := out.Before
		if *asJSON {
			enc := json.NewEncoder(stdio.Out)
			enc.SetIndent("", "  ")
			if err := enc.Encode(out); err != nil {
				return err
			}
			return driftStatus(*check, before)
		}
		printDrift(stdio, "Before", before)
		if out.After != nil {
			if out.Rebuild != nil {
				fmt.Fprintf(stdio.Out, "\nRebuilt %d posts over %d authors in %v (%d caught up after the swap).\n",
					out.Rebuild.Posts, out.Rebuild.Authors, out.Rebuild.Elapsed.Round(time.Millisecond), out.Rebuild.CaughtUp)
			}
			printDrift(stdio, "After "+out.Action, *out.After)
		} else if !before.Converged() {
			fmt.Fprintln(stdio.Out, "\nThe feeds have drifted. Fix with: cqrslab reconcile --repair (or --rebuild)")
		}
		return driftStatus(*check, before)
	}
	return c
}

// errDrift is `reconcile --check` finding drift: exit status 1, so a script
// can tell "in sync" from "drifted" without parsing the report.
var errDrift = errors.New("the feeds have drifted from PostgreSQL (reconcile --check)")

func driftStatus(check bool, d demo.Drift) error {
	if check && !d.Converged() {
		return errDrift
	}
	return nil
}

func printDrift(stdio Stdio, label string, d demo.Drift) {
	state := "in sync"
	if !d.Converged() {
		state = "DRIFTED"
	}
	fmt.Fprintf(stdio.Out, "%s: %s — %d rows, %d members, %d missing, %d unexpected, %d duplicates\n",
		label, state, d.Rows, d.Members, d.Missing, d.Unexpected, d.Duplicates)
	tw := tabwriter.NewWriter(stdio.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  author\trows\tZCARD\tmissing\tunexpected\tduplicates\tnewest row\tnewest score\t")
	for _, a := range d.Authors {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", a.Author, a.Rows, a.Members, a.Missing, a.Unexpected,
			a.Duplicates, a.NewestRow, a.NewestScore)
	}
	tw.Flush()
}
