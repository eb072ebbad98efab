package lab

// Binary discovery: where the local provider finds initdb, postgres and redis-server.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

const localInstallHint = "install them (Debian/Ubuntu: apt-get install postgresql redis-server; macOS: brew install postgresql redis)"

// localBins are the programs the local provider runs. initdb and postgres
// come from the same directory because initdb refuses a postgres of another
// version.
type localBins struct {
	initdb, postgres, redis string
}

// LocalAvailable reports nil when initdb, postgres and redis-server can be
// found (on PATH or where Debian and Homebrew install them), else an error
// naming what is missing and how to install it.
func LocalAvailable() error {
	if _, err := findLocalBins(); err != nil {
		return err
	}
	_, err := localServerCredential()
	return err
}

func findLocalBins() (localBins, error) {
	var b localBins
	var missing []string
	for _, dir := range postgresBinDirs() {
		if isExecutableFile(filepath.Join(dir, "initdb")) && isExecutableFile(filepath.Join(dir, "postgres")) {
			b.initdb, b.postgres = filepath.Join(dir, "initdb"), filepath.Join(dir, "postgres")
			break
		}
	}
	if b.initdb == "" {
		missing = append(missing, "initdb and postgres (the PostgreSQL server; searched PATH, /usr/lib/postgresql/*/bin, "+
			"/opt/homebrew/bin, /usr/local/bin, /opt/homebrew/opt/postgresql@*/bin, /usr/local/opt/postgresql@*/bin)")
	}
	for _, p := range redisCandidates() {
		if isExecutableFile(p) {
			b.redis = p
			break
		}
	}
	if b.redis == "" {
		missing = append(missing, "redis-server (searched PATH, /usr/bin, /usr/local/bin, /opt/homebrew/bin)")
	}
	if len(missing) > 0 {
		return b, fmt.Errorf("local servers not found: %s; %s", strings.Join(missing, " and "), localInstallHint)
	}
	return b, nil
}

// postgresBinDirs lists where a PostgreSQL server may be installed, in the
// order we prefer them: what PATH says first (the user's choice), then the
// Debian per-version directories (which are not on PATH) and the Homebrew
// ones, newest version first.
func postgresBinDirs() []string {
	var dirs []string
	for _, name := range []string{"initdb", "postgres"} {
		if p, err := exec.LookPath(name); err == nil {
			dirs = append(dirs, filepath.Dir(p))
		}
	}
	dirs = append(dirs, newestFirst("/usr/lib/postgresql/*/bin")...)
	dirs = append(dirs, "/opt/homebrew/bin", "/usr/local/bin")
	dirs = append(dirs, newestFirst("/opt/homebrew/opt/postgresql@*/bin")...)
	dirs = append(dirs, newestFirst("/usr/local/opt/postgresql@*/bin")...)
	return dirs
}

func redisCandidates() []string {
	var c []string
	if p, err := exec.LookPath("redis-server"); err == nil {
		c = append(c, p)
	}
	return append(c, "/usr/bin/redis-server", "/usr/local/bin/redis-server", "/opt/homebrew/bin/redis-server")
}

// newestFirst globs directories whose parent is named by a version ("15",
// "9.6", "postgresql@16") and sorts them by that version, highest first.
func newestFirst(pattern string) []string {
	dirs, _ := filepath.Glob(pattern)
	version := func(dir string) []int {
		name := filepath.Base(filepath.Dir(dir))
		if _, after, ok := strings.Cut(name, "@"); ok {
			name = after
		}
		var v []int
		for part := range strings.SplitSeq(name, ".") {
			n, err := strconv.Atoi(part)
			if err != nil {
				return nil
			}
			v = append(v, n)
		}
		return v
	}
	slices.SortStableFunc(dirs, func(a, b string) int {
		return -slices.Compare(version(a), version(b))
	})
	return dirs
}

func isExecutableFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
