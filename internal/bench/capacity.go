package bench

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"cqrslab/demo"

	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
)

// Capacity answers "how many writes per second can each policy take before
// its p99 passes the limit or it loses a write", beside the same question
// for the raw INSERT-then-ZADD floor with the same connection pools, so an
// experimenter sees how far the engine is from the servers. Writes are
// open-loop (started on schedule whatever earlier ones do; latency counts
// from the intended start), as in `experiment`.

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
	OK       bool    `json:"ok"`
}

// CapacityResult is one subject's search: the highest rate that passed.
type CapacityResult struct {
	Name    string         `json:"name"`
	MaxRate float64        `json:"max_rate_per_s"`
	Steps   []CapacityStep `json:"steps"`
}

// CapacityReport is `bench --capacity --json`.
type CapacityReport struct {
	P99LimitMs  float64          `json:"p99_limit_ms"`
	StepSeconds float64          `json:"step_seconds"`
	Floor       CapacityResult   `json:"floor"`
	Policies    []CapacityResult `json:"policies"`
}

// Capacity searches the floor and every policy: the rate doubles from 25/s
// while it passes, then three bisections between the last pass and the
// first failure. At most about 10 steps per subject.
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
	rep := &CapacityReport{P99LimitMs: ms(cfg.P99Limit), StepSeconds: cfg.Step.Seconds()}
	k := 0
	search := func(name string, try func(rate float64, prefix string) (CapacityStep, error)) (CapacityResult, error) {
		res := CapacityResult{Name: name}
		run := func(rate float64) (bool, error) {
			k++
			s, err := try(rate, fmt.Sprintf("cap%d-", k))
			cleanup(st, schema, svc0)
			if err != nil {
				return false, err
			}
			s.OK = s.P99Ms < ms(cfg.P99Limit) && s.Failed == 0 && s.Lost == 0 && s.Achieved >= 0.95*rate
			res.Steps = append(res.Steps, s)
			if s.OK {
				res.MaxRate = max(res.MaxRate, rate)
			}
			return s.OK, nil
		}
		// Warm up first, unmeasured: a cold pool dials dozens of
		// connections (password auth each) inside the first step.
		k++
		if _, err := try(100, fmt.Sprintf("cap%d-", k)); err != nil {
			return res, err
		}
		cleanup(st, schema, svc0)
		lo, hi := 0.0, 0.0
		for rate := 25.0; rate <= cfg.MaxRate; rate *= 2 {
			ok, err := run(rate)
			if err != nil {
				return res, err
			}
			if !ok {
				hi = rate
				break
			}
			lo = rate
		}
		for range 3 {
			if hi == 0 || lo == 0 {
				break
			}
			mid := math.Round((lo + hi) / 2)
			ok, err := run(mid)
			if err != nil {
				return res, err
			}
			if ok {
				lo = mid
			} else {
				hi = mid
			}
		}
		return res, nil
	}
	var err error
	if rep.Floor, err = search("floor: INSERT then ZADD", func(rate float64, prefix string) (CapacityStep, error) {
		return floorLoad(ctx, st, schema, rate, cfg.Step, prefix)
	}); err != nil {
		return nil, err
	}
	for _, p := range demo.Policies {
		svc := st.Service(demo.Options{Policy: p})
		r, err := search(string(p), func(rate float64, prefix string) (CapacityStep, error) {
			res, err := demo.RunLoad(ctx, svc, demo.LoadConfig{Rate: rate, Duration: cfg.Step,
				Authors: []string{writeAuthor}, IDPrefix: prefix}, nil)
			if err != nil {
				return CapacityStep{}, err
			}
			lost, err := missing(ctx, st, schema, res.AckedIDs)
			if err != nil {
				return CapacityStep{}, err
			}
			return CapacityStep{Rate: rate, Achieved: round(res.Achieved),
				P99Ms:  round(float64(res.Latency.ValueAtQuantile(99)) / 1000),
				Failed: res.Failed + res.Unknown, Lost: lost}, nil
		})
		if err != nil {
			return nil, err
		}
		rep.Policies = append(rep.Policies, r)
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

// floorLoad runs raw INSERT-then-ZADD writes open-loop at rate for d, on
// the stores' own pools (the engine's concurrency).
func floorLoad(ctx context.Context, st *demo.Stores, schema string, rate float64, d time.Duration, prefix string) (CapacityStep, error) {
	insertSQL := "INSERT INTO " + schema + ".posts(id, author_id, title, published_at) VALUES ($1, $2, $3, $4)"
	key := st.Service(demo.Options{}).FeedKey(writeAuthor)
	var (
		mu     sync.Mutex
		lat    []time.Duration
		acked  []string
		failed int
		wg     sync.WaitGroup
	)
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	n := int(d.Seconds() * rate)
	for i := range n {
		intended := start.Add(time.Duration(i) * interval)
		if w := time.Until(intended); w > 0 {
			select {
			case <-time.After(w):
			case <-ctx.Done():
				return CapacityStep{}, ctx.Err()
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := prefix + fmt.Sprint(i)
			at := time.Now()
			_, err := st.PG.ExecContext(ctx, insertSQL, id, writeAuthor, "capacity", at)
			if err == nil {
				err = st.Redis.ZAdd(ctx, key, redis.Z{Score: float64(at.UnixMilli()), Member: id}).Err()
			}
			mu.Lock()
			defer mu.Unlock()
			lat = append(lat, time.Since(intended))
			if err != nil {
				failed++
			} else {
				acked = append(acked, id)
			}
		}()
	}
	started := time.Since(start)
	wg.Wait()
	lost, err := missing(ctx, st, schema, acked)
	if err != nil {
		return CapacityStep{}, err
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p99 := 0.0
	if len(lat) > 0 {
		p99 = ms(lat[max(0, int(math.Ceil(0.99*float64(len(lat))))-1)])
	}
	return CapacityStep{Rate: rate, Achieved: round(float64(n) / max(started.Seconds(), d.Seconds())),
		P99Ms: round(p99), Failed: failed, Lost: lost}, nil
}
