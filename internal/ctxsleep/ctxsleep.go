// Package ctxsleep is a pause that a cancelled context cuts short. The
// engine's repair backoff (demo) and the experiments' schedules and probes
// (demo/experiment) both wait this way; one copy keeps them alike.
package ctxsleep

import (
	"context"
	"time"
)

// Sleep waits for d, or until ctx is done, whichever comes first. It
// reports whether the whole of d passed, so a loop can stop at once when
// its run is cancelled instead of finishing a wait nobody needs.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
