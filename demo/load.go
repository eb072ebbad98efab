package demo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/redis/go-redis/v9"
)

// LoadConfig describes an open-loop load: writes are started on a fixed
// schedule whatever happens to earlier ones, as real users keep arriving
// while a server is slow.
type LoadConfig struct {
	// Rate is writes per second (must be > 0).
	Rate float64
	// Duration is how long writes are started for.
	Duration time.Duration
	// Authors are written round-robin (default alice, bob, carol, dave).
	Authors []string
	// MaxInFlight caps concurrent writes (default 20,000): beyond it a write
	// is shed (counted, never started), so a hung store cannot exhaust
	// memory.
	MaxInFlight int
	// IDPrefix makes post IDs unique to this run (default "load-").
	IDPrefix string
	// OnWrite, if set, is told about every completed write (from the
	// writer's goroutine; it must be quick and safe for concurrent use).
	// Shed writes never started, so it never hears of them.
	OnWrite func(Write)
}

// Write is one completed write of a load, as OnWrite hears it.
type Write struct {
	// Intended is when the schedule said the write should start; Started is
	// when it did (later when the generator fell behind).
	Intended, Started time.Time
	// Latency is measured from Intended, so queueing counts.
	Latency       time.Duration
	Outcome       Outcome
	Err           error // the write's error (nil when acknowledged)
	ProjectionErr error // an acknowledged write's Redis step error
	// PostID is the post the write created, so a checker can look for it
	// in the stores afterwards.
	PostID string
	// Post is the post as committed (zero when nothing was), Committed when
	// its INSERT returned, Ended when CreatePost returned: what a watcher
	// needs to time the member's arrival in the feed.
	Post             Post
	Committed, Ended time.Time
	// Existing: the ID was already stored with this content (a retry).
	Existing bool
}

// ZAddMissed reports whether the write committed (or may have) but its
// feed update did not happen: the ZADD failed or was skipped, or the write
// path died between the two writes.
func (w Write) ZAddMissed() bool {
	return (w.Outcome == Acknowledged && w.ProjectionErr != nil) || errors.Is(w.Err, ErrCrashed)
}

// Outcome is how one write ended, from its caller's point of view (the
// categories of Jepsen's set checker).
type Outcome int

const (
	// Acknowledged: CreatePost returned success (the feed may be stale).
	Acknowledged Outcome = iota
	// Failed: CreatePost returned an error that means nothing was written.
	Failed
	// Unknown: the caller cannot tell (a timeout, or the crash point).
	Unknown
)

// Tick is a one-second summary of the load, for live displays and series.
type Tick struct {
	Second           int     `json:"second"`
	Started          int     `json:"started"`
	Completed        int     `json:"completed"`
	Shed             int     `json:"shed"`
	P50Ms            float64 `json:"p50_ms"`
	P99Ms            float64 `json:"p99_ms"`
	InFlight         int64   `json:"in_flight"`
	ProjectionErrors int     `json:"projection_errors"`
	PoolHits         uint32  `json:"pool_hits"`
	PoolMisses       uint32  `json:"pool_misses"`
	PoolTimeouts     uint32  `json:"pool_timeouts"`
	PoolTotal        uint32  `json:"pool_total_conns"`
	PoolIdle         uint32  `json:"pool_idle_conns"`
}

// LoadResult is a finished load run. Scheduled = Attempted + Shed +
// NotStarted, and Attempted = Acknowledged + Failed + Unknown.
type LoadResult struct {
	// Scheduled is rate × duration: the writes the schedule asked for.
	Scheduled int
	// Attempted writes were started: each ended acknowledged, failed or
	// unknown.
	Attempted, Acknowledged, Failed, Unknown int
	// Shed writes were due but refused at once because MaxInFlight writes
	// were already in flight; they have no latency.
	Shed int
	// NotStarted writes were never reached: the run was interrupted, or the
	// generator was still behind schedule a second after the load's end.
	NotStarted int
	// MaxStartLag is how far behind its schedule the generator started a
	// write, at worst.
	MaxStartLag time.Duration
	// Elapsed runs from the load's start until the last write returned.
	Elapsed time.Duration
	// RolledBack counts the failed writes that PostgreSQL had committed and
	// the policy deleted again because the projection failed (ErrRolledBack):
	// writes the caller lost although the source of truth could have kept
	// them.
	RolledBack int
	// ProjectionErrors counts acknowledged writes whose Redis step failed.
	ProjectionErrors int
	// AckedIDs are the IDs of acknowledged posts: each must be in
	// PostgreSQL, or it was lost.
	AckedIDs []string
	// Latency of every completed write, measured from its intended start
	// (so time spent queued behind a stalled store counts), in microseconds.
	Latency *hdrhistogram.Histogram
	Series  []Tick
	// Achieved is writes completed (returned, whatever the outcome) per
	// second, over Elapsed or the duration if longer: what the system did,
	// not what the generator asked for.
	Achieved float64
	// PoolTimeouts is the projection client's pool timeouts during the run.
	PoolTimeouts uint32
	Errors       map[string]int // error text (trimmed) -> count, for the report
	// FirstProjectionErr is when the first acknowledged write's Redis step
	// failed (zero if none): where the feed starts to go stale.
	FirstProjectionErr time.Time
}

// DefaultMaxInFlight is LoadConfig.MaxInFlight's default: far above any
// rate × latency a lab sees while it works, low enough that a hung store
// cannot exhaust memory.
const DefaultMaxInFlight = 20000

// DefaultLoadAuthors are the authors RunLoad writes when LoadConfig names
// none, for readers that follow the same feeds.
func DefaultLoadAuthors() []string { return []string{"alice", "bob", "carol", "dave"} }

// RunLoad drives svc with cfg until the duration ends and every started
// write has returned (or ctx ends). onTick, if set, gets a Tick each second.
func RunLoad(ctx context.Context, svc *PostService, cfg LoadConfig, onTick func(Tick)) (*LoadResult, error) {
	return RunWrites(ctx, Writer{Write: func(ctx context.Context, p NewPost) (Result, error) {
		return svc.CreatePost(ctx, p)
	}, PoolStats: svc.PoolStats}, cfg, onTick)
}

// Writer is what RunWrites drives: one write, and the pool counters of the
// Redis client it writes through.
type Writer struct {
	Write     func(context.Context, NewPost) (Result, error)
	PoolStats func() *redis.PoolStats
}

// RunWrites is RunLoad for any writer, so a raw INSERT-then-ZADD (the
// capacity floor) runs under the very schedule, in-flight cap and
// accounting the policies do: a floor loaded another way is no floor.
func RunWrites(ctx context.Context, w Writer, cfg LoadConfig, onTick func(Tick)) (*LoadResult, error) {
	if cfg.Rate <= 0 || cfg.Duration <= 0 {
		return nil, fmt.Errorf("load needs a positive rate and duration (got %v/s for %v)", cfg.Rate, cfg.Duration)
	}
	if len(cfg.Authors) == 0 {
		cfg.Authors = DefaultLoadAuthors()
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.IDPrefix == "" {
		cfg.IDPrefix = "load-"
	}
	res := &LoadResult{Latency: hdrhistogram.New(1, 120_000_000, 3), Errors: map[string]int{}}
	var (
		mu       sync.Mutex
		second   = hdrhistogram.New(1, 120_000_000, 3)
		tick     Tick
		inFlight atomic.Int64
		wg       sync.WaitGroup
	)
	pool0 := w.PoolStats()
	record := func(intended, started time.Time, id string, r Result, err error) {
		ended := time.Now()
		latency := ended.Sub(intended)
		lat := latency.Microseconds()
		if cfg.OnWrite != nil {
			cfg.OnWrite(Write{Intended: intended, Started: started, Latency: latency, Outcome: classify(err),
				Err: err, ProjectionErr: r.ProjectionErr, Post: r.Post, Committed: r.Committed, Ended: ended,
				Existing: r.Existing, PostID: id})
		}
		mu.Lock()
		defer mu.Unlock()
		_ = res.Latency.RecordValue(max(lat, 1))
		_ = second.RecordValue(max(lat, 1))
		tick.Completed++
		switch classify(err) {
		case Acknowledged:
			res.Acknowledged++
			res.AckedIDs = append(res.AckedIDs, id)
			if r.ProjectionErr != nil {
				if res.FirstProjectionErr.IsZero() {
					res.FirstProjectionErr = time.Now()
				}
				res.ProjectionErrors++
				tick.ProjectionErrors++
				res.Errors[errKey(r.ProjectionErr)]++
			}
		case Failed:
			res.Failed++
			if errors.Is(err, ErrRolledBack) {
				res.RolledBack++
			}
			res.Errors[errKey(err)]++
		case Unknown:
			if errors.Is(err, ErrCrashed) && res.FirstProjectionErr.IsZero() {
				res.FirstProjectionErr = time.Now()
			}
			res.Unknown++
			res.Errors[errKey(err)]++
		}
	}
	flushTick := func(sec int) {
		mu.Lock()
		tick.Second = sec
		tick.P50Ms = float64(second.ValueAtQuantile(50)) / 1000
		tick.P99Ms = float64(second.ValueAtQuantile(99)) / 1000
		tick.InFlight = inFlight.Load()
		ps := w.PoolStats()
		tick.PoolHits, tick.PoolMisses = ps.Hits-pool0.Hits, ps.Misses-pool0.Misses
		tick.PoolTimeouts, tick.PoolTotal, tick.PoolIdle = ps.Timeouts-pool0.Timeouts, ps.TotalConns, ps.IdleConns
		t := tick
		res.Series = append(res.Series, t)
		tick = Tick{}
		second.Reset()
		mu.Unlock()
		if onTick != nil {
			onTick(t)
		}
	}

	start := time.Now()
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	total := int(cfg.Rate * cfg.Duration.Seconds())
	res.Scheduled = total
	// A generator still behind schedule this long after the load should
	// have ended is not producing the load asked for: it stops, and the
	// rest are counted as not started rather than run late.
	giveUp := start.Add(cfg.Duration + time.Second)
	nextTick := start.Add(time.Second)
	sec := 0
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i := 0; i < total; i++ {
		intended := start.Add(time.Duration(i) * interval)
		if d := time.Until(intended); d > 0 {
			timer.Reset(d)
			select {
			case <-ctx.Done():
			case <-timer.C:
			}
		}
		now := time.Now()
		if ctx.Err() != nil || now.After(giveUp) {
			res.NotStarted = total - i
			break
		}
		for !now.Before(nextTick) {
			sec++
			flushTick(sec)
			nextTick = nextTick.Add(time.Second)
		}
		res.MaxStartLag = max(res.MaxStartLag, now.Sub(intended))
		if inFlight.Load() >= int64(cfg.MaxInFlight) {
			mu.Lock()
			res.Shed++
			tick.Shed++
			mu.Unlock()
			continue
		}
		res.Attempted++
		mu.Lock()
		tick.Started++
		mu.Unlock()
		id := fmt.Sprintf("%s%d", cfg.IDPrefix, i)
		author := cfg.Authors[i%len(cfg.Authors)]
		inFlight.Add(1)
		wg.Go(func() {
			defer inFlight.Add(-1)
			r, err := w.Write(ctx, NewPost{ID: id, AuthorID: author, Title: "load write " + id})
			record(intended, now, id, r, err)
		})
	}
	// Writes still in flight complete over the next seconds: keep the
	// one-second ticks going while they drain, so the series shows when
	// they completed instead of lumping them into one last "second".
	drained := make(chan struct{})
	go func() { wg.Wait(); close(drained) }()
	for draining := true; draining; {
		timer.Reset(time.Until(nextTick))
		select {
		case <-drained:
			draining = false
		case <-timer.C:
			sec++
			flushTick(sec)
			nextTick = nextTick.Add(time.Second)
		}
	}
	res.Elapsed = time.Since(start)
	res.Achieved = float64(res.Acknowledged+res.Failed+res.Unknown) / max(res.Elapsed.Seconds(), cfg.Duration.Seconds())
	sec++
	flushTick(sec)
	res.PoolTimeouts = w.PoolStats().Timeouts - pool0.Timeouts
	return res, nil
}

func classify(err error) Outcome {
	switch {
	case err == nil:
		return Acknowledged
	case errors.Is(err, ErrRolledBack):
		return Failed // whatever the Redis step's error: the row is gone
	case errors.Is(err, ErrCrashed), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return Unknown
	default:
		return Failed
	}
}

// errKey is the error's class for the counts: its message without the
// local end of a connection ("127.0.0.1:37556->"), whose ephemeral port
// would make every timeout a class of its own, cut to 80 characters.
func errKey(err error) string {
	s := localEnd.ReplaceAllString(err.Error(), "")
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

// localEnd matches the local address net.OpError puts before "->".
var localEnd = regexp.MustCompile(`[\w.:\[\]%-]+:\d+->`)

// PoolStats are the connection-pool counters of the client that writes the
// projection (the plain client under the seed policy).
func (s *PostService) PoolStats() *redis.PoolStats { return s.policy.projection().PoolStats() }
