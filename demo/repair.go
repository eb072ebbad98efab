package demo

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"cqrslab/internal/ctxsleep"
)

// repairer re-projects, in the background, the writes whose ZADD the
// request path of the budgeted or outbox policy missed (failed, timed out,
// or skipped by the open breaker), so the feed catches up while the fault
// lasts instead of after it.
//
// It sends what is queued as one pipeline, with one ZADD per author
// carrying all of that author's members: one round trip per batch however
// many writes are in it. A repair that sent one ZADD per round trip could
// not keep up with a slow Redis (at 50 ms of latency it manages 20 members
// a second against 500 writes a second); batched, the feed stays about one
// round trip behind. Members are idempotent (same member, same score), so a
// batch that is retried after an error, or that repeats a ZADD which did
// land, is harmless.
//
// The queue is in memory and bounded: what does not fit, and whatever a
// crash loses, is still owed by other means (the author is marked dirty for
// the reconciler; the outbox keeps its row for the relay).
type repairer struct {
	rdb redis.UniversalClient
	// done hears the posts a batch made visible (the outbox clears their
	// rows); nil for none.
	done func(ids []string)

	mu      sync.Mutex
	queue   []owedZAdd
	dropped int
	wake    chan struct{}

	// roundTrips counts pipelines sent, for tests and figures.
	roundTrips int
}

// owedZAdd is one missed ZADD: the feed, the member, the post.
type owedZAdd struct {
	key    string
	z      redis.Z
	postID string
}

const (
	// repairQueueMax bounds the queue: beyond it a missed ZADD is left to
	// the reconciler (or the outbox relay).
	repairQueueMax = 100_000
	// repairBatchMax is the most members one pipeline carries.
	repairBatchMax = 2000
	// repairBackoff is the pause after a failed batch: Redis is down or
	// slow, and hammering it helps nobody.
	repairBackoff = 200 * time.Millisecond
)

func newRepairer(rdb redis.UniversalClient, done func([]string)) *repairer {
	return &repairer{rdb: rdb, done: done, wake: make(chan struct{}, 1)}
}

// owe queues a missed ZADD and wakes the repairer. It never blocks.
func (r *repairer) owe(key string, z redis.Z, postID string) {
	r.mu.Lock()
	if len(r.queue) >= repairQueueMax {
		r.dropped++
		r.mu.Unlock()
		return
	}
	r.queue = append(r.queue, owedZAdd{key: key, z: z, postID: postID})
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// queued is how many missed ZADDs wait.
func (r *repairer) queued() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.queue)
}

// run sends batches until ctx ends: at once when woken, and at least every
// 100 ms while anything is queued (a batch that failed is retried).
func (r *repairer) run(ctx context.Context) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-t.C:
		}
		for {
			bctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			n, err := r.once(bctx)
			cancel()
			if err != nil {
				if !ctxsleep.Sleep(ctx, repairBackoff) {
					return
				}
				break
			}
			if n == 0 {
				break
			}
		}
	}
}

// once sends one batch (up to repairBatchMax members) as one pipeline and
// returns how many members it made visible. On error the batch goes back to
// the front of the queue.
func (r *repairer) once(ctx context.Context) (int, error) {
	r.mu.Lock()
	n := min(len(r.queue), repairBatchMax)
	batch := r.queue[:n:n]
	r.queue = r.queue[n:]
	if n > 0 {
		r.roundTrips++
	}
	r.mu.Unlock()
	if n == 0 {
		return 0, nil
	}
	byKey := map[string][]redis.Z{}
	var order []string
	for _, o := range batch {
		if _, ok := byKey[o.key]; !ok {
			order = append(order, o.key)
		}
		byKey[o.key] = append(byKey[o.key], o.z)
	}
	pipe := r.rdb.Pipeline()
	for _, k := range order {
		pipe.ZAdd(ctx, k, byKey[k]...)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		r.mu.Lock()
		r.queue = append(batch, r.queue...)
		r.mu.Unlock()
		return 0, fmt.Errorf("repair ZADD: %w", err)
	}
	if r.done != nil {
		ids := make([]string, 0, n)
		for _, o := range batch {
			if o.postID != "" {
				ids = append(ids, o.postID)
			}
		}
		r.done(ids)
	}
	return n, nil
}

// drain sends batches until the queue is empty or a batch fails.
func (r *repairer) drain(ctx context.Context) error {
	for {
		n, err := r.once(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
}
