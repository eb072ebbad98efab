package cli

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// fang's help lays commands and flags out in two columns but does not wrap
// the descriptions, so on an 80-column terminal (a projector's) each long
// one breaks at the screen's edge, back at column 0. wrapHelp breaks them
// at the width fang draws at, inside their column; fang keeps a
// multi-line description's later lines in the column. It is done only
// when help is about to be shown, because the same descriptions feed the
// shells' completion menus and the man page, which want one line (and
// a default too long for its line is moved into the description, which
// only help can afford).

// helpWidth is the width help is wrapped to: the terminal's, at most 120,
// or 80 when stdout is not a terminal (a file, a pager, a man-style
// listing pasted into a ticket), the width such text is read at.
func helpWidth() int {
	w, _, err := term.GetSize(os.Stdout.Fd())
	if err != nil || w <= 0 {
		return 80
	}
	return min(w, 120)
}

// showsHelp reports whether args ask for help rather than run a command.
func showsHelp(args []string) bool {
	return len(args) > 0 && (args[len(args)-1] == "--help" || args[0] == "help")
}

var bracketed = regexp.MustCompile(`\[.*\]`)

// wrapHelp wraps the descriptions of every command's subcommands and flags
// to fit width.
func wrapHelp(c *cobra.Command, width int) {
	const indent, gap, minText = 4, 2, 24
	var keys []int
	for _, sc := range c.Commands() {
		keys = append(keys, len(commandKey(sc)))
	}
	c.Flags().VisitAll(func(f *pflag.Flag) { keys = append(keys, len(flagKey(f))) })
	space := 10
	for _, k := range keys {
		space = max(space, k+gap)
	}
	room := max(minText, width-indent-space)
	for _, sc := range c.Commands() {
		sc.Short = wordWrap(sc.Short, room)
	}
	c.Flags().VisitAll(func(f *pflag.Flag) {
		def := 0
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
			def = utf8.RuneCountInString(f.DefValue) + 3 // fang adds " (default)"
		}
		usage := wordWrap(f.Usage, room)
		last := usage[strings.LastIndexByte(usage, '\n')+1:]
		if def == 0 || utf8.RuneCountInString(last)+def <= room {
			f.Usage = usage // fang adds the default on the last line
			return
		}
		// The default (an image name from the environment, say) does not
		// fit beside the description's last line. Left to fang it would
		// run past the width, or, after a line break, start a line of its
		// own one column right of the description (fang writes
		// " (default)"); so it is wrapped here as the description's last
		// words, and fang is given no default to add.
		f.Usage = wordWrap(f.Usage+" ("+f.DefValue+")", room)
		f.DefValue = ""
	})
	for _, sc := range c.Commands() {
		wrapHelp(sc, width)
	}
}

// commandKey is about what fang shows for a subcommand in a list.
func commandKey(c *cobra.Command) string {
	k := strings.TrimSpace(bracketed.ReplaceAllString(c.Use, ""))
	if c.HasAvailableSubCommands() {
		k += " [command]"
	}
	if c.HasAvailableFlags() {
		k += " [--flags]"
	}
	return k
}

// flagKey is what fang shows for a flag.
func flagKey(f *pflag.Flag) string {
	if f.Shorthand != "" {
		return "-" + f.Shorthand + " --" + f.Name
	}
	return "--" + f.Name
}

// wordWrap breaks s at spaces only, so a flag name (--infra) or a word
// with a hyphen (high-contrast) is never cut; a word longer than width
// gets a line of its own.
func wordWrap(s string, width int) string {
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		n := 0
		for j, w := range strings.Fields(line) {
			l := utf8.RuneCountInString(w)
			switch {
			case j == 0:
			case n+1+l > width:
				b.WriteByte('\n')
				n = 0
			default:
				b.WriteByte(' ')
				n++
			}
			b.WriteString(w)
			n += l
		}
	}
	return b.String()
}

// trimTrailingSpace removes the blanks at the end of every line of help.
// fang pads its styled blocks to the width it draws at, so help written to
// a file or a pipe would carry up to 120 columns of spaces per line.
func trimTrailingSpace(b []byte) []byte {
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return []byte(strings.Join(lines, "\n"))
}

// hangingList lays out name–description rows for a command's long help:
// names in a column keyWidth wide, descriptions wrapped to width with
// their later lines under the first. fang indents the long help by two
// columns, which is counted here.
func hangingList(rows [][2]string, keyWidth, width int) string {
	const fangIndent, indent = 2, 2
	room := max(24, width-fangIndent-indent-keyWidth-1)
	pad := strings.Repeat(" ", indent+keyWidth+1)
	var b strings.Builder
	for _, r := range rows {
		desc := strings.ReplaceAll(wordWrap(r[1], room), "\n", "\n"+pad)
		fmt.Fprintf(&b, "%*s%-*s %s\n", indent, "", keyWidth, r[0], desc)
	}
	return b.String()
}
