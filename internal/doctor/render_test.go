package doctor

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func sampleReport() Report {
	var r Report
	r.add(
		Check{Name: "Go", Status: OK, Detail: "go1.26.8 on PATH"},
		Check{Name: "Docker", Status: Fail, Detail: "nothing answers at /var/run/docker.sock: the engine is stopped",
			Fix: "Colima answers at /Users/someone/.colima/default/docker.sock, but cqrslab reads DOCKER_HOST: " +
				"`export DOCKER_HOST=unix:///Users/someone/.colima/default/docker.sock` (add it to your shell profile)"},
		Check{Name: "postgres image", Status: Warn, Detail: "postgres:17-alpine is not on this machine",
			Fix: "before the workshop: `cqrslab prepare`"},
	)
	return r
}

func TestReportStatus(t *testing.T) {
	r := sampleReport()
	if r.Status != Fail || r.Count(Warn) != 1 || strings.Join(r.Names(Fail), ",") != "Docker" {
		t.Fatalf("status %s, warns %d, fails %v", r.Status, r.Count(Warn), r.Names(Fail))
	}
	var ok Report
	ok.add(Check{Name: "a", Status: OK})
	if ok.Status != OK {
		t.Errorf("all ok: %s", ok.Status)
	}
}

func TestWriteTextFitsAndKeepsCommandsWhole(t *testing.T) {
	for _, width := range []int{80, 100} {
		var b bytes.Buffer
		if err := WriteText(&b, sampleReport(), TextOptions{Width: width}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, l := range strings.Split(out, "\n") {
			// A backquoted command longer than the line may overflow; it
			// must then stand on its own line, whole.
			if n := utf8.RuneCountInString(l); n > width && !strings.HasPrefix(strings.TrimSpace(l), "`") {
				t.Errorf("width %d: line of %d columns: %q", width, n, l)
			}
		}
		for _, want := range []string{
			"fail  Docker",
			"`export DOCKER_HOST=unix:///Users/someone/.colima/default/docker.sock`",
			"fix: ",
			"1 check fails",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("width %d: output lacks %q:\n%s", width, want, out)
			}
		}
		if strings.Contains(out, "\x1b[") {
			t.Error("colour without asking")
		}
	}
	var b bytes.Buffer
	WriteText(&b, sampleReport(), TextOptions{Colour: true})
	if !strings.Contains(b.String(), "\x1b[31;1mfail") {
		t.Error("fail not in red with colour on")
	}
}

func TestWrap(t *testing.T) {
	cases := []struct {
		in    string
		width int
		want  []string
	}{
		{"", 20, []string{""}},
		{"one two three four five six", 20, []string{"one two three four", "five six"}},
		{"run `cqrslab prepare --load FILE` now", 24, []string{"run", "`cqrslab prepare --load FILE`", "now"}},
		{"a /very/long/path/that/does/not/fit/anywhere b", 20, []string{"a", "/very/long/path/that/does/not/fit/anywhere", "b"}},
	}
	for _, tc := range cases {
		got := wrap(tc.in, tc.width)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

// Two checks with one fix print it once: both images missing printed the
// same nine lines twice, which read as two problems.
func TestWriteTextPrintsASharedFixOnce(t *testing.T) {
	var r Report
	fix := "Without a registry: `cqrslab prepare --load FILE`; or run without Docker."
	r.add(
		Check{Name: "postgres image", Status: Fail, Detail: "postgres:17-alpine is not here", Fix: fix},
		Check{Name: "redis image", Status: Fail, Detail: "redis:7-alpine is not here", Fix: fix},
	)
	var b bytes.Buffer
	if err := WriteText(&b, r, TextOptions{Width: 80}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, "cqrslab prepare --load FILE"); n != 1 {
		t.Errorf("the shared fix is printed %d times:\n%s", n, out)
	}
	if !strings.Contains(out, "fix: the same as under postgres image above") {
		t.Errorf("the second check does not point at the first's fix:\n%s", out)
	}
}
