package cli

import (
	"strings"
	"testing"
)

// TestClusterTopologyFlags: --topology cluster and --redis-cluster are
// checked before anything starts, with exit 2 and a message naming the fix.
func TestClusterTopologyFlags(t *testing.T) {
	t.Setenv("CQRSLAB_STATE_DIR", t.TempDir())
	dsn := "postgres://u:p@127.0.0.1:1/db?sslmode=disable"
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"lab", "up", "--infra", "local", "--topology", "cluster"}, "--topology cluster runs on Docker only"},
		{[]string{"experiment", "--infra", "local", "--topology", "cluster"}, "--topology cluster runs on Docker only"},
		{[]string{"lab", "up", "--infra", "external", "--pg-dsn", dsn, "--topology", "cluster"}, "needs --pg-dsn and --redis-addr"},
		{[]string{"lab", "up", "--infra", "docker", "--redis-cluster", "10.0.0.1:6379"}, "--redis-cluster goes with --infra external"},
		{[]string{"lab", "up", "--infra", "external", "--pg-dsn", dsn, "--redis-cluster", "10.0.0.1"}, "want HOST:PORT"},
		{[]string{"lab", "up", "--infra", "external", "--pg-dsn", dsn, "--redis-cluster", "10.0.0.1:99999"}, "1 to 65535"},
		{[]string{"lab", "up", "--infra", "external", "--pg-dsn", dsn, "--redis-cluster", " , "}, "no node given"},
		{[]string{"lab", "up", "--infra", "external", "--redis-cluster", "10.0.0.1:6379"}, "needs --pg-dsn"},
		{[]string{"lab", "up", "--infra", "external", "--pg-dsn", dsn, "--redis-addr", "127.0.0.1:6379",
			"--redis-cluster", "10.0.0.1:6379"}, "are exclusive"},
		{[]string{"lab", "up", "--infra", "external", "--pg-dsn", dsn, "--redis-cluster", "10.0.0.1:6379",
			"--topology", "ha"}, "drop --topology ha"},
		{[]string{"experiment", "--topology", "cluster", "--redis-wait", "1,50ms", "--infra", "docker"}, "--redis-wait is not offered on --topology cluster"},
		{[]string{"experiment", "--scenario", "cluster-primary-loss"}, "needs the Redis Cluster of --topology cluster"},
		{[]string{"experiment", "--topology", "cluster", "--scenario", "redis-failover"}, "needs the replicated Redis of --topology ha"},
		{[]string{"tui", "--topology", "cluster", "--infra", "docker"}, "the lesson's screens run on single and ha"},
	} {
		code, _, errOut := runCLI(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.err) {
			t.Errorf("%v: exit %d (want 2), stderr %q (want %q)", tc.args, code, errOut, tc.err)
		}
	}
	_, out, _ := runCLI(t, "experiment", "--help")
	if !strings.Contains(out, "cluster-primary-loss") {
		t.Errorf("experiment --help does not list cluster-primary-loss")
	}
	_, out, _ = runCLI(t, "fault", "--help")
	if !strings.Contains(out, "cluster_primary_kill") {
		t.Errorf("fault --help does not show cluster_primary_kill:\n%s", out)
	}
}
