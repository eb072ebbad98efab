package lab

import (
	"os"
	"path/filepath"
)

// StateDir is where cqrslab keeps what outlives one command: the record of
// the running lab, local server run records, and the learner's progress.
// CQRSLAB_STATE_DIR overrides it (tests use a temporary one); otherwise
// $XDG_STATE_HOME/cqrslab, else ~/.local/state/cqrslab, else a folder under
// the system temp dir.
func StateDir() string {
	if d := os.Getenv("CQRSLAB_STATE_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "cqrslab")
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, ".local", "state", "cqrslab")
	}
	return filepath.Join(os.TempDir(), "cqrslab-state")
}
