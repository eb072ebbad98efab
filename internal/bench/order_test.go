package bench

import (
	"fmt"
	"testing"
)

// TestBenchOrderMixesPredecessors checks what makes the interleaved ratios
// fair: over a run, no operation mostly follows one same neighbour (a
// rotation put GetFeed after CreatePost in every round but the ones it
// opened), and every round runs every operation exactly once.
func TestBenchOrderMixesPredecessors(t *testing.T) {
	const nOps, rounds = 20, 1000
	ops := make([]*op, nOps)
	for i := range ops {
		ops[i] = &op{name: fmt.Sprint(i)}
	}
	next := roundOrder(ops)
	follows := map[[2]string]int{} // {predecessor, op} -> rounds
	preceded := map[string]int{}   // op -> rounds it had a predecessor
	for r := range rounds {
		seq := next()
		seen := map[string]bool{}
		for k, o := range seq {
			if seen[o.name] {
				t.Fatalf("round %d runs %s twice: %v", r, o.name, names(seq))
			}
			seen[o.name] = true
			if k > 0 {
				follows[[2]string{seq[k-1].name, o.name}]++
				preceded[o.name]++
			}
		}
		if len(seen) != nOps {
			t.Fatalf("round %d runs %d of %d operations", r, len(seen), nOps)
		}
	}
	// Uniform: each of the 19 others precedes an op in about 1/19 (5%) of
	// its rounds. A fixed neighbour would be close to 100%.
	for pair, n := range follows {
		if share := float64(n) / float64(preceded[pair[1]]); share > 0.12 {
			t.Errorf("op %s follows op %s in %.0f%% of its rounds; want a mix near 5%%", pair[1], pair[0], 100*share)
		}
	}
	if want := nOps * (nOps - 1); len(follows) != want {
		t.Errorf("%d of the %d ordered neighbour pairs occur; want all", len(follows), want)
	}
	// The same orders on every run, so two runs are comparable.
	a, b := roundOrder(ops), roundOrder(ops)
	for r := range 5 {
		if x, y := fmt.Sprint(names(a())), fmt.Sprint(names(b())); x != y {
			t.Fatalf("round %d differs between runs: %s vs %s", r, x, y)
		}
	}
}

func names(ops []*op) []string {
	out := make([]string, len(ops))
	for i, o := range ops {
		out[i] = o.name
	}
	return out
}
