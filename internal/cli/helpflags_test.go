package cli

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestHelpAfterAnyFlag: --help asks for help wherever it comes, even after
// a flag that takes a value (`prepare --load --help` once read "--help" as
// the archive's name and failed). For every command, the test reads the
// flags its help lists and puts --help after each one.
func TestHelpAfterAnyFlag(t *testing.T) {
	paths := [][]string{{"lab", "up"}, {"lab", "status"}, {"post", "create"}, {"feed"}, {"fault", "inject"},
		{"fault", "list"}, {"reconcile"}, {"experiment"}, {"bench"}, {"cleanup"}, {"export", "lesson"},
		{"export", "guide"}, {"doctor"}, {"prepare"}, {"completion"}, {"version"}, {"quiz", "list"},
		{"quiz", "grade"}, {"quiz", "export"}, {"quiz", "merge"}, {"tui"}}
	flagLine := regexp.MustCompile(`(?m)^ +(-{1,2}[a-z][a-z0-9-]*)`)
	for _, path := range paths {
		name := strings.Join(path, " ")
		help := func(args ...string) (string, int) {
			var out, errOut bytes.Buffer
			t.Setenv("CQRSLAB_STATE_DIR", t.TempDir())
			code := Main(context.Background(), append(append([]string{}, path...), args...), Stdio{Out: &out, Err: &errOut})
			return out.String() + errOut.String(), code
		}
		out, code := help("--help")
		if code != 0 || !helpShows(out, name) {
			t.Errorf("%s --help: exit %d\n%s", name, code, out)
			continue
		}
		for _, m := range flagLine.FindAllStringSubmatch(out, -1) {
			flag := m[1]
			if flag == "-h" || flag == "-help" {
				continue
			}
			got, code := help(flag, "--help")
			if code != 0 || !helpShows(got, name) {
				t.Errorf("%s %s --help: exit %d, want the help\n%s", name, flag, code, got)
			}
		}
	}
}

// helpShows reports whether out is the help of the command path (fang's
// layout: a USAGE title, then "cqrslab PATH").
func helpShows(out, path string) bool {
	return strings.Contains(out, "USAGE") && strings.Contains(out, "cqrslab "+path)
}
