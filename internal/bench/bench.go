// Package bench measures the lesson's claim in one process: what a
// synchronous dual write costs next to its floor (a raw INSERT followed by a
// raw ZADD), and what the Redis read path saves next to the SQL join it
// replaces. Operations are interleaved round by round, in a new random order
// each round, so a noisy neighbour slows every operation alike and the
// ratios stay meaningful.
package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"time"

	"cqrslab/demo"

	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
)

// Config sizes a run.
type Config struct {
	// Iterations per operation (default 1000).
	Iterations int
	// Warmup iterations per operation, not measured (default 100).
	Warmup int
}

// Stat is one operation's latency percentiles in microseconds.
type Stat struct {
	P50 float64 `json:"p50_us"`
	P99 float64 `json:"p99_us"`
}

// Report is a bench run. Field names are what `cqrslab bench --json` prints
// and other checks read.
type Report struct {
	Iterations int `json:"iterations"`
	// Floor is the raw operations through the same hops the engine takes.
	Floor  FloorStats `json:"floor"`
	Engine struct {
		CreatePostP50 float64 `json:"createpost_p50_us"`
		CreatePostP99 float64 `json:"createpost_p99_us"`
		GetFeedP50    float64 `json:"getfeed_p50_us"`
		GetFeedP99    float64 `json:"getfeed_p99_us"`
	} `json:"engine"`
	// FloorDirect is the floor against the servers themselves (see
	// paths.go); zero when the lab gives no direct address.
	FloorDirect FloorStats `json:"floor_direct"`
	// Hops is what each hop between the engine and the servers adds to one
	// round trip, in µs at p50: docker-proxy (published port vs the
	// container's address), the fault proxy (the lab's Toxiproxy vs
	// direct) and the engine's own path (its fault layer in this process,
	// vs direct). A hop the lab does not have is absent.
	Hops   map[string]float64 `json:"hops"`
	Ratios struct {
		CreatePostVsFloor float64 `json:"createpost_vs_floor"`
		GetFeedVsFloor    float64 `json:"getfeed_vs_floor"`
		ReadSpeedupVsSQL  float64 `json:"read_speedup_vs_sql"`
		// The engine against the servers themselves, and the read
		// speedup the servers give (the SQL join over ZREVRANGE, both
		// direct).
		CreatePostVsDirect float64 `json:"createpost_vs_direct,omitempty"`
		GetFeedVsDirect    float64 `json:"getfeed_vs_direct,omitempty"`
		ReadSpeedupDirect  float64 `json:"read_speedup_direct,omitempty"`
	} `json:"ratios"`
	// EnginePath says how the engine reached the servers: "fault-layer"
	// (direct connections that feel the lab's faults) or "proxy".
	EnginePath string `json:"engine_path"`
}

// FloorStats are the raw operations' percentiles on one path.
type FloorStats struct {
	InsertP50     float64 `json:"insert_p50_us"`
	InsertP99     float64 `json:"insert_p99_us"`
	ZAddP50       float64 `json:"zadd_p50_us"`
	ZAddP99       float64 `json:"zadd_p99_us"`
	SequentialP50 float64 `json:"sequential_p50_us"`
	SequentialP99 float64 `json:"sequential_p99_us"`
	ZRevRangeP50  float64 `json:"zrevrange_p50_us"`
	ZRevRangeP99  float64 `json:"zrevrange_p99_us"`
	SQLJoinP50    float64 `json:"sql_join_p50_us"`
	SQLJoinP99    float64 `json:"sql_join_p99_us"`
}

// queries are the statements and keys every path uses.
type queries struct {
	insertSQL, feedSQL string
	title              string
	floorKey, readKey  string
	feedSize           int
	member             func(id string, at time.Time) []byte
}

func (q queries) sqlJoin(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, q.feedSQL, readAuthor, q.feedSize)
	if err != nil {
		return err
	}
	defer rows.Close()
	var id, name, t string
	var at time.Time
	for rows.Next() {
		if err := rows.Scan(&id, &name, &t, &at); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Authors the bench writes as. They are its own, so a learner's feeds are
// untouched, and their posts and keys are removed when the run ends.
const (
	writeAuthor = "bench-writer"
	readAuthor  = "bench-reader"
	feedSeed    = 200 // posts in the read author's feed
)

type op struct {
	name string
	fn   func(ctx context.Context, i int) error
	lat  []time.Duration
}

// Run measures every operation against the lab behind st and returns the
// report. It writes only as its own authors and removes what it wrote.
func Run(ctx context.Context, st *demo.Stores, cfg Config) (*Report, error) {
	if cfg.Iterations <= 0 {
		cfg.Iterations = 1000
	}
	if cfg.Warmup < 0 {
		cfg.Warmup = 0
	} else if cfg.Warmup == 0 {
		cfg.Warmup = 100
	}
	schema := pq.QuoteIdentifier(st.Info.Postgres.Schema)
	svc := st.Service(demo.Options{})
	pg, rdb := st.PG, st.Redis
	for _, a := range []string{writeAuthor, readAuthor} {
		if _, err := pg.ExecContext(ctx, "INSERT INTO "+schema+".authors(id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING", a); err != nil {
			return nil, fmt.Errorf("bench: set up authors: %w", err)
		}
	}
	defer cleanup(st, schema, svc)
	cleanup(st, schema, svc) // leftovers of an interrupted run

	if err := seedFeed(ctx, svc); err != nil {
		return nil, err
	}

	q := queries{
		insertSQL: "INSERT INTO " + schema + ".posts(id, author_id, title, published_at) VALUES ($1, $2, $3, $4)",
		feedSQL: "SELECT p.id, a.name, p.title, p.published_at FROM " + schema + ".posts p JOIN " + schema +
			".authors a ON a.id = p.author_id WHERE p.author_id = $1 ORDER BY p.published_at DESC, p.id DESC LIMIT $2",
		floorKey: svc.FeedKey(writeAuthor) + ":floor",
		readKey:  svc.FeedKey(readAuthor),
		title:    "a post of ordinary length, about as long as a title gets",
		feedSize: demo.DefaultFeedSize,
	}
	q.member = func(id string, at time.Time) []byte {
		b, _ := json.Marshal(demo.FeedItem{PostID: id, AuthorName: writeAuthor, Title: q.title, PublishedAt: at.UnixMilli()})
		return b
	}
	insertSQL, floorKey, readKey, title, member := q.insertSQL, q.floorKey, q.readKey, q.title, q.member
	rawInsert := func(ctx context.Context, id string, at time.Time) error {
		_, err := pg.ExecContext(ctx, insertSQL, id, writeAuthor, title, at)
		return err
	}
	rawZAdd := func(ctx context.Context, id string, at time.Time, m []byte) error {
		return rdb.ZAdd(ctx, floorKey, redis.Z{Score: float64(at.UnixMilli()), Member: m}).Err()
	}
	ops := []*op{
		{name: "insert", fn: func(ctx context.Context, i int) error {
			return rawInsert(ctx, fmt.Sprintf("bi-%d", i), time.Now())
		}},
		{name: "zadd", fn: func(ctx context.Context, i int) error {
			at := time.Now()
			id := fmt.Sprintf("bz-%d", i)
			return rawZAdd(ctx, id, at, member(id, at))
		}},
		{name: "sequential", fn: func(ctx context.Context, i int) error {
			at := time.Now()
			id := fmt.Sprintf("bs-%d", i)
			m := member(id, at)
			if err := rawInsert(ctx, id, at); err != nil {
				return err
			}
			return rawZAdd(ctx, id, at, m)
		}},
		{name: "zrevrange", fn: func(ctx context.Context, i int) error {
			return rdb.ZRevRange(ctx, readKey, 0, demo.DefaultFeedSize-1).Err()
		}},
		{name: "sql_join", fn: func(ctx context.Context, i int) error {
			return q.sqlJoin(ctx, pg)
		}},
		{name: "createpost", fn: func(ctx context.Context, i int) error {
			res, err := svc.CreatePost(ctx, demo.NewPost{ID: fmt.Sprintf("bc-%d", i), AuthorID: writeAuthor, Title: title})
			if err == nil && res.ProjectionErr != nil {
				err = res.ProjectionErr
			}
			return err
		}},
		{name: "getfeed", fn: func(ctx context.Context, i int) error {
			_, err := svc.GetFeed(ctx, readAuthor, 0)
			return err
		}},
	}
	paths, err := openPaths(st.Info)
	if err != nil {
		return nil, err
	}
	defer closePaths(paths)
	for _, p := range paths {
		ops = append(ops, pathOps(p, q)...)
	}
	next := roundOrder(ops)
	for i := range cfg.Warmup + cfg.Iterations {
		for _, o := range next() {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			start := time.Now()
			if err := o.fn(ctx, i); err != nil {
				return nil, fmt.Errorf("bench: %s: %w", o.name, err)
			}
			if i >= cfg.Warmup {
				o.lat = append(o.lat, time.Since(start))
			}
		}
	}
	stat := map[string]Stat{}
	for _, o := range ops {
		stat[o.name] = percentiles(o.lat)
	}
	r := &Report{Iterations: cfg.Iterations}
	f := &r.Floor
	f.InsertP50, f.InsertP99 = stat["insert"].P50, stat["insert"].P99
	f.ZAddP50, f.ZAddP99 = stat["zadd"].P50, stat["zadd"].P99
	f.SequentialP50, f.SequentialP99 = stat["sequential"].P50, stat["sequential"].P99
	f.ZRevRangeP50, f.ZRevRangeP99 = stat["zrevrange"].P50, stat["zrevrange"].P99
	f.SQLJoinP50, f.SQLJoinP99 = stat["sql_join"].P50, stat["sql_join"].P99
	e := &r.Engine
	e.CreatePostP50, e.CreatePostP99 = stat["createpost"].P50, stat["createpost"].P99
	e.GetFeedP50, e.GetFeedP99 = stat["getfeed"].P50, stat["getfeed"].P99
	r.Ratios.CreatePostVsFloor = round(e.CreatePostP50 / f.SequentialP50)
	r.Ratios.GetFeedVsFloor = round(e.GetFeedP50 / f.ZRevRangeP50)
	r.Ratios.ReadSpeedupVsSQL = round(f.SQLJoinP50 / e.GetFeedP50)
	r.EnginePath = "proxy"
	if st.Info.Redis.Dial != nil {
		r.EnginePath = "fault-layer"
	}
	fillDirect(r, stat, len(paths) > 0 && paths[0].name == "direct")
	return r, nil
}

// fillDirect adds the direct floor, the hops and the ratios against the
// direct floor.
func fillDirect(r *Report, stat map[string]Stat, haveDirect bool) {
	r.Hops = map[string]float64{}
	if !haveDirect {
		return
	}
	d := &r.FloorDirect
	get := func(name string) Stat { return stat["direct:"+name] }
	d.InsertP50, d.InsertP99 = get("insert").P50, get("insert").P99
	d.ZAddP50, d.ZAddP99 = get("zadd").P50, get("zadd").P99
	d.SequentialP50, d.SequentialP99 = get("sequential").P50, get("sequential").P99
	d.ZRevRangeP50, d.ZRevRangeP99 = get("zrevrange").P50, get("zrevrange").P99
	d.SQLJoinP50, d.SQLJoinP99 = get("sql_join").P50, get("sql_join").P99
	hop := func(key string, over, base float64) {
		if over > 0 && base > 0 {
			r.Hops[key] = round(over - base)
		}
	}
	for _, p := range []struct{ path, key string }{{"published", "docker_proxy"}, {"proxy", "fault_proxy"}} {
		hop(p.key+"_redis_us", stat[p.path+":zrevrange"].P50, d.ZRevRangeP50)
		hop(p.key+"_postgres_us", stat[p.path+":insert"].P50, d.InsertP50)
	}
	engine := "engine_path"
	if r.EnginePath == "fault-layer" {
		engine = "fault_layer"
	}
	hop(engine+"_redis_us", r.Floor.ZRevRangeP50, d.ZRevRangeP50)
	hop(engine+"_postgres_us", r.Floor.InsertP50, d.InsertP50)
	if d.SequentialP50 > 0 {
		r.Ratios.CreatePostVsDirect = round(r.Engine.CreatePostP50 / d.SequentialP50)
	}
	if d.ZRevRangeP50 > 0 {
		r.Ratios.GetFeedVsDirect = round(r.Engine.GetFeedP50 / d.ZRevRangeP50)
		r.Ratios.ReadSpeedupDirect = round(d.SQLJoinP50 / d.ZRevRangeP50)
	}
}

// roundOrder returns a function giving each round's order: every
// operation once, shuffled anew each round. What runs just before an
// operation changes its time on a 2-core machine: here a ZREVRANGE right
// after an INSERT took 129-155 µs against 53-87 µs right after a ZADD. The
// rotation used before kept every operation behind the same neighbour
// (GetFeed always after CreatePost, the direct ZREVRANGE always after the
// direct ZADD), so a ratio compared neighbours as much as paths; a shuffle
// gives every operation the same mix of predecessors. The seed is fixed:
// two runs use the same orders.
func roundOrder(ops []*op) func() []*op {
	rng := rand.New(rand.NewPCG(1, 2))
	seq := slices.Clone(ops)
	return func() []*op {
		rng.Shuffle(len(seq), func(a, b int) { seq[a], seq[b] = seq[b], seq[a] })
		return seq
	}
}

func percentiles(d []time.Duration) Stat {
	if len(d) == 0 {
		return Stat{}
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	at := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(d)))) - 1
		i = max(0, min(i, len(d)-1))
		return round(float64(d[i]) / float64(time.Microsecond))
	}
	return Stat{P50: at(0.50), P99: at(0.99)}
}

func round(x float64) float64 { return math.Round(x*100) / 100 }

// cleanup removes the bench's posts and keys, on a fresh context so an
// interrupted run still cleans up.
func cleanup(st *demo.Stores, schema string, svc *demo.PostService) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _ = st.PG.ExecContext(ctx, "DELETE FROM "+schema+".posts WHERE author_id IN ($1, $2)", writeAuthor, readAuthor)
	st.Redis.Del(ctx, svc.FeedKey(writeAuthor), svc.FeedKey(writeAuthor)+":floor", svc.FeedKey(readAuthor))
}

// seedFeed writes the read author's feedSeed posts through the engine, a
// few at a time: one by one they cost feedSeed round trips of whatever
// latency a fault adds (20 s of set-up under a 100 ms toxic).
func seedFeed(ctx context.Context, svc *demo.PostService) error {
	const workers = 16
	errs := make(chan error, workers)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				if _, err := svc.CreatePost(ctx, demo.NewPost{AuthorID: readAuthor, Title: fmt.Sprintf("seeded post %d", i)}); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for i := range feedSeed {
		next <- i
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return fmt.Errorf("bench: seed the read feed: %w", err)
	default:
		return nil
	}
}
