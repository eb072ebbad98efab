package doctor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ProgressFileName is the learner's progress file inside the state directory.
const ProgressFileName = "progress.json"

// checkProgressFile looks at the learner's progress the way the lesson will
// meet it: a missing file is a fresh start, an unreadable or corrupt one is
// set aside (so a warning: answers will be lost), and a state directory that
// cannot be written is a failure (nothing the learner does will be kept).
// It writes nothing but a probe file, removed at once.
func checkProgressFile(stateDir string) Check {
	c := Check{Name: "progress file", Status: OK}
	path := filepath.Join(stateDir, ProgressFileName)
	override := "point CQRSLAB_STATE_DIR at a folder you can write (e.g. `export CQRSLAB_STATE_DIR=$HOME/cqrslab-state`)"
	if err := probeWritable(stateDir); err != nil {
		c.Status = Fail
		c.Detail = fmt.Sprintf("cannot write in %s (%v): progress and running labs would not be recorded", stateDir, err)
		c.Fix = "make it writable (`chmod u+w` on it, or remove what blocks it), or " + override
		return c
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.Detail = fmt.Sprintf("none yet at %s: a fresh start", path)
		return c
	case err != nil:
		c.Status, c.Detail = Warn, fmt.Sprintf("cannot look at %s (%v): the lesson will start fresh", path, err)
		c.Fix = "check the permissions of " + stateDir + ", or " + override
		return c
	case fi.IsDir():
		c.Status, c.Detail = Fail, path+" is a directory, so progress cannot be saved there"
		c.Fix = "move it away: `mv " + path + " " + path + ".old`"
		return c
	}
	b, err := os.ReadFile(path)
	if err != nil {
		c.Status, c.Detail = Warn, fmt.Sprintf("cannot read %s (%v): the lesson will start fresh and keep the old file as a backup", path, err)
		c.Fix = "make it readable: `chmod u+rw " + path + "`"
		return c
	}
	if !json.Valid(b) {
		c.Status = Warn
		c.Detail = fmt.Sprintf("%s is damaged (not valid JSON, %d bytes): the lesson will back it up and start fresh", path, len(b))
		c.Fix = "nothing to do unless you want the old answers back: then restore the file from a copy before starting"
		return c
	}
	c.Detail = fmt.Sprintf("%s (%d bytes) reads fine", path, len(b))
	return c
}

// probeWritable checks that dir, or the nearest folder above it that
// exists, accepts a new file: that is what the first save will need. Going
// up avoids creating the state directory just to look at it.
func probeWritable(dir string) error {
	d := filepath.Clean(dir)
	for {
		fi, err := os.Stat(d)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s is a file, not a folder", d)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		parent := filepath.Dir(d)
		if parent == d {
			return err
		}
		d = parent
	}
	f, err := os.CreateTemp(d, ".cqrslab-doctor-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
