// Package cli is cqrslab's command line: the subcommands that run the engine
// headless, and the default that opens the TUI. Errors are mapped to exit
// codes here, at the edge: 2 for usage and bad input, 1 for everything else.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"cqrslab/demo"
)

// Stdio are the command's standard streams (tests pass buffers).
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// UsageError is a bad command line: an unknown command or flag, or a value
// that does not parse. It exits with status 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error { return &UsageError{Msg: fmt.Sprintf(format, args...)} }

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, io Stdio, args []string) error
}

func commands() []command {
	return []command{
		{"lab", "start a lab (lab up), or show the running one (lab status)", runLab},
		{"post", "create a post through the engine (post create)", runPost},
		{"feed", "read an author's feed from Redis (or --sql from PostgreSQL)", runFeed},
		{"fault", "break the running lab on purpose: fault inject, heal, list", runFault},
		{"reconcile", "check the feeds against PostgreSQL; --repair or --rebuild them", runReconcile},
		{"experiment", "run fault scenarios under load for each write policy, with JSON/CSV reports", runExperiment},
		{"bench", "measure the dual write and the read path against their floors", runBench},
		{"cleanup", "remove this state directory's labs (--all: every lab container)", runCleanup},
		{"export", "the lesson as markdown (export lesson) or as an AI prompt (export prompt)", runExport},
		{"doctor", "check this machine can run the lab, with the fix for each problem", runDoctor},
		{"prepare", "pull the images before a workshop, or --save/--load them as one archive", runPrepare},
		{"completion", "print a shell completion script (bash, zsh or fish)", runCompletion},
		{"version", "print the version, commit and Go version (also --version)", runVersion},
		{"quiz", "the try-it quiz headless: list, grade an answer, export scores, reset", runQuiz},
		{"tui", "open the interactive lesson (the default with no command)", runTUI},
	}
}

const mainUsage = `cqrslab — a lab for synchronous CQRS with two databases
(PostgreSQL is the source of truth; Redis holds the feed projection).

Usage:
  cqrslab                 open the interactive lesson
  cqrslab [flags]         the same, with --theme, --roomy… (cqrslab tui --help)
  cqrslab COMMAND [flags] run a command headless

Commands:
%s
Run 'cqrslab COMMAND --help' for a command's flags.
`

func printMainUsage(w io.Writer) {
	var b strings.Builder
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, mainUsage, b.String())
}

// Main runs the command line and returns the exit status.
func Main(ctx context.Context, args []string, stdio Stdio) int {
	err := dispatch(ctx, args, stdio)
	return report(err, stdio.Err)
}

func dispatch(ctx context.Context, args []string, stdio Stdio) error {
	if len(args) == 0 {
		return runTUI(ctx, stdio, nil)
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		printMainUsage(stdio.Out)
		return nil
	case "--version", "-version":
		fmt.Fprintln(stdio.Out, versionLine())
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, stdio, args[1:])
		}
	}
	if strings.HasPrefix(args[0], "-") {
		// Flags with no command are the TUI's (cqrslab --theme light).
		return runTUI(ctx, stdio, args)
	}
	return usagef("unknown command %q; run 'cqrslab --help' for the list", args[0])
}

// errHelpShown means --help was printed: success, nothing more to do.
var errHelpShown = errors.New("help shown")

func report(err error, w io.Writer) int {
	if err != nil {
		err = clippedError{err}
	}
	var ue *UsageError
	switch {
	case err == nil || errors.Is(err, errHelpShown):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(w, "cqrslab: %s\n", err)
		return 2
	case demo.IsInvalidInput(err):
		fmt.Fprintf(w, "cqrslab: %s\n", err)
		return 2
	case errors.As(err, new(errUnavailable)):
		fmt.Fprintf(w, "cqrslab: %s\n", err)
		return 3
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(w, "cqrslab: interrupted")
		return 130
	default:
		fmt.Fprintf(w, "cqrslab: %s\n", err)
		return 1
	}
}

// newFlags makes a flag set whose errors become UsageErrors and whose help
// goes to stdout.
func newFlags(name, usage string, stdio Stdio) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdio.Out, "Usage: cqrslab %s\n\nFlags:\n", usage)
		fs.SetOutput(stdio.Out)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parse parses flags, turning --help into errHelpShown and any other error
// into a UsageError that names the command. Positional arguments left over
// are refused unless allowArgs.
func parse(fs *flag.FlagSet, args []string, allowArgs bool) error {
	// flag.Parse prints the whole usage on any error; a typo deserves one
	// line naming it, so the usage is printed here, for --help only.
	usage := fs.Usage
	// --help anywhere asks for help, even where the flag before it takes a
	// value (`prepare --load --help` would read "--help" as a file name).
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			usage()
			return errHelpShown
		}
	}
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
			return errHelpShown
		}
		return usagef("%s: %v (run 'cqrslab %s --help')", fs.Name(), err, fs.Name())
	}
	if !allowArgs && fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q (run 'cqrslab %s --help')", fs.Name(), fs.Arg(0), fs.Name())
	}
	return nil
}

// clippedError shortens a huge message (a 70 KB value echoed back by some
// layer) to its start and end, which hold what went wrong and the advice,
// keeping errors.Is and errors.As working.
type clippedError struct{ err error }

const maxMessage = 2048

func (e clippedError) Error() string {
	msg := e.err.Error()
	if len(msg) <= maxMessage {
		return msg
	}
	head, tail := maxMessage/2, len(msg)-maxMessage/4
	for head > 0 && !utf8.RuneStart(msg[head]) {
		head--
	}
	for tail < len(msg) && !utf8.RuneStart(msg[tail]) {
		tail++
	}
	return fmt.Sprintf("%s…[%d bytes cut]…%s", msg[:head], tail-head, msg[tail:])
}

func (e clippedError) Unwrap() error { return e.err }
