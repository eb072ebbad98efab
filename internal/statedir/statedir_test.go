package statedir

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDirOrder(t *testing.T) {
	t.Setenv(Env, "")
	t.Setenv("XDG_STATE_HOME", "/xdg")
	if got := Dir(); got != "/xdg/cqrslab" {
		t.Errorf("with XDG_STATE_HOME: %s", got)
	}
	t.Setenv(Env, "rel/state")
	wd, _ := os.Getwd()
	if got := Dir(); got != filepath.Join(wd, "rel/state") {
		t.Errorf("a relative %s is not made absolute: %s", Env, got)
	}
	t.Setenv(Env, "")
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/x")
	if got := Path("labs"); got != "/home/x/.local/state/cqrslab/labs" {
		t.Errorf("Path under HOME: %s", got)
	}
}

func TestMakeIsPrivate(t *testing.T) {
	t.Setenv(Env, filepath.Join(t.TempDir(), "s"))
	p, err := Make("labs")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{p, Dir()} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v %v, want a 0700 folder", d, fi, err)
		}
	}
}
