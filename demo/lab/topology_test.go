package lab

import (
	"context"
	"errors"
	"testing"
)

// TestTopologyRefusedWhereItCannotRun: ha starts on the docker provider
// only; the local and external providers refuse it, naming what to use,
// before anything is started.
func TestTopologyRefusedWhereItCannotRun(t *testing.T) {
	for _, s := range []string{"", "single", "HA", " ha "} {
		if _, err := ParseTopology(s); err != nil {
			t.Errorf("ParseTopology(%q): %v", s, err)
		}
	}
	if _, err := ParseTopology("mesh"); err == nil {
		t.Error("ParseTopology(mesh) accepted a topology that does not exist")
	}
	for _, p := range []Provider{Local, External} {
		_, err := Start(context.Background(), Options{Provider: p, Topology: TopologyHA,
			PostgresDSN: "postgres://u@127.0.0.1:1/db", RedisAddr: "127.0.0.1:1"}, nil)
		if !errors.Is(err, ErrTopologyUnavailable) {
			t.Errorf("%s with topology ha: %v, want ErrTopologyUnavailable", p, err)
		}
	}
	if err := checkTopology(Options{Provider: Docker, Topology: TopologyHA}); err != nil {
		t.Errorf("docker with topology ha refused: %v", err)
	}
}
