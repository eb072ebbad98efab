package doctor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestMinGoMatchesGoMod keeps MinGo in step with go.mod's go directive.
func TestMinGoMatchesGoMod(t *testing.T) {
	b, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(b)
	if m == nil || "go"+string(m[1]) != MinGo {
		t.Fatalf("go.mod says %q, MinGo is %q: update MinGo", m, MinGo)
	}
}

func TestGoCheck(t *testing.T) {
	cached := t.TempDir()
	os.MkdirAll(filepath.Join(cached, "golang.org", "toolchain@v0.0.1-"+MinGo+"."+runtime.GOOS+"-"+runtime.GOARCH), 0o755)
	cases := []struct {
		name   string
		binary string
		tool   goTool
		want   Status
		words  []string
	}{
		{"no go on PATH", "go1.26.8", goTool{}, OK, []string{"no `go` command"}},
		{"new enough", "go1.26.8", goTool{path: "/usr/bin/go", version: "go1.27.0"}, OK, []string{"go1.27.0 on PATH"}},
		{"exactly the minimum", MinGo, goTool{path: "/usr/bin/go", version: MinGo}, OK, nil},
		{"devel binary", "devel go1.27-abcdef", goTool{path: "/usr/bin/go", version: "go1.27rc1"}, OK, nil},
		{"old go will download", "go1.26.8", goTool{path: "/usr/bin/go", version: "go1.25.3"}, Warn, []string{"downloads", "70 MB"}},
		{"old go, toolchain cached", "go1.26.8", goTool{path: "/usr/bin/go", version: "go1.25.3", modCache: cached}, OK, []string{"already downloaded"}},
		{"old go, GOTOOLCHAIN=local", "go1.26.8", goTool{path: "/usr/bin/go", version: "go1.25.3", toolchain: "local"}, Fail, []string{"refuse"}},
		{"old go, GOTOOLCHAIN=path", "go1.26.8", goTool{path: "/usr/bin/go", version: "go1.22.1", toolchain: "go1.22.1+path"}, Fail, nil},
		{"broken go", "go1.26.8", goTool{path: "/usr/bin/go", err: errors.New("exit status 2")}, Warn, []string{"does not answer"}},
		{"binary older than go.mod", "go1.25.0", goTool{}, Fail, []string{"rebuild"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := goCheck(tc.binary, tc.tool)
			if c.Status != tc.want {
				t.Fatalf("status %s, want %s: %+v", c.Status, tc.want, c)
			}
			if c.Status != OK && c.Fix == "" {
				t.Errorf("no fix: %+v", c)
			}
			for _, w := range tc.words {
				if !strings.Contains(c.Detail+" "+c.Fix, w) {
					t.Errorf("%+v lacks %q", c, w)
				}
			}
		})
	}
}

// TestFindGo runs a fake go command, checking that it is asked with
// GOTOOLCHAIN=local (never a download) and that its answers are read.
func TestFindGo(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "go.env")
	os.WriteFile(envFile, []byte("GOTOOLCHAIN=local\n"), 0o644)
	script := "#!/bin/sh\n" +
		"[ \"$GOTOOLCHAIN\" = local ] || { echo 'asked without GOTOOLCHAIN=local' >&2; exit 3; }\n" +
		"echo go1.25.3\necho " + dir + "/mod\necho " + envFile + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	t.Setenv("GOTOOLCHAIN", "")
	got := findGo(context.Background())
	if got.err != nil || got.version != "go1.25.3" || got.modCache != dir+"/mod" || got.toolchain != "local" {
		t.Fatalf("findGo = %+v", got)
	}
	if c := goCheck("go1.26.8", got); c.Status != Fail {
		t.Errorf("old go with GOTOOLCHAIN=local in the go env file: %+v", c)
	}

	t.Setenv("PATH", t.TempDir())
	if got := findGo(context.Background()); got.path != "" {
		t.Errorf("no go on PATH, found %+v", got)
	}
}
