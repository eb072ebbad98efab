package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"syscall"

	"cqrslab/demo/lab"
	"cqrslab/internal/atomicfile"
	"cqrslab/internal/statedir"
)

// The running labs are recorded one file each under StateDir()/labs, written
// by `lab up` and removed when it ends, so `post`, `feed` and `bench` in
// another terminal can find them. Two labs at once do not clash: each has its
// own file, and commands use the newest one whose process is alive.

func labsDir() string { return statedir.Path("labs") }

func recordLab(info lab.Info) (string, error) {
	if err := os.MkdirAll(labsDir(), 0o700); err != nil {
		return "", fmt.Errorf("record the lab: %w", err)
	}
	path := filepath.Join(labsDir(), info.RunID+".json")
	b, _ := json.MarshalIndent(info, "", "  ")
	// Replaced atomically, so a reader never sees half a record. 0600: the
	// record holds the lab's passwords.
	if err := atomicfile.WriteFile(path, b, 0o600); err != nil {
		return "", fmt.Errorf("record the lab: %w", err)
	}
	return path, nil
}

// errNoLab is returned when a command needs a running lab and there is none.
var errNoLab = errors.New("no lab is running: start one with `cqrslab lab up` in another terminal " +
	"(`cqrslab bench` and `cqrslab experiment` start their own)")

// runningLabs returns the recorded labs whose owning process is alive,
// newest first, and deletes the records of dead ones.
func runningLabs() []lab.Info {
	entries, _ := os.ReadDir(labsDir())
	var out []lab.Info
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".json" {
			continue
		}
		path := filepath.Join(labsDir(), e.Name())
		b, err := os.ReadFile(path)
		var info lab.Info
		if err != nil || json.Unmarshal(b, &info) != nil || !alive(info.PID) {
			os.Remove(path)
			continue
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Started.After(out[j].Started) })
	return out
}

func currentLab() (lab.Info, error) {
	labs := runningLabs()
	if len(labs) == 0 {
		return lab.Info{}, errNoLab
	}
	return labs[0], nil
}

func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
