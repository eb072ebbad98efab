package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"cqrslab/demo"
	"cqrslab/internal/bench"
)

func benchCmd(stdio Stdio) *cobra.Command {
	c := leaf("bench [--json] [--iterations N] [infra flags]", "measure the dual write and the read path against their floors")
	fs := c.Flags()
	asJSON := fs.Bool("json", false, "print the report as JSON")
	iters := fs.Int("iterations", 1000, "measured iterations per operation")
	warmup := fs.Int("warmup", 100, "unmeasured warm-up iterations per operation")
	capacity := fs.Bool("capacity", false, "instead: find each policy's highest open-loop write rate with p99 under 10 ms and nothing lost, beside the raw floor's (about a minute per policy)")
	capStep := fs.Duration("capacity-step", 2*time.Second, "how long --capacity holds each rate")
	capP99 := fs.Duration("capacity-p99", 10*time.Millisecond, "the p99 a rate must stay under for --capacity "+
		"(on a loaded machine one scheduling stall passes 10 ms; a larger limit still ranks the subjects)")
	infra := addInfraFlags(c)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		if *iters < 10 || *iters > 1_000_000 {
			return usagef("bench: --iterations %d is out of range; use 10 to 1000000", *iters)
		}
		if *warmup < 0 {
			return usagef("bench: --warmup %d is negative", *warmup)
		}
		if *capStep < 500*time.Millisecond || *capStep > time.Minute {
			return usagef("bench: --capacity-step %v is out of range; use 500ms to 1m", *capStep)
		}
		if *capP99 < time.Millisecond || *capP99 > 10*time.Second {
			return usagef("bench: --capacity-p99 %v is out of range; use 1ms to 10s", *capP99)
		}
		opts, err := infra.options()
		if err != nil {
			return err
		}
		st, err := connectCurrent(ctx, stdio.Err)
		if errors.Is(err, errNoLab) {
			// No running lab: start one just for this run, and remove it after.
			fmt.Fprintln(stdio.Err, "No running lab; starting one for this run...")
			l, err := startLab(ctx, stdio, opts)
			if err != nil {
				return err
			}
			defer l.Close()
			cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			if st, err = demo.Connect(cctx, l.Info); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		defer st.Close()
		if *capacity {
			return runCapacity(ctx, stdio, st, bench.CapacityConfig{Step: *capStep, P99Limit: *capP99}, *asJSON)
		}
		fmt.Fprintf(stdio.Err, "Measuring %d iterations of each operation (interleaved)...\n", *iters)
		r, err := bench.Run(ctx, st, bench.Config{Iterations: *iters, Warmup: *warmup})
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(stdio.Out)
			enc.SetIndent("", "  ")
			return enc.Encode(r)
		}
		tw := tabwriter.NewWriter(stdio.Out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "operation\tp50 µs\tp99 µs\t")
		row := func(name string, p50, p99 float64) { fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t\n", name, p50, p99) }
		row("raw INSERT (PostgreSQL)", r.Floor.InsertP50, r.Floor.InsertP99)
		row("raw ZADD (Redis)", r.Floor.ZAddP50, r.Floor.ZAddP99)
		row("INSERT then ZADD (floor)", r.Floor.SequentialP50, r.Floor.SequentialP99)
		row("engine CreatePost", r.Engine.CreatePostP50, r.Engine.CreatePostP99)
		row("raw ZREVRANGE 0 19 (floor)", r.Floor.ZRevRangeP50, r.Floor.ZRevRangeP99)
		row("engine GetFeed", r.Engine.GetFeedP50, r.Engine.GetFeedP99)
		row("SQL join (indexed)", r.Floor.SQLJoinP50, r.Floor.SQLJoinP99)
		if d := r.FloorDirect; d.SequentialP50 > 0 {
			row("servers' own address: INSERT", d.InsertP50, d.InsertP99)
			row("servers' own address: ZADD", d.ZAddP50, d.ZAddP99)
			row("servers' own address: INSERT then ZADD", d.SequentialP50, d.SequentialP99)
			row("servers' own address: ZREVRANGE 0 19", d.ZRevRangeP50, d.ZRevRangeP99)
			row("servers' own address: SQL join", d.SQLJoinP50, d.SQLJoinP99)
		}
		tw.Flush()
		fmt.Fprintf(stdio.Out, "\nCreatePost / floor: %.2f×   GetFeed / floor: %.2f×   GetFeed is %.2f× faster than the SQL join\n",
			r.Ratios.CreatePostVsFloor, r.Ratios.GetFeedVsFloor, r.Ratios.ReadSpeedupVsSQL)
		if r.FloorDirect.SequentialP50 > 0 {
			fmt.Fprintf(stdio.Out, "Against the servers themselves (engine path: %s): CreatePost %.2f×   GetFeed %.2f×   "+
				"the servers read %.2f× faster from Redis than by the SQL join\n",
				r.EnginePath, r.Ratios.CreatePostVsDirect, r.Ratios.GetFeedVsDirect, r.Ratios.ReadSpeedupDirect)
		}
		if len(r.Hops) > 0 {
			keys := slices.Sorted(maps.Keys(r.Hops))
			fmt.Fprint(stdio.Out, "Cost of each hop per round trip (p50):")
			for _, k := range keys {
				fmt.Fprintf(stdio.Out, "  %s %.0f µs", strings.TrimSuffix(k, "_us"), r.Hops[k])
			}
			fmt.Fprintln(stdio.Out)
		}
		return nil
	}
	return c
}

// runCapacity prints `bench --capacity`.
func runCapacity(ctx context.Context, stdio Stdio, st *demo.Stores, cfg bench.CapacityConfig, asJSON bool) error {
	fmt.Fprintf(stdio.Err, "Searching each policy's capacity (%v per rate, p99 under %v)...\n", cfg.Step, cfg.P99Limit)
	r, err := bench.Capacity(ctx, st, cfg)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdio.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return printCapacity(stdio.Out, r)
}

// printCapacity is the table of `bench --capacity`. A subject that failed
// even the first rate (both tries) gets no figure: a 0 would read as
// "takes no writes", where the search only learnt that its first rate
// failed, and why (on a loaded machine, one stall among a step's writes is
// its p99).
func printCapacity(w io.Writer, r *bench.CapacityReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "subject\thighest rate with p99 < %.0f ms, nothing lost (writes/s)\tconnections (PostgreSQL/Redis)\t\n", r.P99LimitMs)
	for _, c := range append([]bench.CapacityResult{r.Floor}, r.Policies...) {
		conns := fmt.Sprintf("%d/%d", c.Concurrency.PostgresConns, c.Concurrency.RedisPool)
		if c.MaxRate > 0 || len(c.Steps) == 0 {
			fmt.Fprintf(tw, "%s\t%.0f\t%s\t\n", c.Name, c.MaxRate, conns)
			continue
		}
		// The first rate's tries: the first, and its retry when there is one.
		var whys []string
		for i, s := range c.Steps {
			if i > 0 && (!s.Retry || s.Rate != c.Steps[0].Rate) {
				break
			}
			why := fmt.Sprintf("p99 %.1f ms", s.P99Ms)
			if s.Failed > 0 || s.Lost > 0 {
				why += fmt.Sprintf(", %d failed, %d lost", s.Failed, s.Lost)
			}
			if s.Achieved < 0.95*s.Rate {
				why += fmt.Sprintf(", %.0f/s achieved", s.Achieved)
			}
			whys = append(whys, why)
		}
		fmt.Fprintf(tw, "%s\tnone (%s at %.0f/s)\t%s\t\n", c.Name, strings.Join(whys, "; then "), c.Steps[0].Rate, conns)
	}
	return tw.Flush()
}
