package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"cqrslab/demo/lab"
)

// faultLong is the fault command's help; its list of kinds comes from
// the lab's fault registry.
var faultLong = `Faults act on the lab that 'cqrslab lab up' runs in another terminal (the
newest one, or --lab ID). SPEC is one of:
` + faultKindLines() + `Network kinds also take target=redis|postgres and stream=up|down|both.
Examples:
  cqrslab fault inject latency=50ms
  cqrslab fault inject latency=20ms,target=postgres
  cqrslab fault heal latency
  cqrslab fault heal all`

// faultKindLines lists every fault kind with its syntax and help, one a
// line, grouped by what the kind needs from the lab; each group's heading
// stands at the text's column, as "Examples:" does, its kinds under it.
func faultKindLines() string {
	var b strings.Builder
	for _, need := range []lab.FaultNeed{lab.NeedProxy, lab.NeedServers, lab.NeedHA, lab.NeedCluster} {
		switch need {
		case lab.NeedProxy:
			b.WriteString("Network, through the lab's proxies (every lab):\n")
		case lab.NeedServers:
			b.WriteString("The servers themselves (docker and local labs):\n")
		case lab.NeedHA:
			b.WriteString("The replicated stores (docker lab, lab up --topology ha):\n")
		case lab.NeedCluster:
			b.WriteString("The Redis Cluster (docker lab, lab up --topology cluster):\n")
		}
		var rows [][2]string
		for _, k := range lab.FaultCatalog() {
			if k.Needs == need {
				rows = append(rows, [2]string{k.Syntax, k.Help})
			}
		}
		b.WriteString(hangingList(rows, 25, helpWidth()))
	}
	return b.String()
}

func faultCmd(stdio Stdio) *cobra.Command {
	return group("fault", "break the running lab on purpose: fault inject, heal, list", faultLong,
		"fault: say what to do: 'cqrslab fault inject SPEC', 'fault heal KIND|all' or 'fault list'",
		"fault: unknown subcommand %q; use 'fault inject', 'fault heal' or 'fault list'",
		faultChangeCmd(stdio, "inject"), faultChangeCmd(stdio, "heal"), faultListCmd(stdio))
}

// faultLab finds the running lab to drive: the newest, or the one whose run
// ID starts with id.
func faultLab(id string) (lab.Info, error) {
	labs := runningLabs()
	if len(labs) == 0 {
		return lab.Info{}, errNoLab
	}
	if id == "" {
		return labs[0], nil
	}
	for _, info := range labs {
		if strings.HasPrefix(info.RunID, id) {
			return info, nil
		}
	}
	return lab.Info{}, usagef("--lab %q: no running lab has that run ID (see 'cqrslab lab status')", id)
}

func faultClient(id string) (lab.Info, *lab.ControlClient, error) {
	info, err := faultLab(id)
	if err != nil {
		return info, nil, err
	}
	c, err := lab.NewControlClient(info)
	return info, c, err
}

func faultChangeCmd(stdio Stdio, op string) *cobra.Command {
	c := leaf(op+" SPEC [--lab ID] [--json]\n\n"+faultLong, "break the running lab (see the kinds in 'cqrslab fault --help')")
	c.Args, c.ValidArgsFunction = cobra.ArbitraryArgs, completeFaultSpecs
	if op == "heal" {
		c = leaf(op+" KIND|all [--lab ID] [--json]", "remove a fault (or all of them)")
		c.Args, c.ValidArgsFunction = cobra.ArbitraryArgs, completeFaultKinds
	}
	fs := c.Flags()
	labID := fs.String("lab", "", "run ID of the lab (default: the newest running one)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	c.RegisterFlagCompletionFunc("lab", completeLabs)
	c.RunE = func(c *cobra.Command, pos []string) error {
		return runFaultChange(c.Context(), stdio, op, pos, *labID, *asJSON)
	}
	return c
}

func runFaultChange(ctx context.Context, stdio Stdio, op string, pos []string, labID string, asJSON bool) error {
	name := "fault " + op
	if len(pos) != 1 {
		what, example := "fault", "a fault, e.g. latency=50ms"
		if op == "heal" {
			what, example = "kind", "a kind, e.g. latency, or all"
		}
		if len(pos) == 0 {
			return usagef("%s: say which: %s (run 'cqrslab fault --help')", name, example)
		}
		return usagef("%s: one %s at a time; got %q", name, what, strings.Join(pos, " "))
	}
	spec := pos[0]
	// Checked here first, so a typo is a usage error without a round trip.
	if op == "inject" {
		if _, err := lab.ParseFault(spec); err != nil {
			return usagef("%s: %v", name, err)
		}
	} else if spec != "all" {
		if _, err := lab.ParseFaultKind(spec); err != nil {
			return usagef("%s: %v", name, err)
		}
	}
	_, c, err := faultClient(labID)
	if err != nil {
		return err
	}
	var res lab.ControlResult
	if op == "inject" {
		res, err = c.Inject(ctx, spec)
	} else {
		res, err = c.Heal(ctx, spec)
	}
	if err != nil {
		if errors.Is(err, lab.ErrBadFault) {
			return usagef("%s: %v", name, err)
		}
		return err
	}
	if asJSON {
		return json.NewEncoder(stdio.Out).Encode(res)
	}
	verb := "Injected"
	if op == "heal" {
		verb = "Healed"
	}
	fmt.Fprintf(stdio.Out, "%s %s in %.1f ms.\n", verb, spec, res.TookMS)
	printActive(stdio, res.Active)
	return nil
}

func printActive(stdio Stdio, active []lab.Fault) {
	if len(active) == 0 {
		fmt.Fprintln(stdio.Out, "No fault is active.")
		return
	}
	fmt.Fprintln(stdio.Out, "Active faults:")
	for _, f := range active {
		line := fmt.Sprintf("  %-32s on %-8s", f.String(), f.Target)
		if f.Toxic != "" {
			line += " toxic " + f.Toxic
		}
		if !f.Since.IsZero() {
			line += fmt.Sprintf(" for %s", time.Since(f.Since).Round(100*time.Millisecond))
		}
		fmt.Fprintln(stdio.Out, strings.TrimRight(line, " "))
	}
}

func faultListCmd(stdio Stdio) *cobra.Command {
	c := leaf("list [--lab ID] [--json]", "active faults, and which kinds this lab can do")
	fs := c.Flags()
	labID := fs.String("lab", "", "run ID of the lab (default: the newest running one)")
	asJSON := fs.Bool("json", false, "print the active faults and the kinds as JSON")
	c.RegisterFlagCompletionFunc("lab", completeLabs)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		info, c, err := faultClient(*labID)
		if err != nil {
			return err
		}
		st, err := c.Status(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(stdio.Out)
			enc.SetIndent("", "  ")
			return enc.Encode(st)
		}
		fmt.Fprintf(stdio.Out, "Lab %s (%s)\n", info.RunID, info.Provider)
		printActive(stdio, st.Active)
		var avail []string
		var unavail []lab.KindStatus
		for _, k := range st.Kinds {
			if k.Available {
				avail = append(avail, string(k.Kind))
			} else {
				unavail = append(unavail, k)
			}
		}
		fmt.Fprintf(stdio.Out, "Available: %s\n", strings.Join(avail, " "))
		for _, k := range unavail {
			fmt.Fprintf(stdio.Out, "Unavailable: %s (%s)\n", k.Kind, k.Reason)
		}
		return nil
	}
	return c
}
