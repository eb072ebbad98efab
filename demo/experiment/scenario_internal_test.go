package experiment

import (
	"strings"
	"testing"
)

// An unknown scenario's error names every scenario there is, of every
// topology: it left out cluster-primary-loss, which --help lists.
func TestUnknownScenarioNamesThemAll(t *testing.T) {
	_, err := Lookup("nope")
	if err == nil {
		t.Fatal("an unknown scenario was found")
	}
	for _, list := range [][]Scenario{Scenarios, HAScenarios, ClusterScenarios} {
		for _, s := range list {
			if !strings.Contains(err.Error(), s.Name) {
				t.Errorf("the error does not name %s: %v", s.Name, err)
			}
		}
	}
}
