package tui

import (
	"encoding/json"
	"os"
	"time"
)

// uiStats measure the UI goroutine's own work (every Update and View), so
// "how much of a core does the screen cost under load" has a direct answer,
// apart from the engine and the load in the same process. They are on only
// when CQRSLAB_TUI_STATS names a file, which Run writes at exit.
type uiStats struct {
	Start     time.Time     `json:"start"`
	Wall      time.Duration `json:"wall_ns"`
	Updates   int64         `json:"updates"`
	Frames    int64         `json:"frames"`
	Views     int64         `json:"views"`
	UpdateDur time.Duration `json:"update_ns"`
	ViewDur   time.Duration `json:"view_ns"`
	MaxView   time.Duration `json:"max_view_ns"`
	Dropped   int64         `json:"dropped_events"`
	Events    int64         `json:"events"`
	// KeyToView is, for each key press, the time from Update receiving it
	// to the end of the View that shows its effect: the program's share of
	// "answers keys within 100 ms" (the terminal's share is measured from
	// outside, by scripts/measure-tui.py).
	KeyToView []time.Duration `json:"key_to_view_ns"`
	keyAt     time.Time
	// Samples are the running totals once a second, so a measurement can
	// take any window of the run (a phase with load, one without).
	Samples []uiSample `json:"samples"`
}

type uiSample struct {
	At      time.Time     `json:"at"`
	Busy    time.Duration `json:"busy_ns"` // Update + View so far
	Views   int64         `json:"views"`
	Events  int64         `json:"events"`
	Dropped int64         `json:"dropped"`
}

// sample records the totals, at most once a second (in memory only).
func (s *uiStats) sample(now time.Time, dropped int64) {
	if s == nil || (len(s.Samples) > 0 && now.Sub(s.Samples[len(s.Samples)-1].At) < time.Second) {
		return
	}
	s.Samples = append(s.Samples, uiSample{At: now, Busy: s.UpdateDur + s.ViewDur, Views: s.Views, Events: s.Events, Dropped: dropped})
}

// keyAnswered closes the key press waiting for a View, if there is one.
func (s *uiStats) keyAnswered() {
	if s == nil || s.keyAt.IsZero() {
		return
	}
	s.KeyToView = append(s.KeyToView, time.Since(s.keyAt))
	s.keyAt = time.Time{}
}

func newUIStats() *uiStats {
	if os.Getenv("CQRSLAB_TUI_STATS") == "" {
		return nil
	}
	return &uiStats{Start: time.Now()}
}

// write saves the stats where CQRSLAB_TUI_STATS says.
func (s *uiStats) write(dropped int64) {
	if s == nil {
		return
	}
	s.Wall, s.Dropped = time.Since(s.Start), dropped
	b, _ := json.MarshalIndent(s, "", "  ")
	_ = os.WriteFile(os.Getenv("CQRSLAB_TUI_STATS"), b, 0o644)
}
