package tui

import (
	"testing"

	"cqrslab/demo/lab"
	"cqrslab/internal/tui/ui"
)

// The fault menu is the lab's topology's, from the fault registry: on ha
// the failover kinds are there and the single-Redis kinds ha refuses are
// not; on one Redis the reverse.
func TestLabFaultMenuFollowsTopology(t *testing.T) {
	var haKinds, singleOnly []string
	for _, k := range lab.FaultCatalog() {
		if k.MenuKey == "" {
			continue
		}
		switch {
		case k.Needs == lab.NeedHA:
			haKinds = append(haKinds, k.MenuKey+" "+k.MenuLabel)
		case !lab.TopologyOffers(lab.TopologyHA, k.Kind):
			singleOnly = append(singleOnly, k.MenuKey+" "+k.MenuLabel)
		}
	}
	if len(haKinds) < 2 || len(singleOnly) == 0 {
		t.Fatalf("registry: ha menu kinds %q, single-only %q", haKinds, singleOnly)
	}

	a := labFixedApp(t, 100, 30, ui.ThemeDark)
	a.sh.Session.Faults = nil
	a.sh.Session.Info.Topology = lab.TopologyHA
	deliver(a, keypress("f"))
	deliver(a, keypress("3"))
	out := plain(a)
	wantIn(t, out, "redis_primary_kill", "redis_partition")
	for _, s := range haKinds {
		wantIn(t, out, s)
	}
	for _, s := range singleOnly {
		wantNotIn(t, out, s)
	}
	if cmd := deliver(a, keypress("d")); cmd != nil {
		t.Error("d injected a single-Redis fault on an ha lab")
	}

	b := labFixedApp(t, 100, 30, ui.ThemeDark)
	b.sh.Session.Faults = nil
	deliver(b, keypress("f"))
	out = plain(b)
	for _, s := range haKinds {
		wantNotIn(t, out, s)
	}
	wantIn(t, out, singleOnly[0])
}
