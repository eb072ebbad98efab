package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"cqrslab/demo"
	"cqrslab/demo/lab"
)

func labCmd(stdio Stdio) *cobra.Command {
	return group("lab", "start a lab (lab up), or show the running one (lab status)", "",
		"lab: say what to do: 'cqrslab lab up' or 'cqrslab lab status'",
		"lab: unknown subcommand %q; use 'lab up' or 'lab status'",
		labUpCmd(stdio), labStatusCmd(stdio))
}

func labUpCmd(stdio Stdio) *cobra.Command {
	c := leaf(`up [flags]

Starts PostgreSQL and Redis, prints how to reach them, and runs until Ctrl-C.
--toxiproxy-api 127.0.0.1:8474 serves Toxiproxy's API; --schedule runs faults;
'cqrslab fault' drives faults from another terminal.`, "start PostgreSQL and Redis, print how to reach them, run until Ctrl-C")
	fs := c.Flags()
	infra := addInfraFlags(c)
	infra.addTopologyFlag(c)
	toxiAPI := fs.String("toxiproxy-api", "", "serve Toxiproxy's HTTP API on this loopback HOST:PORT "+
		"(e.g. 127.0.0.1:8474), so toxiproxy-cli and Toxiproxy clients can drive the lab's network faults")
	schedule := fs.String("schedule", "", "run faults on a timeline from the moment the lab is up: "+lab.ScheduleSyntax)
	c.RunE = func(c *cobra.Command, _ []string) error {
		return runLabUp(c.Context(), stdio, infra, *toxiAPI, *schedule)
	}
	return c
}

func runLabUp(ctx context.Context, stdio Stdio, infra *infraFlags, toxiAPI, schedule string) error {
	opts, err := infra.options()
	if err != nil {
		return err
	}
	if toxiAPI != "" {
		if err := lab.ValidateLoopbackAddr(toxiAPI); err != nil {
			return usagef("--toxiproxy-api: %v", err)
		}
		opts.ToxiproxyAPI = toxiAPI
	}
	var timeline []lab.ScheduledFault
	if schedule != "" {
		if timeline, err = lab.ParseSchedule(schedule); err != nil {
			return usagef("--schedule: %v", err)
		}
	}
	// Fault events print from other goroutines: one writer at a time.
	out := &lockedWriter{w: stdio.Out}
	stdio.Out = out
	fmt.Fprintf(stdio.Out, "Starting the lab (%s)...\n", opts.Provider)
	began := time.Now()
	l, err := startLab(ctx, stdio, opts)
	if err != nil {
		return err
	}
	defer func() {
		l.SetFaultObserver(nil)
		fmt.Fprintln(stdio.Out, "Tearing the lab down...")
		if err := l.Close(); err != nil {
			fmt.Fprintf(stdio.Err, "cqrslab: tearing down: %v (run `cqrslab cleanup`)\n", err)
		} else {
			fmt.Fprintln(stdio.Out, "Lab removed; nothing left running.")
		}
	}()
	// `cqrslab fault` in another terminal drives this lab's faults through
	// a small control API; its address and token go into the 0600 record.
	if err := l.ServeControl("127.0.0.1:0"); err != nil {
		return err
	}
	path, err := recordLab(l.CurrentInfo())
	if err != nil {
		return err
	}
	var (
		recordMu sync.Mutex
		ending   bool
	)
	defer func() {
		recordMu.Lock()
		ending = true
		os.Remove(path)
		recordMu.Unlock()
	}()
	l.SetFaultObserver(func(ev lab.FaultEvent) {
		fmt.Fprintln(stdio.Out, describeFaultEvent(ev))
		// A restarted server has a new direct address: keep the record
		// true (and never write it again once it is removed).
		recordMu.Lock()
		defer recordMu.Unlock()
		if !ending {
			_, _ = recordLab(l.CurrentInfo())
		}
	})

	info := l.CurrentInfo()
	// The ready time (both servers answering, proxies and schema in place)
	// is the figure issue 13's 2 s target is checked by.
	fmt.Fprintf(stdio.Out, "\nLab %s is up (%s), ready in %.1fs.\n\n", l.RunID, l.Provider, time.Since(began).Seconds())
	printConnections(stdio, info)
	fmt.Fprintf(stdio.Out, "\nIn another terminal:\n"+
		"  cqrslab post create --author alice --title 'Hello'\n"+
		"  cqrslab feed --author alice        (Redis)\n"+
		"  cqrslab feed --author alice --sql  (PostgreSQL join)\n")
	printFaultHelp(stdio, l, info)
	fmt.Fprintf(stdio.Out, "\nPress Ctrl-C to stop the lab and remove it.\n")
	if timeline != nil {
		go func() {
			err := l.RunSchedule(ctx, time.Now(), timeline, func(s string) { fmt.Fprintln(stdio.Out, "schedule: "+s) })
			if err != nil && ctx.Err() == nil {
				fmt.Fprintf(stdio.Err, "cqrslab: schedule: %v\n", err)
			}
		}()
	}
	<-ctx.Done()
	return nil
}

// printFaultHelp shows how to break this lab from another terminal.
func printFaultHelp(stdio Stdio, l *lab.Lab, info lab.Info) {
	if info.Topology == lab.TopologyHA {
		printHAFaultHelp(stdio)
		return
	}
	if info.Topology == lab.TopologyCluster {
		printClusterFaultHelp(stdio, info)
		return
	}
	// The other kinds come from the fault registry, so a kind added there
	// shows here too (but not the ha kinds, which this topology refuses).
	var others []string
	for _, k := range lab.FaultCatalog() {
		if k.Kind != lab.FaultLatency && k.Needs != lab.NeedHA && k.Needs != lab.NeedCluster {
			others = append(others, k.Example)
		}
	}
	// Wrapped under the parenthesis, so the hint stays within 100 columns.
	list, line := "", ""
	for i, o := range others {
		if i < len(others)-1 {
			o += ","
		}
		if line != "" && len(line)+1+len(o) > 60 {
			list += line + "\n" + strings.Repeat(" ", 39)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += o
	}
	list += line
	fmt.Fprintf(stdio.Out, "\nBreak it on purpose (from another terminal):\n"+
		"  cqrslab fault inject latency=50ms   (%s)\n"+
		"  cqrslab fault list\n"+
		"  cqrslab fault heal latency          (or: cqrslab fault heal all)\n", list)
	var unavailable []string
	for _, k := range l.Kinds() {
		if !k.Available {
			unavailable = append(unavailable, string(k.Kind))
		}
	}
	if len(unavailable) > 0 {
		fmt.Fprintf(stdio.Out, "  Unavailable in this lab: %s (see 'cqrslab fault list').\n", strings.Join(unavailable, ", "))
	}
	if info.ToxiproxyAPI != "" {
		fmt.Fprintf(stdio.Out, "  Toxiproxy API: http://%s (proxies \"redis\" and \"postgres\"):\n"+
			"    toxiproxy-cli --host http://%s toxic add -t latency -a latency=100 redis\n",
			info.ToxiproxyAPI, info.ToxiproxyAPI)
	}
}

// describeFaultEvent is one line of `lab up`'s output for a fault change.
func describeFaultEvent(ev lab.FaultEvent) string {
	var b strings.Builder
	b.WriteString("fault: ")
	spec := ev.Fault.String()
	if ev.Fault.Kind == lab.FaultAll {
		spec = "all"
	}
	switch ev.Action {
	case lab.ActionInject:
		fmt.Fprintf(&b, "injected %s in %s", spec, ev.Took.Round(100*time.Microsecond))
	case lab.ActionHeal:
		fmt.Fprintf(&b, "healed %s in %s", spec, ev.Took.Round(100*time.Microsecond))
		if ev.Detail != "" {
			b.WriteString(" (" + ev.Detail + ")")
		}
	case lab.ActionFailed:
		fmt.Fprintf(&b, "%s %s FAILED: %v", ev.Op, spec, ev.Err)
	case lab.ActionAPI:
		fmt.Fprintf(&b, "changed through the Toxiproxy API (%s)", ev.Detail)
	}
	var active []string
	for _, f := range ev.Active {
		active = append(active, f.String())
	}
	if len(active) == 0 {
		b.WriteString("; none active")
	} else {
		b.WriteString("; active: " + strings.Join(active, " "))
	}
	return b.String()
}

// lockedWriter serialises writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
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
	if d := info.Postgres.Direct(); d.DirectPort != 0 && d.DirectPort != info.Postgres.Port {
		fmt.Fprintf(stdio.Out, "              (through the lab's proxy; direct: %s:%d)\n", d.DirectHost, d.DirectPort)
	}
	fmt.Fprintf(stdio.Out, "  Redis:      %s\n", info.Redis.RedisCliCommand())
	if d := info.Redis.DirectAddr; d != "" && d != info.Redis.Addr {
		fmt.Fprintf(stdio.Out, "              (through the lab's proxy; direct: %s)\n", d)
	}
	printHAConnections(stdio, info)
	printClusterConnections(stdio, info)
	if info.Postgres.Schema != "public" {
		fmt.Fprintf(stdio.Out, "  Tables are in schema %q; keys start with %q.\n", info.Postgres.Schema, info.Redis.KeyPrefix)
	}
}

func labStatusCmd(stdio Stdio) *cobra.Command {
	c := leaf("status [--json]", "show the running labs")
	asJSON := c.Flags().Bool("json", false, "print the running labs as JSON")
	c.RunE = func(*cobra.Command, []string) error { return runLabStatus(stdio, *asJSON) }
	return c
}

func runLabStatus(stdio Stdio, asJSON bool) error {
	labs := runningLabs()
	if asJSON {
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
