package ui

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// spinnerFrames animate work in progress. They are picked from the frame
// counter, so every spinner on screen shares the app's one clock instead of
// each running a timer of its own.
var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// Spinner is the frame for the app's frame counter, or a static mark when
// animation is off (--no-animation, and golden tests).
func Spinner(frame int, animate bool) string {
	if !animate {
		return "…"
	}
	return spinnerFrames[frame%len(spinnerFrames)]
}

// hbar draws a duration as a bar of up to width cells on a scale where full
// is a full bar; eighths of a cell keep short steps visible.
func hbar(d, full time.Duration, width int) string {
	if width <= 0 || full <= 0 {
		return ""
	}
	eighths := int(math.Round(float64(d) / float64(full) * float64(width*8)))
	if d > 0 && eighths == 0 {
		eighths = 1
	}
	eighths = min(eighths, width*8)
	partial := []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}
	return strings.Repeat("█", eighths/8) + partial[eighths%8]
}

// Sparkline draws values (oldest first) as one line of block characters,
// scaled to the largest value, keeping the newest width values.
func Sparkline(values []float64, width int) string {
	if width <= 0 || len(values) == 0 {
		return ""
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	top := 0.0
	for _, v := range values {
		top = max(top, v)
	}
	levels := []rune("▁▂▃▄▅▆▇█")
	var b strings.Builder
	for _, v := range values {
		i := 0
		if top > 0 {
			i = int(v / top * float64(len(levels)-1))
		}
		b.WriteRune(levels[max(0, min(i, len(levels)-1))])
	}
	return b.String()
}

// Ms formats a duration for a learner: milliseconds with sensible precision.
func Ms(d time.Duration) string {
	switch {
	case d < 0:
		return "0ms"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
}

// Elapsed formats a running time in whole seconds.
func Elapsed(d time.Duration) string {
	return fmt.Sprintf("%ds", int(d.Seconds()))
}

// Pluralize picks the word for a count.
func Pluralize(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
