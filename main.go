// Command cqrslab is an interactive terminal lab for synchronous CQRS with
// two databases: PostgreSQL as the source of truth, Redis as the feed.
//
// With no arguments it opens the lesson in the terminal; subcommands run the
// same engine headless (see `cqrslab --help`). main only wires: it makes a
// context that SIGINT/SIGTERM cancel, runs the CLI, and makes sure every lab
// this process started is torn down on every way out, a panic included.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"cqrslab/demo/lab"
	"cqrslab/internal/cli"
)

func main() {
	os.Exit(run())
}

func run() (code int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "cqrslab: internal error: %v\n%s", r, debug.Stack())
			code = 70
		}
		if err := lab.CloseAll(); err != nil {
			fmt.Fprintf(os.Stderr, "cqrslab: tearing down the lab: %v (run `cqrslab cleanup`)\n", err)
		}
	}()
	return cli.Main(ctx, os.Args[1:], cli.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
}
