package experiment

import (
	"context"
	"encoding/json"
	"net"
	"sync"
	"time"

	"cqrslab/demo"
	"cqrslab/demo/lab"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/redis/go-redis/v9"
)

// Lag is the commit-to-visible lag of the run's writes: for each write
// whose post committed (and was not undone), the time from the INSERT's
// return to its member being in the author's feed in Redis, in
// milliseconds. It is what "the feed is stale" means write by write.
type Lag struct {
	// Count is the writes timed; NeverVisible those whose member was still
	// missing when the watcher stopped (after the repair): their lag is
	// unknown and not in the percentiles.
	Count        int64   `json:"count"`
	P50          float64 `json:"p50"`
	P99          float64 `json:"p99"`
	Max          float64 `json:"max"`
	NeverVisible int     `json:"never_visible"`
	// ResolutionMs is how finely a late member is timed: the watcher's poll
	// interval.
	ResolutionMs float64 `json:"resolution_ms"`
}

// lagPoll is how often the watcher looks for members still missing.
const lagPoll = 10 * time.Millisecond

// lagWatcher times each write's member into the feed, from outside the
// engine: a write whose request-path ZADD succeeded was visible by the time
// CreatePost returned (its lag is at most that); any other is looked for in
// Redis every lagPoll (ZMSCORE of the oldest members still missing, one
// pipeline per poll; see lagChunk) and timed when first seen there. The watcher reads the server
// itself, past the lab's fault layer and proxy, so an injected fault delays
// the repair it measures, not the measuring.
type lagWatcher struct {
	rdb  redis.UniversalClient
	hist *hdrhistogram.Histogram

	mu      sync.Mutex
	missing map[string][]owed // feed key → members not yet seen
	stopped chan struct{}
	done    chan struct{}
}

type owed struct {
	member    string
	committed time.Time
}

// newLagWatcher connects to the Redis server itself; addr gives its
// address now (a restart moves it).
func newLagWatcher(addr func() string, password string) *lagWatcher {
	rdb := redis.NewClient(&redis.Options{Addr: addr(), Password: password, MaxRetries: -1, PoolSize: 2,
		Dialer: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr())
		}})
	return &lagWatcher{rdb: rdb, hist: hdrhistogram.New(1, 600_000_000, 3), missing: map[string][]owed{},
		stopped: make(chan struct{}), done: make(chan struct{})}
}

// add hears one completed write (OnWrite).
func (l *lagWatcher) add(w demo.Write, key string) {
	if w.Committed.IsZero() || w.Existing || w.Outcome == demo.Failed {
		return // nothing new committed, or undone (rollback)
	}
	if w.Outcome == demo.Acknowledged && w.ProjectionErr == nil {
		l.mu.Lock()
		_ = l.hist.RecordValue(max(w.Ended.Sub(w.Committed).Microseconds(), 1))
		l.mu.Unlock()
		return
	}
	m, err := json.Marshal(w.Post.Item())
	if err != nil {
		return
	}
	l.mu.Lock()
	l.missing[key] = append(l.missing[key], owed{member: string(m), committed: w.Committed})
	l.mu.Unlock()
}

// newLagWatcherHA is the watcher of a lab of topology ha: it follows the
// primary through Sentinel (as the engine does), because the node a fixed
// address names may be killed, or be the partitioned old primary, during
// the very window the watcher times.
func newLagWatcherHA(r lab.RedisInfo) *lagWatcher {
	dial := r.Dial
	if dial == nil {
		dial = r.NodeDialer()
	}
	rdb := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: r.MasterName, SentinelAddrs: r.Sentinels,
		SentinelPassword: r.Password, Password: r.Password, Dialer: dial, MaxRetries: -1, PoolSize: 2})
	return &lagWatcher{rdb: rdb, hist: hdrhistogram.New(1, 600_000_000, 3), missing: map[string][]owed{},
		stopped: make(chan struct{}), done: make(chan struct{})}
}

// run polls until stop.
func (l *lagWatcher) run() {
	defer close(l.done)
	t := time.NewTicker(lagPoll)
	defer t.Stop()
	for {
		select {
		case <-l.stopped:
			l.poll() // a last look
			return
		case <-t.C:
			l.poll()
		}
	}
}

// lagChunk is how many of a feed's missing members one poll asks about:
// the oldest first, since repairs run roughly in commit order. A backlog
// that stays missing (no repair until the load ends) then costs a poll a
// few kilobytes, not every member's bytes a hundred times a second, which
// would load the very machine the experiment measures.
const lagChunk = 128

// poll looks up the oldest missing members of each feed, in one pipeline,
// and times those now present. When a whole chunk was found (a backlog
// repaired at once) it asks about the next one at once, up to 16 rounds.
func (l *lagWatcher) poll() {
	for range 16 {
		if !l.pollChunk() {
			return
		}
	}
}

// pollChunk asks about up to lagChunk members per feed; it reports whether
// some feed had a chunk all found with more behind it.
func (l *lagWatcher) pollChunk() (more bool) {
	l.mu.Lock()
	snap := make(map[string][]owed, len(l.missing))
	for k, v := range l.missing {
		if len(v) > 0 {
			snap[k] = v[:min(len(v), lagChunk):min(len(v), lagChunk)]
		}
	}
	l.mu.Unlock()
	if len(snap) == 0 {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	seenAt := time.Now()
	pipe := l.rdb.Pipeline()
	cmds := map[string]*redis.FloatSliceCmd{}
	for k, v := range snap {
		ms := make([]string, len(v))
		for i, o := range v {
			ms[i] = o.member
		}
		cmds[k] = pipe.ZMScore(ctx, k, ms...)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return false // Redis away (a restart): look again next time
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, v := range snap {
		scores := cmds[k].Val()
		found := map[string]bool{}
		for i, o := range v {
			// ZMSCORE answers nil (0 here, with no way to tell) for a
			// missing member; scores are publishedAt in ms, never 0.
			if i < len(scores) && scores[i] != 0 {
				found[o.member] = true
				_ = l.hist.RecordValue(max(seenAt.Sub(o.committed).Microseconds(), 1))
			}
		}
		// Writes added since the snapshot stay; found ones go.
		kept := l.missing[k][:0]
		for _, o := range l.missing[k] {
			if !found[o.member] {
				kept = append(kept, o)
			}
		}
		l.missing[k] = kept
		if len(found) == len(v) && len(kept) > 0 {
			more = true
		}
	}
	return more
}

// waiting counts the members still missing.
func (l *lagWatcher) waiting() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, v := range l.missing {
		n += len(v)
	}
	return n
}

// stop ends the watch after a last look and returns the figures.
func (l *lagWatcher) stop() Lag {
	close(l.stopped)
	<-l.done
	_ = l.rdb.Close()
	l.mu.Lock()
	defer l.mu.Unlock()
	lag := Lag{Count: l.hist.TotalCount(), ResolutionMs: ms(lagPoll)}
	for _, v := range l.missing {
		lag.NeverVisible += len(v)
	}
	if lag.Count > 0 {
		q := func(p float64) float64 { return round2(float64(l.hist.ValueAtQuantile(p)) / 1000) }
		lag.P50, lag.P99, lag.Max = q(50), q(99), round2(float64(l.hist.Max())/1000)
	}
	return lag
}
