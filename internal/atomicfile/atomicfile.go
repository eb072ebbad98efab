// Package atomicfile replaces a file so that a reader, or a crash, sees the
// old content or the new one and never half of either; and so that the
// replacement cannot be turned against the user. Every write-then-rename in
// cqrslab goes through it, because each hand-written copy had its own gaps:
// a fixed temporary name opened with truncate (a symlink planted there made
// the write land on the link's target), a target that was a device (saving
// to /dev/full replaced the device node with a regular file), temporary
// files left behind on some errors.
//
// The rules: the target must be missing or a regular file (not a directory,
// device, FIFO, socket or symbolic link); the temporary file is created in
// the target's directory (so the rename is atomic) under a random name with
// O_EXCL and O_NOFOLLOW (so it is always a new file of ours); it is synced
// before the rename and the directory after it; and on every error the
// temporary file is removed and the target is left as it was.
package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ErrNotRegular is wrapped by the error for a target that exists and is not
// a regular file.
var ErrNotRegular = errors.New("not a regular file")

// CheckTarget reports whether path may be replaced: nil when it does not
// exist or is a regular file, an error wrapping ErrNotRegular that says what
// it is otherwise. Commands call it before slow work, so a bad path is a
// usage error at once rather than a failure at the end.
func CheckTarget(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot check %s: %w", path, err)
	}
	if fi.Mode().IsRegular() {
		return nil
	}
	return fmt.Errorf("%s is %s, %w: give the path of a regular file to write", path, describe(fi.Mode()), ErrNotRegular)
}

func describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link (name the file itself; a link is not followed)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	default:
		return "a special file"
	}
}

// File is a replacement in progress: write to it, then Commit. Abort (safe
// to defer, and a no-op after Commit) removes it.
type File struct {
	*os.File
	path string // the target
	tmp  string
	perm os.FileMode
	done bool
}

// Create starts replacing path, whose directory must exist. perm is the
// new file's mode, set exactly (not filtered by the umask), so a file of
// secrets is 0600 whatever the umask.
func Create(path string, perm os.FileMode) (*File, error) {
	if err := CheckTarget(path); err != nil {
		return nil, err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	for range 16 {
		var rnd [8]byte
		if _, err := rand.Read(rnd[:]); err != nil {
			return nil, err
		}
		tmp := filepath.Join(dir, "."+base+".tmp-"+hex.EncodeToString(rnd[:]))
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue // someone else's file (or a planted link): pick another name
		}
		if err != nil {
			return nil, fmt.Errorf("cannot create a temporary file beside %s: %w", path, err)
		}
		if err := f.Chmod(perm); err != nil {
			f.Close()
			os.Remove(tmp)
			return nil, fmt.Errorf("cannot set the mode of %s: %w", tmp, err)
		}
		return &File{File: f, path: path, tmp: tmp, perm: perm}, nil
	}
	return nil, fmt.Errorf("cannot create a temporary file beside %s: every random name was taken", path)
}

// TempName is the temporary file's path (for messages).
func (f *File) TempName() string { return f.tmp }

// Commit syncs the file, closes it and renames it over the target (checked
// again, as it may have changed since Create), then syncs the directory so
// the rename itself survives a crash. On error the temporary file is gone
// and the target is unchanged.
func (f *File) Commit() error {
	if f.done {
		return errors.New("atomicfile: Commit after Commit or Abort")
	}
	f.done = true
	err := f.File.Sync()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = CheckTarget(f.path)
	}
	if err == nil {
		err = os.Rename(f.tmp, f.path)
	}
	if err != nil {
		os.Remove(f.tmp)
		return fmt.Errorf("cannot write %s: %w", f.path, err)
	}
	if d, derr := os.Open(filepath.Dir(f.path)); derr == nil { // best effort
		d.Sync()
		d.Close()
	}
	return nil
}

// Abort closes and removes the temporary file, leaving the target as it
// was. It does nothing after Commit.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	os.Remove(f.tmp)
}

// WriteFile replaces path with data (see Create for perm).
func WriteFile(path string, data []byte, perm os.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return f.Commit()
}
