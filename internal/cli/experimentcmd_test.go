package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"cqrslab/internal/labtest"
)

// TestExperimentRefusesRatesThatAreNotRates: NaN ran at the scenario's
// rate on b3de247, and an explicit 0 silently meant "the default". Each is
// refused before any lab starts (--infra external without its URLs would
// be a different usage error), naming the value and the fix.
func TestExperimentRefusesRatesThatAreNotRates(t *testing.T) {
	for _, c := range []struct{ flag, value, want string }{
		{"--rate", "NaN", "--rate NaN is out of range; use a number from 1 to 20000"},
		{"--rate", "Inf", "--rate +Inf is out of range"},
		{"--rate", "-Inf", "--rate -Inf is out of range"},
		{"--rate", "0", "or leave --rate out for the scenario's"},
		{"--rate", "-5", "--rate -5 is out of range"},
		{"--rate", "0.5", "--rate 0.5 is out of range"},
		{"--rate", "20001", "--rate 20001 is out of range"},
		{"--duration", "0s", "--duration 0s is out of range"},
		{"--at", "-1s", "--at -1s is out of range"},
		{"--for", "-2s", "--for -2s is out of range"},
		{"--recovery-allowance", "-1s", "--recovery-allowance -1s is out of range"},
		{"--pool-size", "0", "--pool-size 0 is out of range"},
		{"--redis-deadline", "0s", "--redis-deadline 0s is out of range"},
	} {
		t.Run(c.flag+"="+c.value, func(t *testing.T) {
			code, _, errOut := runCLI(t, "experiment", c.flag+"="+c.value, "--infra", "external")
			if code != 2 || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d, want 2 with %q; got %s", code, c.want, errOut)
			}
		})
	}
}

// cancelOn is stderr that cancels a context when a line appears.
type cancelOn struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	line   string
	cancel context.CancelFunc
}

func (w *cancelOn) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.line) {
		w.cancel()
	}
	return len(p), nil
}

// TestInterruptedExperimentKeepsFinishedReports: an interrupt during the
// second run prints the first run's report and the second as interrupted,
// and exits 130, with no word of stores that "did not answer within 30 s"
// (b3de247 printed that 0.3 s after the signal, and no report at all).
func TestInterruptedExperimentKeepsFinishedReports(t *testing.T) {
	opts := labtest.Ready(t) // skips at once where no lab can start, before anything waits
	t.Setenv("CQRSLAB_STATE_DIR", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errOut := &cancelOn{line: "==> redis-pause / budgeted\n    warm up\n    load", cancel: cancel}
	var out bytes.Buffer
	code := Main(ctx, []string{"experiment", "--scenario", "redis-pause", "--policy", "all", "--rate", "100",
		"--duration", "2s", "--json", "--infra", string(opts.Provider)}, Stdio{In: strings.NewReader(""), Out: &out, Err: errOut})
	stderr := errOut.buf.String()
	if code != 130 && (strings.Contains(stderr, "no lab could start") || strings.Contains(stderr, "cannot reach Docker") ||
		strings.Contains(stderr, "no infrastructure")) {
		labtest.Unavailable(t, "experiment could not start a lab: %s", stderr)
	}
	if code != 130 || strings.Contains(stderr, "did not answer") || !strings.Contains(stderr, "interrupted") {
		t.Fatalf("exit %d, want 130: %s", code, stderr)
	}
	var reports []struct{ Policy, Status, Reason string }
	if err := json.Unmarshal(out.Bytes(), &reports); err != nil || len(reports) != 2 {
		t.Fatalf("want the finished run and the interrupted one, got %d (%v): %s\n%s", len(reports), err, out.String(), stderr)
	}
	if reports[0].Policy != "seed" || reports[0].Status == "interrupted" ||
		reports[1].Policy != "budgeted" || reports[1].Status != "interrupted" {
		t.Fatalf("reports: %+v", reports)
	}
}
