package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	left, err := filepath.Glob(filepath.Join(dir, ".*.tmp*"))
	if err != nil {
		t.Fatal(err)
	}
	return left
}

func TestWriteFileReplacesAndSetsTheMode(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, "record.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if string(b) != "new" || fi.Mode().Perm() != 0o600 {
		t.Errorf("file holds %q with mode %v, want \"new\" 0600 (umask 000)", b, fi.Mode().Perm())
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Errorf("temporary files left: %v", l)
	}
}

// TestRefusesNonRegularTargets: saving to /dev/full used to replace the
// device node with a regular file; a directory, a FIFO or a symbolic link
// are refused the same way, and left as they were.
func TestRefusesNonRegularTargets(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	targets := map[string]string{fifo: "named pipe", link: "symbolic link", sub: "directory"}
	if fi, err := os.Lstat("/dev/full"); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		targets["/dev/full"] = "character device"
	}
	for path, what := range targets {
		before, _ := os.Lstat(path)
		err := WriteFile(path, []byte("data"), 0o644)
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), what) {
			t.Errorf("WriteFile(%s) = %v, want a refusal naming a %s", path, err, what)
		}
		after, lerr := os.Lstat(path)
		if lerr != nil || after.Mode() != before.Mode() {
			t.Errorf("%s changed: %v → %v (%v)", path, before.Mode(), after.Mode(), lerr)
		}
		if _, err := Create(path, 0o644); !errors.Is(err, ErrNotRegular) {
			t.Errorf("Create(%s) = %v, want ErrNotRegular", path, err)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep me" {
		t.Errorf("the link's target was written: %q", b)
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Errorf("temporary files left: %v", l)
	}
}

// TestPlantedTempLinkIsNotFollowed: the old code wrote PATH.tmp with
// truncate, so a symlink planted there sent the data to its target.
func TestPlantedTempLinkIsNotFollowed(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "out.tar")
	for _, name := range []string{path + ".tmp", filepath.Join(dir, ".out.tar.tmp")} {
		if err := os.Symlink(victim, name); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteFile(path, []byte("archive"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep me" {
		t.Errorf("the planted link's target was overwritten: %q", b)
	}
	if b, _ := os.ReadFile(path); string(b) != "archive" {
		t.Errorf("target holds %q", b)
	}
}

// TestErrorsLeaveTheTargetAndNoTemporaryFile: a target that turns into a
// directory between Create and Commit, and an Abort, both leave the old
// state and nothing else behind.
func TestErrorsLeaveTheTargetAndNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "doc.md")
	f, err := Create(path, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("half")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Commit over a directory = %v, want ErrNotRegular", err)
	}
	if fi, err := os.Lstat(path); err != nil || !fi.IsDir() {
		t.Errorf("the directory was replaced: %v %v", fi, err)
	}
	os.Remove(path)
	f, err = Create(path, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("never")
	f.Abort()
	f.Abort()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("Abort created the target: %v", err)
	}
	if err := WriteFile(filepath.Join(dir, "missing", "x"), nil, 0o644); err == nil {
		t.Error("WriteFile into a missing folder succeeded")
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Errorf("temporary files left: %v", l)
	}
}
