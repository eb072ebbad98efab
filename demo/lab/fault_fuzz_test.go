package lab

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseFault feeds ParseFault and ParseFaultKind arbitrary specs (they
// arrive from the command line, the TUI and the control API). Neither may
// panic; an accepted fault must read back from its own String, and an error
// must wrap ErrBadFault and stay short whatever the input's size.
func FuzzParseFault(f *testing.F) {
	for _, s := range []string{
		"latency=50ms", "latency=50ms,jitter=10ms", " LATENCY = 1s , target = postgres ",
		"timeout", "timeout=2s,stream=down", "reset_peer=100ms,stream=up", "bandwidth=64KB/s,stream=both",
		"slow_close=1s", "down,target=postgres", "postgres_down", "pause", "stop", "restart_data_loss",
		"postgres_stop", "latency=50ms,target=postgres,target=redis", "latency=1ns", "bandwidth=-1",
		"latency=9223372036854775807ns", ",", "=,=", "latency=5ms,target", "timeout=0s",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		got, err := ParseFault(spec)
		if err != nil {
			checkBadFaultError(t, spec, err)
		} else {
			again, err := ParseFault(got.String())
			if err != nil || again != got {
				t.Fatalf("ParseFault(%q) = %+v, but its String %q reads back as %+v, %v", spec, got, got.String(), again, err)
			}
			if _, err := got.normalize(); err != nil {
				t.Fatalf("ParseFault(%q) = %+v, which does not normalize: %v", spec, got, err)
			}
		}
		if _, err := ParseFaultKind(spec); err != nil {
			checkBadFaultError(t, spec, err)
		}
	})
}

// FuzzParseSchedule feeds ParseSchedule arbitrary timelines (`lab up
// --schedule`). It may not panic; an accepted schedule has entries that
// each read back from their String and that do not overlap.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{
		"latency=50ms@2s+3s;pause@6s+2s", "down@0s", "restart_data_loss@1s", "restart_data_loss@1s+1s",
		"latency=5ms@1s+5s;latency=6ms@2s+1s", "latency=5ms@1s\nlatency=5ms,target=postgres@1s",
		"@", ";;", "pause@-1s", "pause@1s+0s", "latency=5ms@x@1s", "timeout@1h+1ns",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		got, err := ParseSchedule(spec)
		if err != nil {
			checkBadFaultError(t, spec, err)
			return
		}
		if len(got) == 0 {
			t.Fatalf("ParseSchedule(%q) accepted an empty schedule", spec)
		}
		for _, s := range got {
			if s.At < 0 || s.For < 0 {
				t.Fatalf("ParseSchedule(%q): negative time in %+v", spec, s)
			}
			again, err := ParseSchedule(s.String())
			if err != nil || len(again) != 1 || again[0] != s {
				t.Fatalf("entry %+v of %q reads back from %q as %+v, %v", s, spec, s.String(), again, err)
			}
		}
		if err := checkOverlaps(got); err != nil {
			t.Fatalf("ParseSchedule(%q) accepted overlapping entries: %v", spec, err)
		}
	})
}

func checkBadFaultError(t *testing.T, spec string, err error) {
	t.Helper()
	if !errors.Is(err, ErrBadFault) {
		t.Fatalf("error for %q does not wrap ErrBadFault: %v", spec, err)
	}
	// The fixed text (the syntax, the kinds) is under 1 KB; the user's
	// values add at most a few clipped quotes.
	if len(err.Error()) > 2000 {
		t.Fatalf("error for a %d-byte spec is %d bytes: %.200s", len(spec), len(err.Error()), err)
	}
	if strings.ContainsAny(err.Error(), "\x1b\r") {
		t.Fatalf("error for %q carries a raw control character: %q", spec, err)
	}
}
