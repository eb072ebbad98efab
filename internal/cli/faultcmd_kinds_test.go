package cli

import (
	"strings"
	"testing"

	"cqrslab/demo/lab"
)

// TestFaultKindsComeFromTheRegistry checks that `fault --help` and the
// shell completion of `fault inject` / `fault heal` name every kind the
// lab's fault registry declares, with its syntax, so a kind added there
// reaches the command line without an edit here.
func TestFaultKindsComeFromTheRegistry(t *testing.T) {
	code, help, errOut := runCLI(t, "fault", "--help")
	if code != 0 {
		t.Fatalf("fault --help: exit %d, %s", code, errOut)
	}
	complete := func(path string) string {
		_, out, _ := runCLI(t, "__complete", "fault", path, "")
		var ws []string
		for _, l := range strings.Split(out, "\n") {
			if w, _, _ := strings.Cut(l, "\t"); w != "" && !strings.HasPrefix(w, ":") {
				ws = append(ws, w)
			}
		}
		return " " + strings.Join(ws, " ") + " "
	}
	words := map[string]string{"fault inject": complete("inject"), "fault heal": complete("heal")}
	flat := strings.Join(strings.Fields(help), " ") // descriptions wrap to the width
	for _, k := range lab.FaultCatalog() {
		if !strings.Contains(help, "  "+k.Syntax+" ") || !strings.Contains(flat, k.Help) {
			t.Errorf("fault --help lacks %q with its help %q", k.Syntax, k.Help)
		}
		for _, path := range []string{"fault inject", "fault heal"} {
			if !strings.Contains(words[path], " "+string(k.Kind)+" ") {
				t.Errorf("completion of %q = %q, lacks %s", path, words[path], k.Kind)
			}
		}
	}
	if !strings.Contains(words["fault heal"], " all ") || strings.Contains(words["fault inject"], " all ") {
		t.Errorf("'all' belongs to heal only: heal %q, inject %q", words["fault heal"], words["fault inject"])
	}
}
