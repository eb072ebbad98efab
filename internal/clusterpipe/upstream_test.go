//go:build !race || clusterpipe_upstream

package clusterpipe

import (
	"context"
	"strconv"
	"testing"
)

// The reason for this package, measured on go-redis's own path (no
// Install): in the stale-map reply pattern its cluster pipeline runs the
// moved INCR more than once. Not built with -race, where the same run is a
// data race inside the library (to see it: go test -race -tags
// clusterpipe_upstream -run Upstream ./internal/clusterpipe). The day this
// fails, go-redis no longer double-sends: check its changelog, and Install
// may go.
func TestUpstreamPipelineSendsAMovedCommandTwice(t *testing.T) {
	tc := startCluster(t)
	c := tc.client(t)
	k0, k1 := tc.staleMap(t)
	ctx := context.Background()

	pipe := c.Pipeline()
	pipe.Incr(ctx, k0)
	pipe.Incr(ctx, k1)
	_, _ = pipe.Exec(ctx)
	got, err := tc.b.Get(ctx, k1).Result()
	if err != nil {
		t.Fatalf("GET %s on node b: %v", k1, err)
	}
	n, _ := strconv.Atoi(got)
	t.Logf("one INCR %s in a go-redis cluster pipeline left %s = %d", k1, k1, n)
	if n < 2 {
		t.Fatalf("go-redis ran the moved INCR %d time(s): the double send this package works around is gone", n)
	}
}
