package tui

import (
	"testing"

	"cqrslab/demo/lab"
	"cqrslab/internal/tui/labscreen"
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
	wantIn(t, out, "redis_primary_kill", "redis_partition", "redis_replica_pause")
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

// Every hint the Lab screen gives about f is true of the lab shown: on one
// Redis f breaks it; on ha the menu holds only kinds that fail one node
// (kill or isolate the primary, pause a replica), so the hints say f
// fails a Redis node and never that it breaks Redis. Checked on
// every pane at both sizes a learner meets first; the full help names the
// size the panes stop taking turns at (grid: 120×34).
func TestLabHintsFollowTopology(t *testing.T) {
	for _, k := range lab.FaultCatalog() {
		if k.MenuKey != "" && lab.TopologyOffers(lab.TopologyHA, k.Kind) && k.Needs != lab.NeedHA {
			t.Fatalf("the ha menu offers %s, which fails no node of the ha topology: the ha hint no longer covers the menu", k.Kind)
		}
	}
	for _, tc := range []struct {
		topology  lab.Topology
		want, not string
	}{
		{lab.TopologySingle, "f breaks Redis", "Redis node"},
		{lab.TopologyHA, "f fails a Redis node", "breaks Redis"},
	} {
		for _, size := range [][2]int{{80, 24}, {100, 30}} {
			a := labFixedApp(t, size[0], size[1], ui.ThemeDark)
			a.sh.Session.Faults, a.sh.Session.Info.Topology = nil, tc.topology
			a.labs.Logs, a.labs.LogTotal, a.labs.Status = nil, 0, ""
			for _, pane := range []string{"1", "2", "3", "4", "5"} {
				deliver(a, keypress(pane))
				out := plain(a)
				wantIn(t, out, "n creates a post, "+tc.want+", l starts a load")
				wantNotIn(t, out, tc.not)
			}
			wantIn(t, plain(a), "appear here ("+tc.want+", then write)") // the log pane, shown last
			deliver(a, keypress("?"))
			for range 40 { // the full help's end, where the Panes group is
				deliver(a, keypress("down"))
			}
			wantIn(t, plain(a), "Panes (below 120×34)")
		}
	}
}

// The kill key on ha is the scenario's lagged kill, not a bare one (which
// finds the replicas complete on one host and loses nothing), and the
// screen says what it does before and what it did after: the replicas cut
// off for the lag, then the primary killed.
func TestLabHAKillKeyIsTheLaggedKill(t *testing.T) {
	lag := lab.DefaultKillLag.String()
	for _, size := range [][2]int{{80, 24}, {100, 30}} {
		a := labFixedApp(t, size[0], size[1], ui.ThemeDark)
		a.sh.Session.Faults = nil
		a.sh.Session.Info.Topology = lab.TopologyHA
		deliver(a, keypress("f"))
		deliver(a, keypress("3"))
		wantIn(t, plain(a), "k cut the replicas off for "+lag+", then kill the Redis primary")
		if cmd := deliver(a, keypress("k")); cmd == nil {
			t.Fatal("k on the ha menu injected nothing")
		}
		out := plain(a)
		wantIn(t, out, "Injecting redis_primary_kill="+lag)
		wantNotIn(t, out, "Injecting redis_primary_kill…", "Injecting redis_primary_kill:")
		deliver(a, labscreen.LabFaultMsg{FaultResult: ui.FaultResult{What: "inject redis_primary_kill=" + lag}})
		out = plain(a)
		wantIn(t, out, "Replicas cut off for "+lag+", then the primary killed", "; PostgreSQL has them.")
		wantNotIn(t, out, "done.")

		// Another fault's words are not kept for the next one: a heal
		// says what it healed.
		deliver(a, keypress("f"))
		deliver(a, keypress("h"))
		deliver(a, labscreen.LabFaultMsg{FaultResult: ui.FaultResult{What: "heal every fault"}})
		out = plain(a)
		wantIn(t, out, "heal every fault done.")
		wantNotIn(t, out, "cut off for")
	}
}
