package demo

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// TestRepairer exposes the repairer of missed ZADDs to the external tests.
type TestRepairer struct{ r *repairer }

func NewTestRepairer(rdb redis.UniversalClient) TestRepairer {
	return TestRepairer{newRepairer(rdb, nil)}
}

func (t TestRepairer) Owe(key string, z redis.Z, id string) { t.r.owe(key, z, id) }
func (t TestRepairer) Drain(ctx context.Context) error      { return t.r.drain(ctx) }
func (t TestRepairer) RoundTrips() int                      { t.r.mu.Lock(); defer t.r.mu.Unlock(); return t.r.roundTrips }
