package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cqrslab/lessons"
)

// runCLI runs the command line as main does, with buffers for its streams.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

// inOrder fails unless every part appears in s, each after the one before.
func inOrder(t *testing.T, s string, parts ...string) {
	t.Helper()
	at := 0
	for _, p := range parts {
		i := strings.Index(s[at:], p)
		if i < 0 {
			t.Errorf("%q missing, or out of order (looked after offset %d)", p, at)
			return
		}
		at += i + len(p)
	}
}

func TestExportLesson(t *testing.T) {
	code, out, errOut := runCLI(t, "export", "lesson")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	pages, err := lessons.Default()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "# "+lessons.Title+"\n") {
		t.Errorf("the document does not start with the lesson's title:\n%.200s", out)
	}
	// Every page, in order, as a heading of its own.
	var heads []string
	for _, p := range pages {
		heads = append(heads, "\n## "+p.Title+"\n")
	}
	inOrder(t, out, heads...)
	// The code under study comes before the pages, in full.
	inOrder(t, out, "## The code under study", "```go\n", "INSERT INTO posts", "ZRevRange", "```\n", heads[0])
	// Highlighted lines are marked, and hints are blockquotes.
	if n := strings.Count(out, lessons.Marker); n < len(pages)-2 {
		t.Errorf("%d marked lines for %d pages", n, len(pages))
	}
	if n := strings.Count(out, "\n> **Hint:** "); n != len(pages) {
		t.Errorf("%d hint blockquotes, want one per page (%d)", n, len(pages))
	}
	if errOut != "" {
		t.Errorf("stderr: %q", errOut)
	}
}

func TestExportPrompt(t *testing.T) {
	code, out, errOut := runCLI(t, "export", "prompt")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	prompts, err := lessons.Prompts()
	if err != nil {
		t.Fatal(err)
	}
	if len(prompts) != 3 {
		t.Fatalf("%d try-it prompts, want 3", len(prompts))
	}
	for i, w := range []string{"In one paragraph, explain", "inside a CreatePost call", "500 writes/sec"} {
		if !strings.Contains(prompts[i], w) {
			t.Errorf("prompt %d is %q; want the seed's prompts in the lesson's order", i+1, prompts[i])
		}
	}
	// The intro, the lesson in brief, the demo code, then the three prompts
	// in the lesson's order. (Prose is wrapped: compare words, not lines.)
	inOrder(t, strings.Join(strings.Fields(out), " "),
		"Please be my tutor",
		"The lesson in brief",
		"Why synchronous CQRS. ",
		"The demo code (Go)",
		"func (s *PostService) CreatePost(p Post) error {",
		"The questions (in this order)",
		"1. "+prompts[0],
		"2. "+prompts[1],
		"3. "+prompts[2],
	)
	if strings.Contains(out, "**") || strings.Contains(out, "```") {
		t.Error("the prompt is meant to be plain text, not markdown")
	}
}

func TestExportOutputWritesTheFile(t *testing.T) {
	dir := t.TempDir()
	for _, what := range []string{"lesson", "prompt"} {
		t.Run(what, func(t *testing.T) {
			path := filepath.Join(dir, what+".out")
			if err := os.WriteFile(path, []byte("old content"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, want, _ := runCLI(t, "export", what)
			code, out, errOut := runCLI(t, "export", what, "--output", path)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != want {
				t.Error("the file differs from what the command prints to stdout")
			}
			if !strings.Contains(out, "Wrote "+path) {
				t.Errorf("stdout = %q, want it to say where it wrote", out)
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
				t.Errorf("mode %v, want 0644", fi.Mode().Perm())
			}
		})
	}
	// Nothing but the two outputs is left behind: no temporary files.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files left in the folder: %v", names)
	}
}

func TestExportOutputToAMissingFolderFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "folder", "lesson.md")
	code, _, errOut := runCLI(t, "export", "lesson", "--output", path)
	if code != 1 || !strings.Contains(errOut, path) {
		t.Errorf("exit %d, stderr %q; want 1 and the path named", code, errOut)
	}
}

func TestExportHelp(t *testing.T) {
	for _, args := range [][]string{
		{"export", "--help"},
		{"export", "lesson", "--help"},
		{"export", "prompt", "-h"},
	} {
		code, out, _ := runCLI(t, args...)
		if code != 0 || !helpShows(out, "export") {
			t.Errorf("%v: exit %d, stdout %q", args, code, out)
		}
	}
	_, out, _ := runCLI(t, "--help")
	if !strings.Contains(out, "  export ") {
		t.Errorf("the main usage does not list export:\n%s", out)
	}
}

func TestExportBadArgumentsExit2(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export"}, "say what to export"},
		{[]string{"export", "slides"}, `unknown subcommand "slides"`},
		{[]string{"export", "lesson", "--format", "pdf"}, "unknown flag: --format"},
		{[]string{"export", "prompt", "extra"}, `unexpected argument "extra"`},
		{[]string{"export", "lesson", "--output"}, "flag needs an argument"},
	} {
		code, out, errOut := runCLI(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
		// (A flag error may print the usage on stdout; never the export.)
		if strings.Contains(out, lessons.Title) || strings.Contains(out, "Please be my tutor") {
			t.Errorf("%v: exported despite the error", tc.args)
		}
	}
}

// TestExportGuide: the guide in the binary is docs/workshop.md as committed,
// so a facilitator with only the binary prints the same guide.
func TestExportGuide(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("..", "..", "docs", "workshop.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := Main(context.Background(), []string{"export", "guide"}, Stdio{Out: &out, Err: &errOut}); code != 0 ||
		out.String() != string(want) {
		t.Errorf("export guide: exit %d, %d bytes, want docs/workshop.md (%d bytes); %s", code, out.Len(), len(want), errOut.String())
	}
}
