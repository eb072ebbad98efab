package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"cqrslab/demo/lab"
)

// The connection commands as a learner copies them off the screen: at 80
// and 100 columns (less the indent) no word is ever split, every broken
// line ends in a shell continuation, and the lines joined are the command
// the copy key copies.
func TestConnectionCommandsWrapBetweenWords(t *testing.T) {
	pw := lab.RandomPassword()
	info := lab.Info{Provider: lab.Docker,
		Postgres: lab.PostgresInfo{Host: "127.0.0.1", Port: 55432, User: "cqrslab", Password: pw, Database: "cqrslab"},
		Redis:    lab.RedisInfo{Addr: "127.0.0.1:56379", Password: pw}}
	cmds := ConnectCommands(info)
	for _, w := range []int{80, 100} {
		out := ansi.Strip(ConnectionLines(ThemeStyles(ThemeDark, true), info, w))
		lines := strings.Split(out, "\n")[1:]
		var joined []string
		cur := ""
		for _, l := range lines {
			if ansi.StringWidth(l) > w {
				t.Errorf("%d columns: line wider than the screen: %q", w, l)
			}
			l = strings.TrimSpace(l)
			if c, ok := strings.CutSuffix(l, " \\"); ok {
				cur += c + " "
				continue
			}
			joined = append(joined, cur+l)
			cur = ""
		}
		if len(joined) != 2 || joined[0] != cmds[0] || joined[1] != cmds[1] {
			t.Errorf("%d columns: the lines joined give %q, want %q\n%s", w, joined, cmds, out)
		}
		for _, word := range []string{"PGPASSWORD=" + pw, "REDISCLI_AUTH=" + pw, "127.0.0.1", "55432", "56379"} {
			if !strings.Contains(out, word) {
				t.Errorf("%d columns: %q is split across lines:\n%s", w, word, out)
			}
		}
	}
	if !strings.Contains(cmds[0], "psql -h 127.0.0.1 -p 55432 -U cqrslab cqrslab") {
		t.Errorf("psql command %q", cmds[0])
	}
}

// A word wider than the line (an external server's DSN) is the one thing
// cut, and only because nothing else fits.
func TestWrapCommandCutsOnlyAnOverlongWord(t *testing.T) {
	long := "postgres://u:" + strings.Repeat("p", 90) + "@db:5432/x"
	lines := wrapCommand([]string{"psql", long}, 60)
	for _, l := range lines {
		if ansi.StringWidth(l) > 60 {
			t.Errorf("line wider than 60: %q", l)
		}
	}
	if lines[0] != "psql \\" {
		t.Errorf("first line %q: the command should break before the long word", lines[0])
	}
}
