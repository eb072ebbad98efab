package demo_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"cqrslab/demo"
)

// The budgeted page's arithmetic follows the pool: the lesson's spike (50 ms
// at 500 writes/s, 25 in flight) fits a pool of 80 (8 CPUs) and queues on a
// pool of 20 (2 CPUs); the text carries the numbers it was computed from.
func TestInFlightVerdictFollowsThePool(t *testing.T) {
	for _, c := range []struct {
		pool int
		fits bool
	}{{10, false}, {20, false}, {24, false}, {25, true}, {80, true}} {
		f := demo.InFlight{Rate: 500, Latency: 50 * time.Millisecond, PoolSize: c.pool, PoolTimeout: 6 * time.Second}
		v := f.Verdict()
		if f.Writes() != 25 {
			t.Fatalf("500/s × 50 ms = %v in flight, want 25", f.Writes())
		}
		if f.Fits() != c.fits {
			t.Errorf("pool %d: fits %v, want %v", c.pool, f.Fits(), c.fits)
		}
		want := []string{"500 writes/s × 50 ms = 25 ZADDs in flight", fmt.Sprintf("a pool of %d connections", c.pool)}
		if c.fits {
			want = append(want, fmt.Sprintf("25 ≤ %d", c.pool), "survivable with this pool")
			if strings.Contains(v, "not survivable") {
				t.Errorf("pool %d fits, yet: %s", c.pool, v)
			}
		} else {
			want = append(want, fmt.Sprintf("25 > %d", c.pool), fmt.Sprintf("about %d writes at a time wait", 25-c.pool),
				"not survivable with this pool", "6s")
		}
		for _, w := range want {
			if !strings.Contains(v, w) {
				t.Errorf("pool %d: %q lacks %q", c.pool, v, w)
			}
		}
	}
	if v := (demo.InFlight{Rate: 200, Latency: 25 * time.Millisecond, PoolSize: 4}).Verdict(); !strings.Contains(v, "= 5 ZADDs") || !strings.Contains(v, "5 > 4") {
		t.Errorf("another rate and spike: %s", v)
	}
}
