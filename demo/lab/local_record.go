package lab

// Run records: what a local run leaves in the state directory so a later start can clean up after a crash.

import (
	"cqrslab/internal/atomicfile"
	"cqrslab/internal/statedir"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// localRecord is what the state directory remembers about one local run, so
// that the servers of a process that died without closing its lab can be
// found and stopped later. Start times (Linux kernel clock ticks) tell our
// processes from later ones that got the same pid.
type localRecord struct {
	RunID         string    `json:"run_id"`
	OwnerPID      int       `json:"owner_pid"`
	OwnerStart    uint64    `json:"owner_start,omitempty"`
	OwnerName     string    `json:"owner_name,omitempty"`
	Dir           string    `json:"dir"`
	Started       time.Time `json:"started"`
	PostgresPID   int       `json:"postgres_pid,omitempty"`
	PostgresStart uint64    `json:"postgres_start,omitempty"`
	RedisPID      int       `json:"redis_pid,omitempty"`
	RedisStart    uint64    `json:"redis_start,omitempty"`
}

func localRecordDir() string { return statedir.Path("local") }

func localRecordPath(runID string) string {
	return filepath.Join(localRecordDir(), runID+".json")
}

// writeLocalRecord replaces the record atomically, so a reader (a clean-up in
// another process) never sees half a file.
func writeLocalRecord(path string, rec localRecord) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("local lab: state directory: %w", err)
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("local lab: write run record: %w", err)
	}
	return nil
}
