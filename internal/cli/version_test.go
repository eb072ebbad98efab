package cli

import (
	"bytes"
	"context"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFormatVersion(t *testing.T) {
	cases := []struct {
		name string
		bi   debug.BuildInfo
		want []string
	}{
		{"go run", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			[]string{"cqrslab (devel)", "built with go1.26.8 for " + runtime.GOOS + "/" + runtime.GOARCH}},
		{"git checkout with changes", debug.BuildInfo{GoVersion: "go1.26.8",
			Main: debug.Module{Version: "v0.0.0-20260101120000-9d82df8a1b2c+dirty"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "9d82df8a1b2c3d4e5f60718293a4b5c6d7e8f901"},
				{Key: "vcs.time", Value: "2026-01-01T12:00:00Z"}, {Key: "vcs.modified", Value: "true"},
				{Key: "GOOS", Value: "darwin"}, {Key: "GOARCH", Value: "arm64"}}},
			[]string{"cqrslab v0.0.0-20260101120000-9d82df8a1b2c+dirty", "commit 9d82df8a1b2c of 2026-01-01T12:00:00Z",
				"with local changes", "for darwin/arm64"}},
		{"release", debug.BuildInfo{GoVersion: "go1.27.0", Main: debug.Module{Version: "v1.2.0"}},
			[]string{"cqrslab v1.2.0, built with go1.27.0"}},
		{"empty", debug.BuildInfo{}, []string{"cqrslab (devel)", runtime.Version()}},
	}
	for _, tc := range cases {
		got := formatVersion(&tc.bi)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.name, got, w)
			}
		}
		if strings.Contains(got, "\n") {
			t.Errorf("%s: not one line: %q", tc.name, got)
		}
	}
}

func TestVersionFlagAndCommand(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"-version"}, {"version"}} {
		var out, errOut bytes.Buffer
		code := Main(context.Background(), args, Stdio{Out: &out, Err: &errOut})
		if code != 0 || !strings.HasPrefix(out.String(), "cqrslab ") || !strings.Contains(out.String(), runtime.Version()) {
			t.Errorf("%v: exit %d, out %q, err %q", args, code, out.String(), errOut.String())
		}
	}
	var errOut bytes.Buffer
	if code := Main(context.Background(), []string{"version", "extra"}, Stdio{Out: &bytes.Buffer{}, Err: &errOut}); code != 2 {
		t.Errorf("version extra: exit %d (%s)", code, errOut.String())
	}
}

// TestReportClipsHugeMessages: a 70 KB bad value used to come back as
// 140 KB of error.
func TestReportClipsHugeMessages(t *testing.T) {
	var b strings.Builder
	code := report(usagef("--x: %q is not valid; use 1 to 10", strings.Repeat("é\x01", 23_000)), &b)
	if code != 2 || b.Len() > 2200 || !strings.Contains(b.String(), "bytes cut]") || !strings.HasSuffix(b.String(), "use 1 to 10\n") {
		t.Errorf("exit %d, %d bytes: %.300s", code, b.Len(), b.String())
	}
	if !utf8.ValidString(b.String()) {
		t.Error("clipped message is not valid UTF-8")
	}
}
