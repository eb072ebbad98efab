package experiment

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/ctxsleep"

	"github.com/lib/pq"
)

// What a lagging PostgreSQL replica does to reads (scenario pg-replica-lag,
// topology ha): while the load writes to the primary, a watcher reads the
// SQL feed from the primary and from the replica side by side, and counts
// what the replica lacks. The experiment's own reconciler reads the
// primary, as it must; twice a second, the watcher also runs a read-only
// Check through a reconciler reading the replica, to count the live
// members such a reconciler would call unexpected and delete.

// PostgresReport is the replica's part of a report (ha scenarios that read
// the replica; nil elsewhere).
type PostgresReport struct {
	// ReplicaFeedReads counts SQL feed reads made on the replica (one
	// author at a time, the newest demo.DefaultFeedSize posts);
	// ReplicaFeedStale those that lacked a post the primary's feed read
	// just before had; ReplicaFeedMissingMax the most posts one such read
	// lacked (at most the window).
	ReplicaFeedReads      int `json:"replica_feed_reads"`
	ReplicaFeedStale      int `json:"replica_feed_stale_reads"`
	ReplicaFeedMissingMax int `json:"replica_feed_missing_max"`
	// ReplicaBehindMax is the most posts of the run committed on the
	// primary and missing on the replica at one time (the primary counted
	// first, so a post committed between the two reads is not counted).
	ReplicaBehindMax int `json:"replica_behind_max"`
	// ReplicaLagMs is the longest replay lag measured on the replica:
	// now - pg_last_xact_replay_timestamp() while it had received WAL it
	// had not applied (0 when it was never behind).
	ReplicaLagMs float64 `json:"replica_lag_ms"`
	// ReplicaCaughtUpMs is when, from the load's start, the replica was
	// first seen with every post of the run again after the heal (0: never
	// seen, though the run waited up to replicaCatchUpWait after the load).
	ReplicaCaughtUpMs float64 `json:"replica_caught_up_after_ms"`
	// ReplicaReconcilerUnexpectedMax is the most live feed members a
	// reconciler reading the replica called unexpected (members of posts
	// it could not see), which its Repair would have deleted. The run's
	// reconciler reads the primary.
	ReplicaReconcilerUnexpectedMax int `json:"replica_reconciler_unexpected_max"`
	// Samples is how many times the watcher compared the two;
	// SampleErrors how many tries failed, the last one's error in
	// LastSampleError.
	Samples         int    `json:"samples"`
	SampleErrors    int    `json:"sample_errors"`
	LastSampleError string `json:"last_sample_error,omitempty"`
}

// replicaEvery is the watcher's period.
const replicaEvery = 100 * time.Millisecond

type replicaWatch struct {
	primary, replica *sql.DB
	svc              *demo.PostService
	authors          []string
	posts            string // the run's posts table, quoted
	start            time.Time

	mu     sync.Mutex
	rep    PostgresReport
	healed time.Time
	errs   int
	last   error

	stopc chan struct{}
	done  chan struct{}
}

// newReplicaWatch opens the replica of info (nil when the lab has none).
func newReplicaWatch(info lab.Info, st *demo.Stores, svc *demo.PostService, start time.Time) (*replicaWatch, error) {
	if info.PostgresReplica == nil {
		return nil, nil
	}
	r := *info.PostgresReplica
	r.Schema = info.Postgres.Schema
	db, err := sql.Open("postgres", r.DSN())
	if err != nil {
		return nil, fmt.Errorf("postgres replica: %w", err)
	}
	db.SetMaxOpenConns(4)
	return &replicaWatch{primary: st.PG, replica: db, svc: svc, authors: demo.DefaultLoadAuthors(),
		posts: pq.QuoteIdentifier(info.Postgres.Schema) + ".posts", start: start,
		stopc: make(chan struct{}), done: make(chan struct{})}, nil
}

func (w *replicaWatch) run() {
	defer close(w.done)
	var wg sync.WaitGroup
	wg.Go(func() { w.loop(replicaEvery, w.sample) })
	// The replica-reading reconciler's Check reads every feed and post of
	// the run: a loop of its own, so it does not thin out the samples.
	wg.Go(func() { w.loop(5*replicaEvery, w.checkOnReplica) })
	wg.Wait()
}

// loop calls try every period until stop, counting its errors.
func (w *replicaWatch) loop(period time.Duration, try func(ctx context.Context, i int) error) {
	t := time.NewTicker(period)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-w.stopc:
			return
		case <-t.C:
		}
		// Generous: on a loaded machine one round trip can take a
		// second; a tick missed meanwhile is just skipped.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := try(ctx, i)
		cancel()
		w.noteErr(err)
	}
}

// noteErr counts a failed try (nil: none) and keeps it as the last error.
func (w *replicaWatch) noteErr(err error) {
	if err == nil {
		return
	}
	w.mu.Lock()
	w.errs++
	w.last = err
	w.mu.Unlock()
}

// both runs two reads side by side.
func both(a, b func() error) error {
	errc := make(chan error, 1)
	go func() { errc <- a() }()
	eb := b()
	if ea := <-errc; ea != nil {
		return ea
	}
	return eb
}

// replicaLagSQL is the replica's replay lag in ms: 0 when it has applied
// all the WAL it received, else the age of the last transaction it
// applied.
const replicaLagSQL = "CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 " +
	"ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000, 0) END"

// sample compares one author's SQL feed and the run's post count on the
// replica with the primary's, read first (each side's two reads side by
// side: on a loaded machine every round trip counts).
func (w *replicaWatch) sample(ctx context.Context, i int) error {
	author := w.authors[i%len(w.authors)]
	var onPrimary, onReplica []demo.FeedItem
	var primaryRows, replicaRows int
	var lagMs float64
	err := both(func() (err error) {
		onPrimary, err = w.svc.GetFeedSQL(ctx, author, demo.DefaultFeedSize)
		return err
	}, func() error {
		return w.primary.QueryRowContext(ctx, "SELECT count(*) FROM "+w.posts).Scan(&primaryRows)
	})
	if err != nil {
		return fmt.Errorf("primary: %w", err)
	}
	err = both(func() (err error) {
		onReplica, err = w.svc.GetFeedSQLOn(ctx, w.replica, author, demo.DefaultFeedSize)
		return err
	}, func() error {
		return w.replica.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM "+w.posts+"), "+replicaLagSQL).
			Scan(&replicaRows, &lagMs)
	})
	if err != nil {
		return fmt.Errorf("replica: %w", err)
	}
	have := map[string]bool{}
	for _, it := range onReplica {
		have[it.PostID] = true
	}
	feedMissing := 0
	for _, it := range onPrimary {
		if !have[it.PostID] {
			feedMissing++
		}
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	r := &w.rep
	r.Samples++
	r.ReplicaFeedReads++
	if feedMissing > 0 {
		r.ReplicaFeedStale++
	}
	r.ReplicaFeedMissingMax = max(r.ReplicaFeedMissingMax, feedMissing)
	behind := max(primaryRows-replicaRows, 0)
	r.ReplicaBehindMax = max(r.ReplicaBehindMax, behind)
	r.ReplicaLagMs = max(r.ReplicaLagMs, round2(lagMs))
	if !w.healed.IsZero() && r.ReplicaCaughtUpMs == 0 && behind == 0 {
		r.ReplicaCaughtUpMs = ms(time.Since(w.start))
	}
	return nil
}

// checkOnReplica runs a read-only Check through a reconciler reading the
// replica and keeps the most live members it called unexpected.
func (w *replicaWatch) checkOnReplica(ctx context.Context, _ int) error {
	d, err := w.svc.ReconcilerOn(w.replica).Check(ctx)
	if err != nil {
		return fmt.Errorf("reconciler on the replica: %w", err)
	}
	w.mu.Lock()
	w.rep.ReplicaReconcilerUnexpectedMax = max(w.rep.ReplicaReconcilerUnexpectedMax, d.Unexpected)
	w.mu.Unlock()
	return nil
}

// beforeHeal takes one more sample just before the fault is healed, when
// a paused replica is furthest behind: on a loaded machine the periodic
// samples may be seconds apart and miss the pause. The heal waits for it
// (bounded), so the pause lasts that much longer than asked.
func (w *replicaWatch) beforeHeal(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	w.noteErr(w.sample(ctx, 0))
}

// healedAt tells the watcher the fault was healed (the first call counts),
// from when it looks for the replica to have caught up.
func (w *replicaWatch) healedAt(t time.Time) {
	w.mu.Lock()
	if w.healed.IsZero() {
		w.healed = t
	}
	w.mu.Unlock()
}

// replicaCatchUpWait bounds how long a finished run waits to see the
// replica caught up when no sample after the heal has: on a loaded machine
// the periodic samples can be a second apart (8 in a whole run at load 10
// in CI), and the report would say "never seen" of a replica that had
// caught up.
const replicaCatchUpWait = 10 * time.Second

// awaitCatchUp samples until one after the heal finds the replica with
// every post of the run, for at most replicaCatchUpWait or until ctx ends.
// The load is over, so a replica that replays catches up and stays there;
// one that does not is reported as never seen to.
func (w *replicaWatch) awaitCatchUp(ctx context.Context) {
	deadline := time.Now().Add(replicaCatchUpWait)
	for i := 0; ; i++ {
		w.mu.Lock()
		done := w.healed.IsZero() || w.rep.ReplicaCaughtUpMs != 0
		w.mu.Unlock()
		if done || !time.Now().Before(deadline) {
			return
		}
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := w.sample(sctx, i)
		cancel()
		w.noteErr(err)
		if !ctxsleep.Sleep(ctx, replicaEvery) {
			return
		}
	}
}

// stop ends the watcher, closes the replica pool and returns the figures;
// an error when no sample could be taken at all.
func (w *replicaWatch) stop() (*PostgresReport, error) {
	close(w.stopc)
	<-w.done
	w.replica.Close()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.rep.Samples == 0 && w.last != nil {
		return nil, fmt.Errorf("replica watcher: no sample taken (%d errors, last: %w)", w.errs, w.last)
	}
	rep := w.rep
	rep.SampleErrors = w.errs
	if w.last != nil {
		rep.LastSampleError = w.last.Error()
	}
	return &rep, nil
}
