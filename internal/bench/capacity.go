package bench

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"cqrslab/demo"

	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
)

// Capacity answers "how many writes per second can each policy take before
// its p99 passes the limit or it loses a write", beside the same question
// for the raw INSERT-then-ZADD floor, so an experimenter sees how far the
// engine is from the servers. Writes are open-loop (started on schedule
// whatever earlier ones do; latency counts from the intended start), as in
// `experiment`.
//
// The floor is an upper bound only when it is loaded as the engine is: the
// same load generator and in-flight cap (demo.RunWrites), the same
// PostgreSQL pool, and a Redis pool as large as the largest policy's. Each
// subject's CapacityConcurrency says what its load ran with.

// CapacityConfig bounds a capacity search.
type CapacityConfig struct {
	// Step is how long each rate is held (default 2s).
	Step time.Duration
	// MaxRate is the highest rate tried (default 4000/s).
	MaxRate float64
	// P99Limit is the latency a rate must stay under (default 10ms).
	P99Limit time.Duration
}

// CapacityStep is one rate tried.
type CapacityStep struct {
	Rate     float64 `json:"rate_per_s"`
	Achieved float64 `json:"achieved_per_s"`
	P99Ms    float64 `json:"p99_ms"`
	Failed   int     `json:"failed"`
	Lost     int     `json:"lost"`
	// ProjectionErrors are acknowledged writes whose ZADD failed (the
	// budgeted policies re-send those in the background).
	ProjectionErrors int  `json:"projection_errors"`
	OK               bool `json:"ok"`
	// Retry marks the second try of a rate whose first try failed: one
	// stall on a shared 2-core machine is a short step's p99, so a rate
	// fails only when both tries do.
	Retry bool `json:"retry,omitempty"`
}

// CapacityConcurrency is what a subject's load ran with.
type CapacityConcurrency struct {
	// PostgresConns is the PostgreSQL pool's maximum open connections.
	PostgresConns int `json:"postgres_max_conns"`
	// RedisPool is the pool size of the Redis client the ZADDs go through.
	RedisPool int `json:"redis_pool_size"`
	// MaxInFlight is the load generator's cap on writes in flight.
	MaxInFlight int `json:"max_in_flight"`
}

// CapacityResult is one subject's search: the highest rate that passed.
type CapacityResult struct {
	Name        string              `json:"name"`
	MaxRate     float64             `json:"max_rate_per_s"`
	Concurrency CapacityConcurrency `json:"concurrency"`
	Steps       []CapacityStep      `json:"steps"`
}

// CapacityReport is `bench --capacity --json`.
type CapacityReport struct {
	P99LimitMs float64 `json:"p99_limit_ms"`
	// StepSeconds is how long a rate is held; below minStepWrites per
	// step (100/s at 2 s) a step lasts until it has made that many writes.
	StepSeconds float64          `json:"step_seconds"`
	Floor       CapacityResult   `json:"floor"`
	Policies    []CapacityResult `json:"policies"`
}

// floorName is the floor's subject name in the report.
const floorName = "floor: INSERT then ZADD"

// capacitySubject is one thing whose capacity is searched: a writer and
// the pools it writes through.
type capacitySubject struct {
	name   string
	pg     *sql.DB          // the PostgreSQL pool its writes use
	pool   func() demo.Pool // the Redis pool its ZADDs go through
	writer demo.Writer
}

func (s *capacitySubject) concurrency() CapacityConcurrency {
	return CapacityConcurrency{PostgresConns: s.pg.Stats().MaxOpenConnections, RedisPool: s.pool().Size,
		MaxInFlight: stepLoad(0, 0, "").MaxInFlight}
}

// minStepWrites is the fewest writes a step makes: a p99 over 50 writes
// (2 s at 25/s) is the worst of them, so one stall of a shared machine
// failed a subject's first rate; over 200 it is the third worst.
const minStepWrites = 200

// stepDuration is how long a step holds rate: step, or longer at low
// rates so that it makes minStepWrites writes.
func stepDuration(step time.Duration, rate float64) time.Duration {
	return max(step, time.Duration(math.Ceil(minStepWrites/rate*float64(time.Second))))
}

// stepLoad is the load of one capacity step, the same for every subject.
func stepLoad(rate float64, d time.Duration, prefix string) demo.LoadConfig {
	return demo.LoadConfig{Rate: rate, Duration: d, Authors: []string{writeAuthor}, IDPrefix: prefix,
		MaxInFlight: demo.DefaultMaxInFlight}
}

// capacitySubjects are the floor, then one subject per policy. Every
// policy's service writes PostgreSQL through st.PG; the floor does too,
// and its ZADDs go through a plain client whose pool is the largest of the
// policies' projection pools.
func capacitySubjects(st *demo.Stores, schema string) []*capacitySubject {
	var policies []*capacitySubject
	largest := 0
	for _, p := range demo.Policies {
		svc := st.Service(demo.Options{Policy: p})
		largest = max(largest, svc.ProjectionPool().Size)
		policies = append(policies, &capacitySubject{name: string(p), pg: st.PG, pool: svc.ProjectionPool,
			writer: demo.Writer{Write: func(ctx context.Context, np demo.NewPost) (demo.Result, error) {
				return svc.CreatePost(ctx, np)
			}, PoolStats: svc.PoolStats}})
	}
	rdb := st.RawRedis(largest)
	floor := &capacitySubject{name: floorName, pg: st.PG, pool: func() demo.Pool { return demo.ClientPool(rdb) },
		writer: floorWriter(st.PG, rdb, schema, st.Service(demo.Options{}).FeedKey(writeAuthor))}
	return append([]*capacitySubject{floor}, policies...)
}

// floorWriter is the raw dual write: the INSERT, then a ZADD of the post
// ID. As under the seed, a failed ZADD after a committed INSERT is an
// acknowledged write with a projection error, so the floor and the
// policies are judged alike.
func floorWriter(pg *sql.DB, rdb redis.UniversalClient, schema, key string) demo.Writer {
	insertSQL := "INSERT INTO " + schema + ".posts(id, author_id, title, published_at) VALUES ($1, $2, $3, $4)"
	return demo.Writer{Write: func(ctx context.Context, p demo.NewPost) (demo.Result, error) {
		at := time.Now()
		if _, err := pg.ExecContext(ctx, insertSQL, p.ID, p.AuthorID, p.Title, at); err != nil {
			return demo.Result{}, err
		}
		r := demo.Result{Post: demo.Post{ID: p.ID, AuthorID: p.AuthorID, Title: p.Title, PublishedAt: at}, Committed: time.Now()}
		r.ProjectionErr = rdb.ZAdd(ctx, key, redis.Z{Score: float64(at.UnixMilli()), Member: p.ID}).Err()
		return r, nil
	}, PoolStats: rdb.PoolStats}
}

// search is one subject's progress: the rate doubles from 25/s while it
// passes, then three bisections between the last pass and the first
// failure.
type search struct {
	s          *capacitySubject
	res        CapacityResult
	lo, hi     float64
	next       float64
	bisections int
	done       bool
}

// advance records whether the rate just tried passed and picks the next.
func (x *search) advance(ok bool, maxRate float64) {
	rate := x.next
	if ok {
		x.lo = rate
		x.res.MaxRate = max(x.res.MaxRate, rate)
	} else {
		x.hi = rate
	}
	if x.hi == 0 { // still doubling
		x.next = rate * 2
		x.done = x.next > maxRate
		return
	}
	if x.lo == 0 || x.bisections == 3 {
		x.done = true
		return
	}
	x.bisections++
	x.next = math.Round((x.lo + x.hi) / 2)
	x.done = x.next == x.lo || x.next == x.hi
}

// Capacity searches the floor and every policy, interleaved: each round
// runs every unfinished subject's next rate, in an order that rotates, so
// a noisy neighbour on the machine slows every subject alike rather than
// whichever ran in its minute. At most about 22 steps per subject.
func Capacity(ctx context.Context, st *demo.Stores, cfg CapacityConfig) (*CapacityReport, error) {
	if cfg.Step <= 0 {
		cfg.Step = 2 * time.Second
	}
	if cfg.MaxRate <= 0 {
		cfg.MaxRate = 4000
	}
	if cfg.P99Limit <= 0 {
		cfg.P99Limit = 10 * time.Millisecond
	}
	schema := pq.QuoteIdentifier(st.Info.Postgres.Schema)
	if _, err := st.PG.ExecContext(ctx, "INSERT INTO "+schema+".authors(id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING", writeAuthor); err != nil {
		return nil, fmt.Errorf("bench: set up the author: %w", err)
	}
	svc0 := st.Service(demo.Options{})
	defer cleanup(st, schema, svc0)
	cleanup(st, schema, svc0) // leftovers of an interrupted run
	rep := &CapacityReport{P99LimitMs: ms(cfg.P99Limit), StepSeconds: cfg.Step.Seconds()}
	k := 0
	try := func(s *capacitySubject, rate float64) (CapacityStep, error) {
		k++
		res, err := demo.RunWrites(ctx, s.writer, stepLoad(rate, stepDuration(cfg.Step, rate), fmt.Sprintf("cap%d-", k)), nil)
		if err != nil {
			return CapacityStep{}, err
		}
		lost, err := missing(ctx, st, schema, res.AckedIDs)
		cleanup(st, schema, svc0)
		if err != nil {
			return CapacityStep{}, err
		}
		step := CapacityStep{Rate: rate, Achieved: round(res.Achieved),
			P99Ms:  round(float64(res.Latency.ValueAtQuantile(99)) / 1000),
			Failed: res.Failed + res.Unknown, Lost: lost,
			ProjectionErrors: res.ProjectionErrors}
		step.OK = step.P99Ms < ms(cfg.P99Limit) && step.Failed == 0 && step.Lost == 0 && step.Achieved >= 0.95*rate
		return step, nil
	}
	var searches []*search
	for _, s := range capacitySubjects(st, schema) {
		// Warm up first, unmeasured: a cold pool dials dozens of
		// connections (password auth each) inside the first step.
		if _, err := try(s, 100); err != nil {
			return nil, err
		}
		searches = append(searches, &search{s: s, next: 25,
			res: CapacityResult{Name: s.name, Concurrency: s.concurrency()}})
	}
	for r := 0; ; r++ {
		ran := false
		for i := range searches {
			x := searches[(i+r)%len(searches)]
			if x.done {
				continue
			}
			ran = true
			step, err := try(x.s, x.next)
			if err != nil {
				return nil, err
			}
			x.res.Steps = append(x.res.Steps, step)
			if !step.OK {
				if step, err = try(x.s, x.next); err != nil {
					return nil, err
				}
				step.Retry = true
				x.res.Steps = append(x.res.Steps, step)
			}
			x.advance(step.OK, cfg.MaxRate)
		}
		if !ran {
			break
		}
	}
	rep.Floor = searches[0].res
	for _, x := range searches[1:] {
		rep.Policies = append(rep.Policies, x.res)
	}
	return rep, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// missing counts acknowledged posts that are not in PostgreSQL.
func missing(ctx context.Context, st *demo.Stores, schema string, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var n int
	err := st.PG.QueryRowContext(ctx, "SELECT count(*) FROM "+schema+".posts WHERE id = ANY($1)", pq.Array(ids)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("bench: count acknowledged posts: %w", err)
	}
	return len(ids) - n, nil
}
