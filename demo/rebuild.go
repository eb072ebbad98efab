package demo

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
)

// RebuildReport is what a full rebuild did.
type RebuildReport struct {
	Authors  int           `json:"authors"`
	Posts    int           `json:"posts"`
	CaughtUp int           `json:"caught_up"` // posts committed during the rebuild, added after the swap
	Elapsed  time.Duration `json:"elapsed_ns"`
}

// Rebuild throws the feeds away and writes them again from PostgreSQL: for
// when drift is wholesale (Redis restarted empty, say) and a diff would be
// every member anyway.
//
// Each feed is written into a temporary key and RENAMEd over the live key,
// so readers see the old feed, then the new one, never a half-written one; a
// failure half way leaves the live keys untouched (the temporary keys expire).
// Writes continue meanwhile: the posts are read in one REPEATABLE READ
// snapshot, and after the swap every post that snapshot could not see
// (inserted by a transaction at or after its xmin) is added to the live feed,
// so no post committed during the rebuild is dropped by the RENAME.
func (r *Reconciler) Rebuild(ctx context.Context, authors ...string) (RebuildReport, error) {
	start := time.Now()
	if len(authors) == 0 {
		var err error
		if authors, err = r.allAuthors(ctx); err != nil {
			return RebuildReport{}, err
		}
	}
	posts, snapXmin, err := r.snapshotPosts(ctx, authors)
	if err != nil {
		return RebuildReport{}, err
	}
	tmpSuffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	b := r.newBatch(ctx)
	rep := RebuildReport{Authors: len(authors)}
	for _, a := range authors {
		live, tmp := r.feedKey(a), rebuildTmpKey(r.keyPrefix, r.feedKey(a), tmpSuffix)
		ps := posts[a]
		rep.Posts += len(ps)
		if len(ps) == 0 {
			b.add(1, func(p redis.Pipeliner) { p.Del(ctx, live) })
			continue
		}
		zs := make([]redis.Z, len(ps))
		for i, p := range ps {
			m, _ := json.Marshal(p.Item())
			zs[i] = redis.Z{Score: float64(p.PublishedAt.UnixMilli()), Member: m}
		}
		for s := 0; s < len(zs); s += r.batch() {
			chunk := zs[s:min(s+r.batch(), len(zs))]
			b.add(len(chunk), func(p redis.Pipeliner) { p.ZAdd(ctx, tmp, chunk...) })
		}
		// Should the rebuild die before its RENAME, the temporary key goes
		// away by itself.
		b.add(1, func(p redis.Pipeliner) { p.Expire(ctx, tmp, 10*time.Minute) })
	}
	if err := b.flush(); err != nil {
		return rep, err
	}
	// The swap, in one pipeline.
	for _, a := range authors {
		if len(posts[a]) > 0 {
			live, tmp := r.feedKey(a), rebuildTmpKey(r.keyPrefix, r.feedKey(a), tmpSuffix)
			b.add(1, func(p redis.Pipeliner) { p.Rename(ctx, tmp, live); p.Persist(ctx, live) })
		}
	}
	if err := b.flush(); err != nil {
		return rep, err
	}
	// Catch up with posts committed since the snapshot.
	late, err := r.postsSince(ctx, authors, snapXmin)
	if err != nil {
		return rep, err
	}
	for a, ps := range late {
		for _, p := range ps {
			m, _ := json.Marshal(p.Item())
			z := redis.Z{Score: float64(p.PublishedAt.UnixMilli()), Member: m}
			b.add(1, func(pp redis.Pipeliner) { pp.ZAdd(ctx, r.feedKey(a), z) })
			rep.CaughtUp++
		}
	}
	if err := b.flush(); err != nil {
		return rep, err
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// snapshotPosts reads the authors' posts in one REPEATABLE READ transaction
// and returns its snapshot's xmin: every transaction below it had finished
// when the snapshot was taken.
func (r *Reconciler) snapshotPosts(ctx context.Context, authors []string) (map[string][]Post, string, error) {
	tx, err := r.pg.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, "", fmt.Errorf("rebuild: begin: %w", err)
	}
	defer tx.Rollback()
	var xmin string
	// The 32-bit xid of the snapshot's xmin, comparable with a row's xmin.
	if err := tx.QueryRowContext(ctx, "SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint % 4294967296)::text").
		Scan(&xmin); err != nil {
		return nil, "", fmt.Errorf("rebuild: snapshot: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT p.id, p.author_id, a.name, p.title, p.published_at FROM "+
		pq.QuoteIdentifier(r.schema)+".posts p JOIN "+pq.QuoteIdentifier(r.schema)+
		".authors a ON a.id = p.author_id WHERE p.author_id = ANY($1)", pq.Array(authors))
	if err != nil {
		return nil, "", fmt.Errorf("rebuild: read posts: %w", err)
	}
	posts, err := scanPosts(rows)
	if err != nil {
		return nil, "", err
	}
	return posts, xmin, tx.Commit()
}

// postsSince returns the posts inserted by transactions at or after xmin
// (age() compares xids modulo wraparound).
func (r *Reconciler) postsSince(ctx context.Context, authors []string, xmin string) (map[string][]Post, error) {
	s := pq.QuoteIdentifier(r.schema)
	rows, err := r.pg.QueryContext(ctx, "SELECT p.id, p.author_id, a.name, p.title, p.published_at FROM "+s+
		".posts p JOIN "+s+".authors a ON a.id = p.author_id WHERE p.author_id = ANY($1) AND age(p.xmin) <= age($2::xid)",
		pq.Array(authors), xmin)
	if err != nil {
		return nil, fmt.Errorf("rebuild: catch up: %w", err)
	}
	return scanPosts(rows)
}

// IsRebuildKey reports whether a key is a rebuild's temporary key (see
// rebuildTmpKey).
func IsRebuildKey(key string) bool {
	return strings.Contains(key, ":rebuild:") || strings.Contains(key, "rebuild:{")
}
