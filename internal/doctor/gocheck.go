package doctor

import (
	"bufio"
	"context"
	"fmt"
	"go/version"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// MinGo is the Go version go.mod requires (a test keeps the two equal). The
// binary already satisfies it, or it would not have been built; the `go` on
// PATH, which students use for `go run .`, may not.
const MinGo = "go1.26.7"

// goTool is what the `go` command on PATH says about itself.
type goTool struct {
	path     string // "" when there is no go on PATH
	version  string // GOVERSION, e.g. "go1.26.8"
	modCache string // GOMODCACHE, where a downloaded toolchain would be
	// toolchain is GOTOOLCHAIN as the user set it (environment, then the
	// go env file): "local" forbids switching to a newer toolchain.
	toolchain string
	err       error
}

func checkGo(ctx context.Context) Check {
	return goCheck(runtime.Version(), findGo(ctx))
}

// findGo asks the go command on PATH for its version. It runs with
// GOTOOLCHAIN=local outside any module, so asking never triggers a
// toolchain download on a slow network.
func findGo(ctx context.Context) goTool {
	path, err := exec.LookPath("go")
	if err != nil {
		return goTool{}
	}
	t := goTool{path: path, toolchain: os.Getenv("GOTOOLCHAIN")}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "env", "GOVERSION", "GOMODCACHE", "GOENV")
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=")
	out, err := cmd.Output()
	if err != nil {
		t.err = fmt.Errorf("`go env` failed: %v", err)
		return t
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 3 {
		t.err = fmt.Errorf("`go env` printed %q", out)
		return t
	}
	t.version, t.modCache = strings.TrimSpace(lines[0]), strings.TrimSpace(lines[1])
	if t.toolchain == "" {
		t.toolchain = goEnvFileValue(strings.TrimSpace(lines[2]), "GOTOOLCHAIN")
	}
	return t
}

// goEnvFileValue reads one setting written by `go env -w`.
func goEnvFileValue(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), key+"="); ok {
			return v
		}
	}
	return ""
}

// atLeastMin reports whether v satisfies MinGo; development builds
// ("devel go1.27-abc") are taken to be new enough.
func atLeastMin(v string) bool {
	return !version.IsValid(v) || version.Compare(v, MinGo) >= 0
}

func goCheck(binary string, t goTool) Check {
	c := Check{Name: "Go", Status: OK}
	built := "this binary was built with " + binary
	if !atLeastMin(binary) {
		// Only a binary built from an edited go.mod gets here.
		c.Status, c.Detail = Fail, fmt.Sprintf("%s, older than the %s go.mod requires", built, MinGo)
		c.Fix = "rebuild with Go " + strings.TrimPrefix(MinGo, "go") + " or newer (https://go.dev/dl/)"
		return c
	}
	switch {
	case t.path == "":
		c.Detail = built + "; no `go` command on PATH, which only `go run .` needs"
	case t.err != nil:
		c.Status, c.Detail = Warn, fmt.Sprintf("%s; the go on PATH (%s) does not answer: %v", built, t.path, t.err)
		c.Fix = "check the Go installation with `go version`; reinstall from https://go.dev/dl/ if it fails"
	case atLeastMin(t.version):
		c.Detail = fmt.Sprintf("%s on PATH (`go run .` needs %s or newer); %s", t.version, MinGo, built)
	case toolchainCached(t):
		c.Detail = fmt.Sprintf("%s on PATH is older than %s, but `go run .` switches to the %s toolchain already downloaded",
			t.version, MinGo, MinGo)
	case noDownload(t.toolchain):
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s on PATH is older than the %s go.mod requires, and GOTOOLCHAIN=%s forbids "+
			"downloading it: `go run .` will refuse to build", t.version, MinGo, t.toolchain)
		c.Fix = fmt.Sprintf("install Go %s or newer (https://go.dev/dl/), or let go fetch it: "+
			"`go env -u GOTOOLCHAIN; unset GOTOOLCHAIN`", strings.TrimPrefix(MinGo, "go"))
	default:
		c.Status = Warn
		c.Detail = fmt.Sprintf("%s on PATH is older than the %s go.mod requires: the first `go run .` "+
			"downloads that toolchain (about 70 MB)", t.version, MinGo)
		c.Fix = fmt.Sprintf("on a good network before the workshop, run `go version` in the project folder "+
			"(it fetches the toolchain once), or install Go %s or newer from https://go.dev/dl/",
			strings.TrimPrefix(MinGo, "go"))
	}
	return c
}

// noDownload reports whether a GOTOOLCHAIN setting stops go from fetching a
// newer toolchain ("local", "path", "go1.x+path").
func noDownload(toolchain string) bool {
	return toolchain == "local" || toolchain == "path" || strings.HasSuffix(toolchain, "+path")
}

// toolchainCached reports whether go already downloaded the MinGo
// toolchain into its module cache, where a switch would find it.
func toolchainCached(t goTool) bool {
	if t.modCache == "" {
		return false
	}
	dir := filepath.Join(t.modCache, "golang.org", "toolchain@v0.0.1-"+MinGo+"."+runtime.GOOS+"-"+runtime.GOARCH)
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}
