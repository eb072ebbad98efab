// Package cli is cqrslab's command line: the subcommands that run the engine
// headless, and the default that opens the TUI. The commands are cobra
// commands run through fang (styled help and errors, --version); errors are
// mapped to exit codes here, at the edge: 2 for usage and bad input, 3 when
// something was unavailable, 1 for everything else.
package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

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

// commands are the subcommands, in the order the main help lists them.
// Each file builds its own command (and subcommands) with its flags, so a
// new flag is one line in that command's file.
func commands(stdio Stdio) []*cobra.Command {
	return []*cobra.Command{
		labCmd(stdio),
		postCmd(stdio),
		feedCmd(stdio),
		faultCmd(stdio),
		reconcileCmd(stdio),
		experimentCmd(stdio),
		benchCmd(stdio),
		cleanupCmd(stdio),
		exportCmd(stdio),
		doctorCmd(stdio),
		prepareCmd(stdio),
		completionCmd(stdio),
		manCmd(stdio),
		versionCmd(stdio),
		quizCmd(stdio),
		tuiCmd(stdio),
	}
}

const mainLong = `cqrslab — a lab for synchronous CQRS with two databases
(PostgreSQL is the source of truth; Redis holds the feed projection).

With no command it opens the interactive lesson (the flags below are the
lesson's: --theme, --roomy…); a command runs the same engine headless.
Run 'cqrslab COMMAND --help' for a command's flags.`

// newRoot builds the whole command tree for one run.
func newRoot(stdio Stdio) *cobra.Command {
	root := &cobra.Command{
		Use:   "cqrslab [command] [flags]",
		Short: "a lab for synchronous CQRS with PostgreSQL and Redis",
		Long:  mainLong,
		// Positional words that are not a command are typos of one.
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			return usagef("unknown command %q; run 'cqrslab --help' for the list%s", args[0], suggest(c, args[0]))
		},
	}
	tf := addTUIFlags(root)
	root.RunE = func(c *cobra.Command, _ []string) error { return runTUI(c.Context(), tf) }
	root.SetFlagErrorFunc(flagError)
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(commands(stdio)...)
	addSynopses(root)
	root.SetIn(orReader(stdio.In))
	root.SetOut(stdio.Out)
	root.SetErr(stdio.Err)
	return root
}

func orReader(r io.Reader) io.Reader {
	if r == nil {
		return strings.NewReader("")
	}
	return r
}

// Main runs the command line and returns the exit status.
func Main(ctx context.Context, args []string, stdio Stdio) int {
	if stdio.Out == nil {
		stdio.Out = io.Discard
	}
	if stdio.Err == nil {
		stdio.Err = io.Discard
	}
	root := newRoot(stdio)
	args = normalizeArgs(root, args)
	if showsHelp(args) {
		wrapHelp(root, helpWidth())
		// Help to a file or a pipe is collected and written once fang is
		// done, with fang's padding taken off the end of each line.
		if !isTerminal(stdio.Out) {
			var help bytes.Buffer
			root.SetOut(&help)
			defer func() { stdio.Out.Write(trimTrailingSpace(help.Bytes())) }()
		}
	}
	root.SetArgs(args)
	err := fang.Execute(ctx, root,
		fang.WithVersion(versionLine()),
		// Our own completion and man commands: their output goes to the
		// command's stdout (fang's man page writes to os.Stdout) and the
		// completion command takes exactly the shells we test.
		fang.WithoutCompletions(),
		fang.WithoutManpage(),
		fang.WithErrorHandler(func(w io.Writer, st fang.Styles, err error) {
			printError(w, st, err, isTerminal(stdio.Err))
		}))
	return exitCode(err)
}

// normalizeArgs keeps two promises of the command line cobra does not:
// --help asks for help wherever it comes, even after a flag that takes a
// value (`prepare --load --help` would read "--help" as the archive's
// name), and the single-dash long flags the stdlib flag package accepted
// (-json, -version) still work.
func normalizeArgs(root *cobra.Command, args []string) []string {
	if len(args) > 0 && strings.HasPrefix(args[0], cobra.ShellCompRequestCmd) {
		return args // the shells' completion requests, verbatim
	}
	cmd, _, err := root.Find(args)
	if err != nil || cmd == nil {
		cmd = root
	}
	out := make([]string, 0, len(args))
	takesValue := false // the previous word was a flag waiting for its value
	for i, a := range args {
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		if a == "--help" || a == "-h" || a == "-help" {
			return append(strings.Fields(cmd.CommandPath())[1:], "--help")
		}
		if !takesValue {
			a = doubleDash(cmd, a)
		}
		takesValue = false
		if name, ok := strings.CutPrefix(a, "--"); ok && !strings.Contains(name, "=") {
			if f := cmd.Flags().Lookup(name); f != nil && f.NoOptDefVal == "" {
				takesValue = true
			}
		}
		out = append(out, a)
	}
	return out
}

// doubleDash turns -name into --name when name is one of cmd's long flags
// (or help, or version at the top).
func doubleDash(cmd *cobra.Command, a string) string {
	if !strings.HasPrefix(a, "-") || strings.HasPrefix(a, "--") || len(a) < 3 {
		return a
	}
	name, _, _ := strings.Cut(a[1:], "=")
	if name == "help" || (name == "version" && !cmd.HasParent()) || cmd.Flags().Lookup(name) != nil {
		return "-" + a
	}
	return a
}

// flagError makes every flag-parsing error a usage error that names the
// command and where its flags are listed.
func flagError(c *cobra.Command, err error) error {
	msg := err.Error()
	var bad *pflag.InvalidValueError
	if errors.As(err, &bad) {
		f, dashed := bad.GetFlag(), "--"+bad.GetFlag().Name
		if len(f.Name) == 1 {
			dashed = "-" + f.Name // feed -n
		}
		msg = fmt.Sprintf("invalid value %q for %s: %s", bad.GetValue(), dashed, wantFor(f.Value.Type()))
	}
	return usagef("%s%s (run '%s --help')", prefix(c), msg, c.CommandPath())
}

// wantFor says what a flag of a pflag type accepts.
func wantFor(typ string) string {
	switch typ {
	case "bool":
		return "give true or false (or just the flag for true)"
	case "duration":
		return "give a duration such as 500ms, 2s or 1m30s"
	case "int", "int64", "uint":
		return "give a whole number"
	case "float64":
		return "give a number"
	}
	return "see the flag's description"
}

// prefix is "lab up: " for a subcommand, "" at the top.
func prefix(c *cobra.Command) string {
	if !c.HasParent() {
		return ""
	}
	_, path, _ := strings.Cut(c.CommandPath(), " ")
	return path + ": "
}

// suggest is " (did you mean 'x'?)" when cobra finds a near name.
func suggest(c *cobra.Command, typed string) string {
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2 // cobra's default, set only on its own path
	}
	if s := c.SuggestionsFor(typed); len(s) > 0 {
		return fmt.Sprintf(" (did you mean '%s'?)", s[0])
	}
	return ""
}

// noArgs refuses positional arguments, naming the first.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%sunexpected argument %q (run '%s --help')", prefix(c), args[0], c.CommandPath())
	}
	return nil
}

// group is a command that only holds subcommands: run alone it says what
// to do (missing), and a word that is not a subcommand is refused with
// unknownFmt (which gets the word).
func group(use, short, long, missing, unknownFmt string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{Use: use, Short: short, Long: long,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("%s", missing)
			}
			return usagef(unknownFmt+"%s", args[0], suggest(c, args[0]))
		}}
	c.AddCommand(subs...)
	return c
}

// exitCode maps an error to the exit status.
func exitCode(err error) int {
	var ue *UsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue), demo.IsInvalidInput(err), isCobraUsage(err):
		return 2
	case errors.As(err, new(errUnavailable)):
		return 3
	case errors.Is(err, context.Canceled):
		return 130
	default:
		return 1
	}
}

// isCobraUsage recognises the few usage errors cobra makes itself (a
// command's Args are ours, so these are rare: `help` with a bad topic).
func isCobraUsage(err error) bool {
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument"} {
		if strings.HasPrefix(err.Error(), p) {
			return true
		}
	}
	return false
}

// errorLine is the one line an error prints as: "cqrslab: what went wrong".
func errorLine(err error) string {
	if exitCode(err) == 130 {
		return "cqrslab: interrupted"
	}
	return "cqrslab: " + clippedError{err}.Error()
}

// report prints err as one line and returns the exit status.
func report(err error, w io.Writer) int {
	if err != nil {
		fmt.Fprintln(w, errorLine(err))
	}
	return exitCode(err)
}

// printError is fang's error handler: the plain line when stderr is not a
// terminal (logs, tests and scripts read it), fang's styled block on one.
// A usage error already names the --help to run, so no "Try --help" line.
func printError(w io.Writer, st fang.Styles, err error, tty bool) {
	if !tty {
		fmt.Fprintln(w, errorLine(err))
		return
	}
	fmt.Fprintln(w, st.ErrorHeader.String())
	// Unset: fang title-cases the first word, which mangles a flag name.
	fmt.Fprintln(w, st.ErrorText.UnsetTransform().Render(strings.TrimPrefix(errorLine(err), "cqrslab: ")))
	fmt.Fprintln(w)
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

// leaf makes a command from its usage text: the first line is what to
// type (after "cqrslab"'s parent words), the paragraphs after it become the
// help's description. It takes no positional arguments unless told.
func leaf(usage, short string) *cobra.Command {
	line, long, _ := strings.Cut(usage, "\n\n")
	return &cobra.Command{Use: useOf(line), Short: short, Long: long, Args: noArgs,
		Annotations: map[string]string{synopsisKey: line}}
}

// synopsisKey annotates a command with its synopsis line, shown as the
// help's example once the command knows its parents (see addSynopses).
const synopsisKey = "cqrslab.synopsis"

// useOf is the name and positional words of a synopsis ("inject SPEC"),
// for cobra's Use: the flags are listed under it, and the command lists
// stay one short line per command.
func useOf(line string) string {
	var out []string
	depth, prevFlag := 0, false
	for i, w := range strings.Fields(line) {
		top := depth == 0 && !strings.HasPrefix(w, "[")
		depth += strings.Count(w, "[") - strings.Count(w, "]")
		isFlag := strings.HasPrefix(w, "-")
		if i == 0 || (top && !isFlag && !prevFlag && w != "|") {
			out = append(out, w)
		}
		prevFlag = isFlag && !strings.Contains(w, "=")
	}
	return strings.Join(out, " ")
}

// addSynopses sets each command's example to its full synopsis, now that
// the command's place in the tree is known.
func addSynopses(c *cobra.Command) {
	if line := c.Annotations[synopsisKey]; line != "" && c.Example == "" {
		c.Example = strings.TrimSpace(c.Parent().CommandPath() + " " + line)
	}
	for _, sub := range c.Commands() {
		addSynopses(sub)
	}
}
