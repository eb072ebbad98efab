// Package statedir says where cqrslab keeps what outlives one command: the
// records of running labs and local server runs, the learner's progress and
// the last experiment's results. It is looked up here and nowhere else, so
// every command, the TUI and the tests agree on it (CQRSLAB_STATE_DIR moves
// all of it at once, which is how tests and parallel labs stay apart).
package statedir

import (
	"fmt"
	"os"
	"path/filepath"
)

// Env is the variable that overrides the state directory.
const Env = "CQRSLAB_STATE_DIR"

// Dir is the state directory: $CQRSLAB_STATE_DIR when set, else
// $XDG_STATE_HOME/cqrslab, else ~/.local/state/cqrslab, else a folder under
// the system temp dir. It is made absolute when it can be, so a label or a
// record that names it means the same folder from any working directory.
func Dir() string {
	d := os.Getenv(Env)
	switch {
	case d != "":
	case os.Getenv("XDG_STATE_HOME") != "":
		d = filepath.Join(os.Getenv("XDG_STATE_HOME"), "cqrslab")
	default:
		if home, err := os.UserHomeDir(); err == nil && home != "" {
			d = filepath.Join(home, ".local", "state", "cqrslab")
		} else {
			d = filepath.Join(os.TempDir(), "cqrslab-state")
		}
	}
	if abs, err := filepath.Abs(d); err == nil {
		return abs
	}
	return d
}

// Path is elem joined under Dir.
func Path(elem ...string) string {
	return filepath.Join(append([]string{Dir()}, elem...)...)
}

// Make creates Path(elem...) (and Dir) when missing, private to the user
// (0700: run records hold the labs' passwords), and returns it.
func Make(elem ...string) (string, error) {
	p := Path(elem...)
	if err := os.MkdirAll(p, 0o700); err != nil {
		return "", fmt.Errorf("state directory %s: %w (set %s to a folder you can write)", p, err, Env)
	}
	return p, nil
}
