package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"cqrslab/demo/lab"
	"cqrslab/internal/atomicfile"
)

// ConnectFile is where the copy key saves the lab's connection commands,
// in the state directory (private: they hold the lab's passwords).
const ConnectFile = "connect.txt"

// shellWords are the units of a command line a learner pastes, each kept
// whole on screen: a flag stays with its value ("-p 55432").
func shellWords(assign, cmd string, args ...string) []string {
	var w []string
	if assign != "" {
		w = append(w, assign)
	}
	w = append(w, cmd)
	for i := 0; i < len(args); i++ {
		a := shellQuoteWord(args[i])
		if strings.HasPrefix(a, "-") && i+1 < len(args) {
			i++
			a += " " + shellQuoteWord(args[i])
		}
		w = append(w, a)
	}
	return w
}

// shellQuoteWord quotes a word for a POSIX shell when it has anything but
// the characters a host, port, user or hex password is made of.
func shellQuoteWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:/@=,+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// psqlWords reach the lab's PostgreSQL with the password in PGPASSWORD and
// the rest as short flags, so that no word is long enough to need breaking:
// the URL form (psql "postgres://…?sslmode=disable") is one word wider than
// an 80-column screen, and wrapped it pasted as two broken commands. An
// external server's DSN is kept as given.
func psqlWords(p lab.PostgresInfo) []string {
	if p.RawDSN != "" {
		return shellWords("", "psql", p.RawDSN)
	}
	return shellWords("PGPASSWORD="+shellQuoteWord(p.Password), "psql",
		"-h", p.Host, "-p", strconv.Itoa(p.Port), "-U", p.User, p.Database)
}

// redisWords reach the lab's Redis, the password in REDISCLI_AUTH (not -a:
// an argument shows in ps).
func redisWords(r lab.RedisInfo) []string {
	host, port, _ := strings.Cut(r.Addr, ":")
	assign := ""
	if r.Password != "" {
		assign = "REDISCLI_AUTH=" + shellQuoteWord(r.Password)
	}
	return shellWords(assign, "redis-cli", "-h", host, "-p", port)
}

// ConnectCommands are the two commands, one line each, as the copy key
// copies them and the file holds them.
func ConnectCommands(info lab.Info) []string {
	return []string{strings.Join(psqlWords(info.Postgres), " "), strings.Join(redisWords(info.Redis), " ")}
}

// wrapCommand lays a command's words out on lines of at most w cells,
// breaking only between words and ending each broken line with " \", so
// that the lines pasted together are still the one command. A word wider
// than a line (an external DSN) is the only thing ever cut, and the copy
// key is there for it.
func wrapCommand(words []string, w int) []string {
	const cont = " \\"
	var lines []string
	line := ""
	for _, word := range words {
		switch {
		case line == "":
			line = word
		case ansi.StringWidth(line)+1+ansi.StringWidth(word)+len(cont) <= w:
			line += " " + word
		default:
			lines = append(lines, line+cont)
			line = "  " + word
		}
	}
	lines = append(lines, line)
	var out []string
	for _, l := range lines {
		out = append(out, strings.Split(ansi.Hardwrap(l, w, true), "\n")...)
	}
	return out
}

// CopyConnections copies the lab's connection commands to the terminal's
// clipboard (OSC 52: most terminals, tmux with set-clipboard on) and saves
// them to ConnectFile in the state directory, because a terminal that
// ignores OSC 52 says nothing; the returned path is named on screen.
func CopyConnections(sh *Shared) (tea.Cmd, string, error) {
	cmds := ConnectCommands(sh.Session.Info)
	text := strings.Join(cmds, "\n") + "\n"
	dir := sh.Cfg.StateDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tea.SetClipboard(text), "", fmt.Errorf("state directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, ConnectFile)
	body := "# cqrslab lab " + sh.Session.Info.RunID + ": paste a line into another terminal while the lab runs\n" + text
	if err := atomicfile.WriteFile(path, []byte(body), 0o600); err != nil {
		return tea.SetClipboard(text), "", err
	}
	return tea.SetClipboard(text), path, nil
}
