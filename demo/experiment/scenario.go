// Package experiment runs the failure-injection experiments: a named fault
// on a timeline under open-loop load, for each write policy, then heal,
// repair, and account for every write the way Jepsen's set checker does.
package experiment

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Scenario is a named experiment: which fault, when, for how long, and the
// load it runs under unless the caller overrides it.
type Scenario struct {
	Name        string
	Description string
	// Fault is a fault spec for the lab ("latency=50ms", "pause", ...), or
	// "crash" for the engine's crash point.
	Fault string
	At    time.Duration // after the load starts
	For   time.Duration // 0: an instant fault (restart)
	// Rate and Duration are the scenario's default load.
	Rate     float64
	Duration time.Duration
	// ReplicaReads: the run also reads the SQL feed from the lab's
	// PostgreSQL replica and reports how far behind it is
	// (Report.Postgres, replica.go).
	ReplicaReads bool
}

// CrashFault is the fault spec of the engine's crash point: the write path
// stops after the PostgreSQL commit, before the Redis update.
const CrashFault = "crash"

// Scenarios are the named experiments. Defaults are short so that all of
// them, under every policy, run in a couple of minutes; the latency spike
// is the lesson's third prompt (50 ms at 500 writes/s).
var Scenarios = []Scenario{
	{Name: "redis-down", Description: "Redis unreachable (connections refused) for 2 s",
		Fault: "down", At: time.Second, For: 2 * time.Second, Rate: 200, Duration: 4 * time.Second},
	{Name: "redis-pause", Description: "Redis paused (requests hang) for 2 s",
		Fault: "pause", At: time.Second, For: 2 * time.Second, Rate: 200, Duration: 4 * time.Second},
	{Name: "latency-spike", Description: "50 ms of added Redis latency for 3 s at 500 writes/s",
		Fault: "latency=50ms", At: time.Second, For: 3 * time.Second, Rate: 500, Duration: 5 * time.Second},
	{Name: "timeout", Description: "Redis stops answering (data held, no reply) for 2 s",
		Fault: "timeout", At: time.Second, For: 2 * time.Second, Rate: 200, Duration: 4 * time.Second},
	{Name: "reset-peer", Description: "Redis connections reset for 2 s",
		Fault: "reset_peer", At: time.Second, For: 2 * time.Second, Rate: 200, Duration: 4 * time.Second},
	{Name: "redis-restart-data-loss", Description: "Redis restarted empty in the middle of the load",
		Fault: "restart_data_loss", At: 1500 * time.Millisecond, Rate: 200, Duration: 4 * time.Second},
	{Name: "crash-between-writes", Description: "the write path dies after the commit, before the ZADD, for 1 s",
		Fault: CrashFault, At: time.Second, For: time.Second, Rate: 200, Duration: 3 * time.Second},
	{Name: "postgres-down", Description: "PostgreSQL unreachable for 2 s",
		Fault: "postgres_down", At: time.Second, For: 2 * time.Second, Rate: 200, Duration: 4 * time.Second},
}

// Lookup finds a scenario by name.
func Lookup(name string) (Scenario, error) {
	for _, s := range Scenarios {
		if s.Name == name {
			return s, nil
		}
	}
	return Scenario{}, fmt.Errorf("unknown scenario %q: use one of %s, or all (--topology ha: %s; --topology cluster: %s)",
		name, strings.Join(Names(), ", "), strings.Join(namesOf(HAScenarios), ", "),
		strings.Join(namesOf(ClusterScenarios), ", "))
}

// Names lists the scenario names, sorted.
func Names() []string {
	out := make([]string, len(Scenarios))
	for i, s := range Scenarios {
		out[i] = s.Name
	}
	sort.Strings(out)
	return out
}

// namesOf lists a scenario list's names, in its order.
func namesOf(list []Scenario) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.Name
	}
	return out
}
