package experiment

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/ctxsleep"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
)

// FaultDriver is what an experiment needs of a lab's faults. *lab.Lab
// provides it through LabFaults.
type FaultDriver interface {
	// Supports says whether the lab can do a fault, and why not.
	Supports(spec string) error
	Inject(ctx context.Context, spec string) error
	HealAll(ctx context.Context) error
}

// Config is one run: a scenario, a policy, and overrides of the scenario's
// load.
type Config struct {
	Scenario Scenario
	Policy   demo.PolicyName
	Rate     float64       // 0: the scenario's
	Duration time.Duration // 0: the scenario's
	Budget   demo.Budget
	// Keep leaves the run's schema and keys in place for inspection.
	Keep bool
	// Progress, if set, hears what the run is doing.
	Progress func(string)
	// RecoveryAllowance is how long after the heal the write path may still
	// miss ZADDs (0: DefaultRecoveryAllowance).
	RecoveryAllowance time.Duration
	// MaxInFlight caps writes in flight; beyond it writes are shed (0: the
	// load generator's default, 20,000).
	MaxInFlight int
	// RedisWait, when Replicas > 0, WAITs for replicas after every ZADD
	// (the ha topology's latency-for-safety knob).
	RedisWait demo.RedisWait
}

// Run runs one experiment against the lab described by info, whose faults
// driver drives. Each run writes in a namespace of its own (schema and key
// prefix), so runs never see each other's posts. When ctx ends (a signal),
// the report says "interrupted" and keeps the figures measured so far; the
// error is then nil, so the caller can still print it.
func Run(ctx context.Context, info lab.Info, driver FaultDriver, cfg Config) (*Report, error) {
	sc := cfg.Scenario
	rate, dur := sc.Rate, sc.Duration
	if cfg.Rate > 0 {
		rate = cfg.Rate
	}
	if cfg.Duration > 0 {
		dur = cfg.Duration
	}
	say := cfg.Progress
	if say == nil {
		say = func(string) {}
	}
	rep := &Report{Scenario: sc.Name, Policy: string(cfg.Policy), RedisWait: cfg.RedisWait.String()}
	rep.Fault.Spec, rep.Fault.AtMs, rep.Fault.ForMs = sc.Fault, sc.At.Milliseconds(), sc.For.Milliseconds()
	rep.Rate.Target = rate
	if sc.Fault != CrashFault {
		if err := driver.Supports(sc.Fault); err != nil {
			rep.Status, rep.Reason = "unavailable", err.Error()
			return rep, nil
		}
	}

	var b [3]byte
	_, _ = rand.Read(b[:])
	ns := fmt.Sprintf("exp_%s_%s_%s", strings.ReplaceAll(sc.Name, "-", "_"), cfg.Policy, hex.EncodeToString(b[:]))
	info.Postgres.Schema, info.Redis.KeyPrefix = ns, ns+":"
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	st, err := demo.Connect(cctx, info)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			rep.interrupted(time.Time{}, dur, "while connecting")
			return rep, nil
		}
		return nil, err
	}
	defer st.Close()
	if !cfg.Keep {
		defer dropNamespace(st, ns)
	}
	// The seed logs a warning per failed write; at hundreds of writes a
	// second that is noise here, and the report counts them instead.
	if rc, ok := st.Redis.(*redis.Client); ok && cfg.RedisWait.Replicas > 0 { // not on a cluster
		rc.AddHook(cfg.RedisWait.Hook(rc)) // this run's own client
	}
	svc := st.Service(demo.Options{Policy: cfg.Policy, Budget: cfg.Budget, RedisWait: cfg.RedisWait,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()

	say("warm up")
	if err := warm(runCtx, st, svc); err != nil {
		if ctx.Err() != nil {
			rep.interrupted(time.Time{}, dur, "while warming up")
			return rep, nil
		}
		return nil, err
	}

	// The fault, on its timeline.
	start := time.Now()
	var replica *replicaWatch
	if sc.ReplicaReads {
		if replica, err = newReplicaWatch(info, st, svc, start); err != nil {
			return nil, err
		}
	}
	if replica != nil {
		go replica.run()
		defer func() {
			if replica != nil {
				_, _ = replica.stop()
			}
		}()
	}
	var (
		faultMu            sync.Mutex
		faultStart, healed time.Time
		faultErr           error
	)
	faultDone := make(chan struct{})
	go func() {
		defer close(faultDone)
		if !ctxsleep.Sleep(runCtx, sc.At) {
			return
		}
		faultMu.Lock()
		faultStart = time.Now()
		faultMu.Unlock()
		say(fmt.Sprintf("inject %s", sc.Fault))
		if sc.Fault == CrashFault {
			svc.SetCrashPoint(true)
		} else if err := driver.Inject(runCtx, sc.Fault); err != nil {
			faultMu.Lock()
			faultErr = err
			faultMu.Unlock()
			return
		}
		if sc.For > 0 && !ctxsleep.Sleep(runCtx, sc.For) {
			return
		}
		if replica != nil {
			replica.beforeHeal(runCtx)
		}
		heal(ctx, sc, svc, driver)
		faultMu.Lock()
		healed = time.Now()
		faultMu.Unlock()
		if replica != nil {
			replica.healedAt(healed)
		}
		say("healed")
	}()

	var watch *lagWatcher
	if len(info.Redis.Sentinels) > 0 {
		watch = newLagWatcherHA(info.Redis)
	} else if len(info.Redis.Cluster) > 0 {
		watch = newLagWatcherCluster(info.Redis)
	} else {
		watch = newLagWatcher(redisAddrOf(info, driver), info.Redis.Password)
	}
	go watch.run()
	watchStopped := false
	defer func() {
		if !watchStopped {
			watch.stop()
		}
	}()

	window := hdrhistogram.New(1, 120_000_000, 3)
	var windowMu sync.Mutex
	winStart, winEnd := start.Add(sc.At), start.Add(sc.At+max(sc.For, time.Second))
	say(fmt.Sprintf("load %.0f writes/s for %v", rate, dur))
	writes := &writeLog{start: start}
	res, err := demo.RunLoad(runCtx, svc, demo.LoadConfig{Rate: rate, Duration: dur, IDPrefix: "w",
		MaxInFlight: cfg.MaxInFlight, OnWrite: func(w demo.Write) {
			writes.add(w)
			watch.add(w, svc.FeedKey(w.Post.AuthorID))
			if !w.Intended.Before(winStart) && w.Intended.Before(winEnd) {
				windowMu.Lock()
				_ = window.RecordValue(max(w.Latency.Microseconds(), 1))
				windowMu.Unlock()
			}
		}}, nil)
	if err != nil {
		return nil, err
	}
	<-faultDone
	// An inject cut short by the interrupt is the interrupt, not a fault
	// the lab could not do: the run ends as interrupted below.
	if faultErr != nil && ctx.Err() == nil {
		return nil, fmt.Errorf("inject %s: %w", sc.Fault, faultErr)
	}
	// Make sure everything is healed (an instant fault, or a load shorter
	// than the fault) before repairing.
	heal(ctx, sc, svc, driver)
	if healed.IsZero() {
		healed = time.Now()
	}
	if replica != nil {
		replica.healedAt(healed)
	}
	rep.Fault.Injected = !faultStart.IsZero()
	rep.Fault.HealedMs = ms(healed.Sub(start))

	fill(rep, res, window, svc, dur)
	rep.Samples = writes.samples
	if ctx.Err() != nil {
		rep.interrupted(start, dur, "during the load")
		return rep, nil
	}
	allowance := cfg.RecoveryAllowance
	if allowance <= 0 {
		allowance = DefaultRecoveryAllowance
	}
	say("check the write path")
	rep.WritePath = checkWritePath(runCtx, svc, writes, healed, allowance)
	// The feed is stale from the first failed projection; when none failed
	// but members are missing anyway (Redis lost its data, a write
	// committed as PostgreSQL went away), from the moment of the fault.
	staleSince := res.FirstProjectionErr
	if staleSince.IsZero() {
		staleSince = faultStart
		if staleSince.IsZero() {
			staleSince = start
		}
	}
	if err := converge(ctx, st, svc, rep, res, writes, staleSince, watch, say); err != nil {
		if ctx.Err() != nil {
			rep.interrupted(start, dur, "during the repair")
			return rep, nil
		}
		return nil, err
	}
	if ctx.Err() != nil {
		rep.interrupted(start, dur, "during the repair")
		return rep, nil
	}
	rep.Lag = watch.stop()
	watchStopped = true
	if replica != nil {
		w := replica
		replica = nil
		w.awaitCatchUp(runCtx)
		if rep.Postgres, err = w.stop(); err != nil {
			return nil, err
		}
	}
	// The feed was behind PostgreSQL for as long as the slowest write's
	// member took to arrive; when Redis also lost members it had shown
	// (restart_data_loss), for as long as those were gone: from the fault
	// (or the first missed ZADD) to convergence.
	if c := &rep.Consistency; c.Converged {
		c.StaleWindowMs = max(rep.Lag.Max, c.lossWindowMs)
	}
	stopRun()
	rep.judge()
	return rep, nil
}

// redisAddrOf says where the lag watcher finds the Redis server itself:
// the lab's current address when the driver knows it (a restart moves the
// server), else the direct address recorded in info, else the proxy's.
func redisAddrOf(info lab.Info, driver FaultDriver) func() string {
	if d, ok := driver.(interface{ redisAddr() string }); ok {
		return d.redisAddr
	}
	addr := info.Redis.Direct().Addr
	return func() string { return addr }
}

func heal(ctx context.Context, sc Scenario, svc *demo.PostService, driver FaultDriver) {
	svc.SetCrashPoint(false)
	if sc.Fault != CrashFault {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		_ = driver.HealAll(hctx)
		cancel()
	}
}

func fill(rep *Report, res *demo.LoadResult, window *hdrhistogram.Histogram, svc *demo.PostService,
	dur time.Duration) {
	rep.Writes.Attempted, rep.Writes.Acknowledged = res.Attempted, res.Acknowledged
	rep.Writes.Failed, rep.Writes.Unknown = res.Failed, res.Unknown
	rep.Writes.Scheduled, rep.Writes.Shed, rep.Writes.NotStarted = res.Scheduled, res.Shed, res.NotStarted
	rep.Rate.Started = round2(float64(res.Attempted) / dur.Seconds())
	rep.Rate.Shed = round2(float64(res.Shed) / dur.Seconds())
	rep.Load = checkLoad(res, rep.Rate.Target)
	rep.Writes.RolledBack = res.RolledBack
	rep.Latency = percentiles(res.Latency)
	rep.FaultLatency = percentiles(window)
	rep.Rate.Achieved = round2(res.Achieved)
	rep.Redis.Errors, rep.Redis.PoolTimeouts = res.ProjectionErrors, res.PoolTimeouts
	if br := svc.Breaker(); br != nil {
		rep.Redis.Breaker = br.Changes()
	}
	rep.Errors = res.Errors
	for _, t := range res.Series {
		rep.Series = append(rep.Series, Second{Second: t.Second, Started: t.Started, Completed: t.Completed, Shed: t.Shed,
			P50Ms: t.P50Ms, P99Ms: t.P99Ms, InFlight: t.InFlight, RedisErrors: t.ProjectionErrors,
			PoolTimeouts: t.PoolTimeouts, PoolTotal: t.PoolTotal, PoolIdle: t.PoolIdle})
	}
}

// converge waits for both stores to answer, counts what the feed is
// missing, repairs (the outbox relay first, then the reconciler: a diff, or
// a full rebuild when most of the feed is gone), and checks again.
func converge(ctx context.Context, st *demo.Stores, svc *demo.PostService, rep *Report, res *demo.LoadResult,
	writes *writeLog, staleSince time.Time, watch *lagWatcher, say func(string)) error {
	healedAt := time.Now()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for st.Redis.Ping(wctx).Err() != nil || st.PG.PingContext(wctx) != nil {
		if !ctxsleep.Sleep(wctx, 100*time.Millisecond) {
			if err := ctx.Err(); err != nil {
				return err // interrupted: say so, not that the stores were silent
			}
			return fmt.Errorf("stores did not answer within 30 s of healing")
		}
	}
	rec := svc.Reconciler()
	before, err := rec.Check(wctx)
	if err != nil {
		return err
	}
	rep.Consistency.PGRows = before.Rows
	rep.Consistency.MissingBeforeRepair = before.Missing
	if err := accountFailover(wctx, rec, before, writes, rep); err != nil {
		return err
	}
	// Members missing that no write is still waiting for were in the feed
	// and are gone: Redis lost data.
	lostFromFeed := before.Missing > watch.waiting()
	lost, err := countLost(wctx, st, res.AckedIDs)
	if err != nil {
		return err
	}
	rep.Consistency.Lost = lost

	rep.Consistency.Repair = "none"
	for attempt := 0; ; attempt++ {
		_ = svc.CatchUp(wctx) // the policy's own repair first (the outbox relay)
		d, err := rec.Check(wctx)
		if err == nil && d.Converged() {
			c := &rep.Consistency
			c.Missing, c.Unexpected, c.Duplicates, c.Converged = 0, 0, 0, true
			c.ConvergeMs = ms(time.Since(healedAt))
			if lostFromFeed {
				c.lossWindowMs = ms(time.Since(staleSince))
			}
			return nil
		}
		if attempt >= 5 || wctx.Err() != nil {
			c := &rep.Consistency
			c.Missing, c.Unexpected, c.Duplicates = d.Missing, d.Unexpected, d.Duplicates
			return nil
		}
		if d.Missing > d.Rows/2 {
			rep.Consistency.Repair = "rebuild"
			say("rebuild")
			_, err = rec.Rebuild(wctx)
		} else {
			if rep.Consistency.Repair == "none" {
				rep.Consistency.Repair = "diff"
			}
			say("repair")
			_, err = rec.Repair(wctx)
		}
		if err != nil {
			ctxsleep.Sleep(wctx, 200*time.Millisecond)
		}
	}
}

// countLost counts acknowledged posts that PostgreSQL does not have.
func countLost(ctx context.Context, st *demo.Stores, acked []string) (int, error) {
	if len(acked) == 0 {
		return 0, nil
	}
	var found int
	err := st.PG.QueryRowContext(ctx, "SELECT count(*) FROM "+pq.QuoteIdentifier(st.Info.Postgres.Schema)+
		".posts WHERE id = ANY($1)", pq.Array(acked)).Scan(&found)
	if err != nil {
		return 0, fmt.Errorf("count lost writes: %w", err)
	}
	return len(acked) - found, nil
}

func dropNamespace(st *demo.Stores, ns string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _ = st.PG.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+pq.QuoteIdentifier(ns)+" CASCADE")
	keys, _ := demo.ScanKeys(ctx, st.Redis, ns+":*") // every primary of a cluster
	_ = demo.DelKeys(ctx, st.Redis, keys...)
}

func percentiles(h *hdrhistogram.Histogram) Percentiles {
	if h.TotalCount() == 0 {
		return Percentiles{}
	}
	q := func(p float64) float64 { return round2(float64(h.ValueAtQuantile(p)) / 1000) }
	return Percentiles{Count: h.TotalCount(), P50: q(50), P99: q(99), P999: q(99.9), Max: round2(float64(h.Max()) / 1000)}
}

func ms(d time.Duration) float64 { return round2(float64(d.Microseconds()) / 1000) }

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }
