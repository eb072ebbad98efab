package experiment

import (
	"testing"
	"time"
)

// TestWritePathAssessment pins the rule: the path recovered at the first
// successful ZADD after the last miss; with no success after the last miss
// it is not settled (probes decide); a recovery later than the allowance is
// not ok.
func TestWritePathAssessment(t *testing.T) {
	t0 := time.Now()
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	healed := at(3)
	cases := []struct {
		name      string
		events    []pathEvent
		settled   bool
		recovered bool
		afterMs   float64
		ok        bool
		missed    int
	}{
		{"never missed", []pathEvent{{at(1), false}, {at(4), false}}, true, true, 0, true, 0},
		{"missed during the fault only", []pathEvent{{at(1), false}, {at(2), true}, {at(2.5), false}, {at(3.5), false}},
			true, true, 0, true, 0},
		{"flapping, recovered 1.4 s after the heal", []pathEvent{{at(2), true}, {at(4), true}, {at(4.2), false}, {at(4.3), true},
			{at(4.2001), false}, {at(4.4), false}}, true, true, 1400, true, 2},
		{"recovered too late", []pathEvent{{at(3.5), true}, {at(6.5), true}, {at(6.6), false}}, true, true, 3600, false, 2},
		{"still missing at the end", []pathEvent{{at(2), true}, {at(3.2), false}, {at(3.9), true}}, false, false, 0, false, 1},
		{"missed before the heal, nothing after", []pathEvent{{at(2), true}}, false, false, 0, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := &writeLog{start: t0, path: c.events}
			wp, settled := l.assess(healed, DefaultRecoveryAllowance)
			if settled != c.settled || wp.Recovered != c.recovered || wp.ok() != c.ok || wp.MissedAfterHeal != c.missed ||
				(c.recovered && (wp.RecoveredAfterHealMs == nil || *wp.RecoveredAfterHealMs != c.afterMs)) ||
				(!c.recovered && wp.RecoveredAfterHealMs != nil) {
				t.Fatalf("got %+v settled %v ok %v", wp, settled, wp.ok())
			}
		})
	}
}
