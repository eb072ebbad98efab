package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"cqrslab/demo"
	"cqrslab/demo/lab"
)

const labUsage = `lab up [flags]        start PostgreSQL and Redis, print how to reach them, run until Ctrl-C
       cqrslab lab status [--json] show the running labs`

func runLab(ctx context.Context, stdio Stdio, args []string) error {
	if len(args) == 0 {
		return usagef("lab: say what to do: 'cqrslab lab up' or 'cqrslab lab status'")
	}
	switch args[0] {
	case "up":
		return runLabUp(ctx, stdio, args[1:])
	case "status":
		return runLabStatus(ctx, stdio, args[1:])
	case "-h", "--help", "-help", "help":
		fmt.Fprintf(stdio.Out, "Usage: cqrslab %s\n", labUsage)
		return nil
	}
	return usagef("lab: unknown subcommand %q; use 'lab up' or 'lab status'", args[0])
}

func runLabUp(ctx context.Context, stdio Stdio, args []string) error {
	fs := newFlags("lab up", "lab up [flags]", stdio)
	infra := addInfraFlags(fs)
	if err := parse(fs, args, false); err != nil {
		return err
	}
	opts, err := infra.options()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdio.Out, "Starting the lab (%s)...\n", opts.Provider)
	l, err := startLab(ctx, stdio, opts)
	if err != nil {
		return err
	}
	defer func() {
		fmt.Fprintln(stdio.Out, "Tearing the lab down...")
		if err := l.Close(); err != nil {
			fmt.Fprintf(stdio.Err, "cqrslab: tearing down: %v (run `cqrslab cleanup`)\n", err)
		} else {
			fmt.Fprintln(stdio.Out, "Lab removed; nothing left running.")
		}
	}()
	path, err := recordLab(l.Info)
	if err != nil {
		return err
	}
	defer os.Remove(path)

	fmt.Fprintf(stdio.Out, "\nLab %s is up (%s).\n\n", l.RunID, l.Provider)
	printConnections(stdio, l.Info)
	fmt.Fprintf(stdio.Out, "\nIn another terminal:\n"+
		"  cqrslab post create --author alice --title 'Hello'\n"+
		"  cqrslab feed --author alice        (Redis)\n"+
		"  cqrslab feed --author alice --sql  (PostgreSQL join)\n\n"+
		"Press Ctrl-C to stop the lab and remove it.\n")
	<-ctx.Done()
	return nil
}

// startLab starts a lab, printing a line per progress event, then applies
// the schema so the lab is ready for posts.
func startLab(ctx context.Context, stdio Stdio, opts lab.Options) (*lab.Lab, error) {
	l, err := lab.Start(ctx, opts, func(p lab.Progress) {
		fmt.Fprintf(stdio.Err, "  %-8s %-8s %5.1fs %s\n", p.Service, p.Phase, p.Elapsed.Seconds(), p.Detail)
	})
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := demo.Connect(sctx, l.Info)
	if err != nil {
		l.Close()
		return nil, err
	}
	st.Close()
	return l, nil
}

func printConnections(stdio Stdio, info lab.Info) {
	fmt.Fprintf(stdio.Out, "  PostgreSQL: %s\n", info.Postgres.PsqlCommand())
	fmt.Fprintf(stdio.Out, "  Redis:      %s\n", info.Redis.RedisCliCommand())
	if info.Postgres.Schema != "public" {
		fmt.Fprintf(stdio.Out, "  Tables are in schema %q; keys start with %q.\n", info.Postgres.Schema, info.Redis.KeyPrefix)
	}
}

func runLabStatus(ctx context.Context, stdio Stdio, args []string) error {
	fs := newFlags("lab status", "lab status [--json]", stdio)
	asJSON := fs.Bool("json", false, "print the running labs as JSON")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	labs := runningLabs()
	if *asJSON {
		if labs == nil {
			labs = []lab.Info{}
		}
		enc := json.NewEncoder(stdio.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(labs)
	}
	if len(labs) == 0 {
		fmt.Fprintln(stdio.Out, "No lab is running. Start one with: cqrslab lab up")
		return nil
	}
	for _, info := range labs {
		fmt.Fprintf(stdio.Out, "Lab %s (%s, pid %d, up %s)\n", info.RunID, info.Provider, info.PID,
			time.Since(info.Started).Round(time.Second))
		printConnections(stdio, info)
	}
	return nil
}
