// Command cqrslab is an interactive terminal lab for synchronous CQRS with
// two databases: PostgreSQL as the source of truth, Redis as the feed.
//
// With no arguments it opens the lesson in the terminal; subcommands run the
// same engine headless (see `cqrslab --help`). main only wires: it makes a
// context that SIGINT/SIGTERM/SIGHUP cancel, and that a failed write to
// stdout or stderr cancels too; runs the CLI; and makes sure every lab this
// process started is torn down on every way out, a panic included.
package main

import (
	"context"
	"errors"
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
	// By default Go dies of SIGPIPE when a write to stdout or stderr finds
	// the reader gone (`cqrslab lab up | tee log` after Ctrl-C, `cqrslab
	// experiment | head -1`), and then no deferred teardown runs: the
	// containers outlive us. Asking for SIGPIPE makes such a write return
	// EPIPE instead. The signal itself is not the trigger to stop: SIGPIPE
	// also comes from sockets (a peer Toxiproxy or a fault resets), which
	// must not end the lab. The trigger is the failed write to our own
	// stdout or stderr, seen by outputWriter, for any error, not EPIPE
	// alone (ignoring SIGPIPE instead would be inherited by the PostgreSQL
	// and Redis servers a local lab starts; a caught signal is not).
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "cqrslab: internal error: %v\n%s", r, debug.Stack())
			code = 70
		}
		if err := lab.CloseAll(); err != nil {
			fmt.Fprintf(os.Stderr, "cqrslab: tearing down the lab: %v (run `cqrslab cleanup`)\n", err)
		}
	}()
	stdio := cli.Stdio{In: os.Stdin,
		Out: &outputWriter{f: os.Stdout, name: "stdout", cancel: cancel},
		Err: &outputWriter{f: os.Stderr, name: "stderr", cancel: cancel}}
	code = cli.Main(ctx, os.Args[1:], stdio)
	var lost *outputError
	if errors.As(context.Cause(ctx), &lost) {
		// Output was lost: not a success, whatever the command thought.
		fmt.Fprintf(os.Stderr, "cqrslab: %v: stopped\n", lost)
		if code == 0 || code == 130 {
			code = 1
		}
	}
	return code
}

// outputError is why the context was cancelled when writing to stdout or
// stderr failed.
type outputError struct {
	name string
	err  error
}

func (e *outputError) Error() string { return "writing to " + e.name + ": " + e.err.Error() }
func (e *outputError) Unwrap() error { return e.err }

// outputWriter is stdout or stderr: the first write that fails cancels the
// command's context, so a reader that went away (a closed pipe) stops the
// command and lets it tear its lab down, instead of killing the process
// (SIGPIPE) or leaving it running for nobody.
type outputWriter struct {
	f      *os.File
	name   string
	cancel context.CancelCauseFunc
}

func (w *outputWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		w.cancel(&outputError{name: w.name, err: err})
	}
	return n, err
}

// Fd lets the CLI ask whether the stream is a terminal (for colour, widths
// and progress lines), as it could of the *os.File.
func (w *outputWriter) Fd() uintptr { return w.f.Fd() }

// Read and Close complete the file interface (term.File) that colour
// detection asks for before it looks at Fd: without them fang's help and
// errors would never be styled, even on a terminal. The stream is
// write-only, and closing it is main's business, never a library's.
func (w *outputWriter) Read([]byte) (int, error) { return 0, errWriteOnly }
func (w *outputWriter) Close() error             { return nil }

var errWriteOnly = errors.New("output stream is write-only")
