package lab

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestClusterTopologyRefusedWhereItCannotRun: cluster parses, starts on the
// docker provider, refuses the local provider before anything starts, and
// on the external provider needs the user's nodes.
func TestClusterTopologyRefusedWhereItCannotRun(t *testing.T) {
	for _, s := range []string{"cluster", " CLUSTER "} {
		if got, err := ParseTopology(s); err != nil || got != TopologyCluster {
			t.Errorf("ParseTopology(%q) = %q, %v", s, got, err)
		}
	}
	if _, err := ParseTopology("clusters"); err == nil || !strings.Contains(err.Error(), "cluster") {
		t.Errorf("ParseTopology(clusters): %v, want an error naming the choices", err)
	}
	_, err := Start(context.Background(), Options{Provider: Local, Topology: TopologyCluster}, nil)
	if !errors.Is(err, ErrTopologyUnavailable) {
		t.Errorf("local with topology cluster: %v, want ErrTopologyUnavailable", err)
	}
	err = checkTopology(Options{Provider: External, Topology: TopologyCluster, PostgresDSN: "postgres://u@127.0.0.1:1/db"})
	if !errors.Is(err, ErrTopologyUnavailable) || !strings.Contains(err.Error(), "--redis-cluster") {
		t.Errorf("external cluster without nodes: %v, want ErrTopologyUnavailable naming --redis-cluster", err)
	}
	if err := checkTopology(Options{Provider: External, Topology: TopologyCluster, RedisCluster: []string{"10.0.0.1:6379"}}); err != nil {
		t.Errorf("external cluster with nodes refused: %v", err)
	}
	if err := checkTopology(Options{Provider: Docker, Topology: TopologyCluster}); err != nil {
		t.Errorf("docker with topology cluster refused: %v", err)
	}
}

// TestParseClusterAddrs: --redis-cluster takes HOST:PORT nodes separated
// by commas, and names what is wrong otherwise.
func TestParseClusterAddrs(t *testing.T) {
	got, err := ParseClusterAddrs(" 10.0.0.1:6379, [::1]:7000 ,redis-a:6380,")
	if err != nil || strings.Join(got, " ") != "10.0.0.1:6379 [::1]:7000 redis-a:6380" {
		t.Errorf("ParseClusterAddrs = %q, %v", got, err)
	}
	for in, want := range map[string]string{
		"":                            "no node given",
		" , ":                         "no node given",
		"10.0.0.1":                    "want HOST:PORT",
		":6379":                       "want HOST:PORT",
		"10.0.0.1:0":                  "1 to 65535",
		"10.0.0.1:http":               "1 to 65535",
		"10.0.0.1:6379,10.0.0.1:6379": "given twice",
	} {
		if _, err := ParseClusterAddrs(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseClusterAddrs(%q): %v, want an error saying %q", in, err, want)
		}
	}
}
