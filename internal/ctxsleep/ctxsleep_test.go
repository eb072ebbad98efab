package ctxsleep

import (
	"context"
	"testing"
	"time"
)

// Sleep tells a wait that ran out from one that was cut short: the callers
// stop their loops on false.
func TestSleep(t *testing.T) {
	if !Sleep(context.Background(), time.Millisecond) {
		t.Error("a wait nothing cancelled reported false")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if Sleep(ctx, time.Hour) {
		t.Error("a wait on a cancelled context reported true")
	}
	ctx, cancel = context.WithCancel(context.Background())
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	if Sleep(ctx, time.Hour) {
		t.Error("a wait cancelled half way reported true")
	}
}
