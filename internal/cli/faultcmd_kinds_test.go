package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"cqrslab/demo/lab"
)

// TestFaultKindsComeFromTheRegistry checks that `fault --help` and the
// shell completion of `fault inject` / `fault heal` name every kind the
// lab's fault registry declares, with its syntax, so a kind added there
// reaches the command line without an edit here.
func TestFaultKindsComeFromTheRegistry(t *testing.T) {
	var help bytes.Buffer
	if err := runFault(context.Background(), Stdio{Out: &help}, []string{"--help"}); err != nil {
		t.Fatal(err)
	}
	var script bytes.Buffer
	if err := runCompletion(context.Background(), Stdio{Out: &script}, []string{"bash"}); err != nil {
		t.Fatal(err)
	}
	words := map[string]string{}
	for _, n := range completionTree() {
		var ws []string
		for _, w := range n.words {
			ws = append(ws, w.name)
		}
		words[n.path] = " " + strings.Join(ws, " ") + " "
	}
	for _, k := range lab.FaultCatalog() {
		if !strings.Contains(help.String(), "  "+k.Syntax+" ") || !strings.Contains(help.String(), k.Help) {
			t.Errorf("fault --help lacks %q with its help %q", k.Syntax, k.Help)
		}
		for _, path := range []string{"fault inject", "fault heal"} {
			if !strings.Contains(words[path], " "+string(k.Kind)+" ") {
				t.Errorf("completion of %q = %q, lacks %s", path, words[path], k.Kind)
			}
		}
		if !strings.Contains(script.String(), string(k.Kind)) {
			t.Errorf("bash completion script lacks %s", k.Kind)
		}
	}
	if !strings.Contains(words["fault heal"], " all ") || strings.Contains(words["fault inject"], " all ") {
		t.Errorf("'all' belongs to heal only: heal %q, inject %q", words["fault heal"], words["fault inject"])
	}
}
