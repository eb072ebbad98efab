package experiment

import (
	"errors"
	"testing"
	"time"

	"cqrslab/demo"
)

// TestStallIsTheLongestGapBetweenSuccessfulZAdds checks the failover
// duration as the client sees it: ZADDs that wait through a failover and
// then succeed leave a gap between successes even with no error, a failed
// ZADD does not end a gap, and a gap still open at the end of the load
// runs to the last failed write's return.
func TestStallIsTheLongestGapBetweenSuccessfulZAdds(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	ok := func(start, end int) demo.Write {
		return demo.Write{Outcome: demo.Acknowledged, PostID: "p", Started: at(start), Ended: at(end)}
	}
	miss := func(start, end int) demo.Write {
		return demo.Write{Outcome: demo.Acknowledged, PostID: "p", Started: at(start), Ended: at(end),
			ProjectionErr: errors.New("timeout")}
	}
	rolledBack := func(start, end int) demo.Write {
		return demo.Write{Outcome: demo.Failed, PostID: "p", Started: at(start), Committed: at(start + 1), Ended: at(end),
			Err: errors.New("rolled back")}
	}
	cases := []struct {
		name   string
		writes []demo.Write
		want   time.Duration
	}{
		{"steady", []demo.Write{ok(0, 2), ok(5, 7), ok(10, 12)}, 5 * time.Millisecond},
		// Writes started at 10..20 all waited for the promotion and
		// returned at 3000, in any order of arrival.
		{"silent failover", []demo.Write{ok(0, 2), ok(5, 7), ok(10, 3000), ok(15, 3001), ok(3005, 3007)},
			2993 * time.Millisecond},
		{"failures inside the gap", []demo.Write{ok(0, 2), miss(5, 500), miss(600, 1100), ok(1200, 1203)},
			1201 * time.Millisecond},
		{"open at the end", []demo.Write{ok(0, 2), miss(5, 500), miss(600, 1100)}, 1098 * time.Millisecond},
		{"nothing succeeded", []demo.Write{miss(5, 500)}, 0},
		// rollback: the failed ZADD failed the whole write, after its
		// INSERT had committed.
		{"rolled back to the end", []demo.Write{ok(0, 2), ok(5, 7), rolledBack(10, 4000)}, 3993 * time.Millisecond},
		{"failed before PostgreSQL", []demo.Write{ok(0, 2), ok(5, 7), {Outcome: demo.Failed, Started: at(10), Ended: at(4000)}},
			5 * time.Millisecond},
	}
	for _, c := range cases {
		var z zaddLog
		for _, w := range c.writes {
			z.note(w)
		}
		if got := z.stall(); got != c.want {
			t.Errorf("%s: stall %v, want %v", c.name, got, c.want)
		}
	}
}
