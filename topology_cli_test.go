package main

import "testing"

// TestTopologyUsageErrors: ha is refused, with what to use instead, where
// the lab could not start it honestly, and chapter two's scenarios name the
// topology they need; all before any server starts (exit 2).
func TestTopologyUsageErrors(t *testing.T) {
	t.Parallel() // runs the binary and reads its output; nothing shared
	wantUsageErrors(t, []usageCase{
		{[]string{"lab", "up", "--topology", "mesh"}, `unknown topology "mesh"`},
		{[]string{"lab", "up", "--topology", "ha", "--infra", "local"}, "--topology ha runs on Docker only"},
		{[]string{"experiment", "--topology", "ha", "--infra", "external", "--pg-dsn", "postgres://u@127.0.0.1/db",
			"--redis-addr", "127.0.0.1:1"}, "--topology ha runs on Docker only"},
		{[]string{"experiment", "--scenario", "redis-split-brain"}, "needs the replicated Redis of --topology ha"},
		{[]string{"experiment", "--redis-wait", "1,50ms"}, "add --topology ha"},
		{[]string{"experiment", "--topology", "ha", "--redis-wait", "0,50ms"}, "at least 1 replica"},
	})
}
