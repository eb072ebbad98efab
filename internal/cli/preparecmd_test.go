package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cqrslab/demo/lab"
)

func TestPrepareRefusesBadCommandLines(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--save", "a.tar", "--load", "b.tar"}, 2, "cannot be combined"},
		{[]string{"--postgres-image", ""}, 2, "not an image name"},
		{[]string{"--redis-image", "redis 7"}, 2, "not an image name"},
		{[]string{"extra"}, 2, "unexpected argument"},
		{[]string{"--bogus"}, 2, "unknown flag: --bogus"},
		{[]string{"--load", filepath.Join(dir, "missing.tar")}, 1, "no such file"},
		{[]string{"--save", filepath.Join(dir, "no", "such", "dir", "x.tar")}, 1, "does not exist"},
		// Saving to a device used to replace the device node with the archive.
		{[]string{"--save", "/dev/full"}, 2, "/dev/full is a character device"},
		{[]string{"--save", dir}, 2, "is a directory"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main(context.Background(), append([]string{"prepare"}, tc.args...), Stdio{Out: &out, Err: &errOut})
			if code != tc.code || !strings.Contains(errOut.String(), tc.want) {
				t.Errorf("exit %d (want %d), stderr %q lacks %q", code, tc.code, errOut.String(), tc.want)
			}
		})
	}
	if fi, err := os.Lstat("/dev/full"); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("/dev/full is no longer a device: %v %v", fi, err)
	}
}

func TestPrepareHelp(t *testing.T) {
	var out bytes.Buffer
	if code := Main(context.Background(), []string{"prepare", "--help"}, Stdio{Out: &out, Err: &out}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, w := range []string{"USAGE", "cqrslab prepare", "--save FILE", "--load FILE", "-save FILE", "CQRSLAB_POSTGRES_IMAGE"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("help lacks %q:\n%s", w, out.String())
		}
	}
}

func TestTransferLine(t *testing.T) {
	cases := []struct {
		verb string
		tr   lab.Transfer
		want string
	}{
		{"loading", lab.Transfer{Done: 50e6, Total: 200e6, Elapsed: 2 * time.Second}, "  loading     50.0 MB of 200.0 MB ( 25%)   25.0 MB/s    2.0s"},
		{"saving", lab.Transfer{Done: 10e6, Elapsed: time.Second}, "  saving      10.0 MB   10.0 MB/s    1.0s"},
		{"loaded", lab.Transfer{Done: 200e6, Total: 200e6, Elapsed: 4 * time.Second, Final: true}, "  loaded     200.0 MB   50.0 MB/s    4.0s"},
		{"saving", lab.Transfer{}, "  saving       0.0 MB"},
	}
	for _, tc := range cases {
		if got := transferLine(tc.verb, tc.tr); got != tc.want {
			t.Errorf("transferLine(%s, %+v) =\n%q\nwant\n%q", tc.verb, tc.tr, got, tc.want)
		}
	}
}

// TestProgressLineThrottlesPipes: into a pipe or log, a changing status is
// a new line at most once a second, and the end line always appears.
func TestProgressLineThrottlesPipes(t *testing.T) {
	var b bytes.Buffer
	p := newProgressLine(&b)
	for i := range 50 {
		p.update("step " + string(rune('a'+i%26)))
	}
	p.end("done")
	if got := b.String(); got != "step a\ndone\n" {
		t.Errorf("got %q", got)
	}
}

func TestSuggestImages(t *testing.T) {
	got := suggestImages([]string{"cqrslab-offline/postgres:15", "cqrslab-offline/redis:7"})
	if !strings.Contains(got, "export CQRSLAB_POSTGRES_IMAGE=cqrslab-offline/postgres:15 CQRSLAB_REDIS_IMAGE=cqrslab-offline/redis:7") {
		t.Errorf("suggestion %q", got)
	}
	if got := suggestImages([]string{"something:1"}); !strings.Contains(got, "--postgres-image") {
		t.Errorf("no pair: %q", got)
	}
}
