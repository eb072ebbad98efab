package cli

import (
	"strings"
	"testing"

	"cqrslab/internal/bench"
)

// TestBenchCapacityTableNamesAFirstStepFailure: a subject that failed the
// search's first rate is shown as "none" with what failed it, not as a
// capacity of 0 writes/s; one that passed shows its rate. Each line gives
// the connections its load ran with.
func TestBenchCapacityTableNamesAFirstStepFailure(t *testing.T) {
	r := &bench.CapacityReport{P99LimitMs: 10,
		Floor: bench.CapacityResult{Name: "floor: INSERT then ZADD", MaxRate: 800,
			Concurrency: bench.CapacityConcurrency{PostgresConns: 32, RedisPool: 64, MaxInFlight: 20000},
			Steps:       []bench.CapacityStep{{Rate: 25, Achieved: 25, P99Ms: 2.1, OK: true}}},
		Policies: []bench.CapacityResult{
			{Name: "seed", Concurrency: bench.CapacityConcurrency{PostgresConns: 32, RedisPool: 20}, Steps: []bench.CapacityStep{
				{Rate: 25, Achieved: 25, P99Ms: 39.94}, {Rate: 25, Achieved: 25, P99Ms: 12.5, Retry: true}}},
			{Name: "outbox", Concurrency: bench.CapacityConcurrency{PostgresConns: 32, RedisPool: 64}, Steps: []bench.CapacityStep{{Rate: 25, Achieved: 20, P99Ms: 4, Failed: 2, Lost: 1}}},
		}}
	var out strings.Builder
	if err := printCapacity(&out, r); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	line := func(subject string) string {
		for l := range strings.Lines(got) {
			if strings.HasPrefix(strings.TrimSpace(l), subject+" ") {
				return strings.Join(strings.Fields(l), " ")
			}
		}
		t.Fatalf("no line for %s:\n%s", subject, got)
		return ""
	}
	if !strings.Contains(got, "p99 < 10 ms") {
		t.Errorf("the header does not give the limit:\n%s", got)
	}
	for subject, want := range map[string]string{
		"floor: INSERT then ZADD": "floor: INSERT then ZADD 800 32/64",
		"seed":                    "seed none (p99 39.9 ms; then p99 12.5 ms at 25/s) 32/20",
		"outbox":                  "outbox none (p99 4.0 ms, 2 failed, 1 lost, 20/s achieved at 25/s) 32/64",
	} {
		if l := line(subject); l != want {
			t.Errorf("%s: got %q, want %q", subject, l, want)
		}
	}
}
