package demo

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"sync"

	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
)

// Reconciler finds where the feed projection has drifted from PostgreSQL
// and repairs it. PostgreSQL is the source of truth: the feed is always
// rebuildable from it, which is what makes the synchronous dual write safe
// to run without distributed transactions.
type Reconciler struct {
	pg        *sql.DB
	rdb       redis.UniversalClient
	schema    string
	keyPrefix string
	q         queries
	// Batch is how many Redis commands go in one pipeline (default 2000).
	Batch int
}

// Reconciler returns a reconciler over the service's stores and namespace.
// It writes with the plain client (no budget): repairs are not on a user's
// request path.
func (s *PostService) Reconciler() *Reconciler {
	return &Reconciler{pg: s.pg, rdb: s.rdb, schema: s.opts.Schema, keyPrefix: s.opts.KeyPrefix, q: s.q, Batch: 2000}
}

// ReconcilerOn is Reconciler reading PostgreSQL through db (a replica).
// Chapter two uses it to show what a reconciler reading a lagging replica
// gets wrong: members of posts the replica lacks look unexpected, and its
// Repair would delete them. The lab's own repairs use Reconciler.
func (s *PostService) ReconcilerOn(db *sql.DB) *Reconciler {
	r := s.Reconciler()
	r.pg = db
	return r
}

// AuthorDrift compares one author's posts with their feed.
type AuthorDrift struct {
	Author      string `json:"author"`
	Rows        int    `json:"rows"`    // posts in PostgreSQL
	Members     int    `json:"members"` // ZCARD of the feed
	NewestRow   int64  `json:"newest_row_ms"`
	NewestScore int64  `json:"newest_score_ms"`
	// Checksums of the post IDs on each side (order-independent), so a
	// drift with equal counts still shows.
	RowsChecksum    uint64 `json:"rows_checksum"`
	MembersChecksum uint64 `json:"members_checksum"`
	// Missing: posts whose canonical member is not in the feed.
	Missing int `json:"missing"`
	// Unexpected: members naming no post in PostgreSQL (or not decodable).
	Unexpected int `json:"unexpected"`
	// Duplicates: members for a real post that are not its canonical
	// member (a second copy, or an old version after its content changed).
	Duplicates int `json:"duplicates"`
	// InFlight: of the missing, posts committed by a CreatePost of this
	// process whose Redis step has not returned yet. They are counted in
	// Missing (the feed lacks them now) and shown apart, since they may
	// arrive any moment.
	InFlight int `json:"in_flight"`

	missing []redis.Z
	remove  []any
}

// Drifted reports whether the feed differs from PostgreSQL.
func (d AuthorDrift) Drifted() bool { return d.Missing+d.Unexpected+d.Duplicates > 0 }

// Drift sums a check over every author.
type Drift struct {
	Authors    []AuthorDrift `json:"authors"`
	Rows       int           `json:"rows"`
	Members    int           `json:"members"`
	Missing    int           `json:"missing"`
	Unexpected int           `json:"unexpected"`
	Duplicates int           `json:"duplicates"`
	InFlight   int           `json:"in_flight"` // of the missing, writes still in flight
}

// Drifted lists the authors whose feeds differ from PostgreSQL.
func (d Drift) Drifted() []string {
	var out []string
	for _, a := range d.Authors {
		if a.Drifted() {
			out = append(out, a.Author)
		}
	}
	return out
}

// Converged reports whether every feed matches PostgreSQL exactly.
func (d Drift) Converged() bool { return d.Missing+d.Unexpected+d.Duplicates == 0 }

func (r *Reconciler) feedKey(author string) string { return r.keyPrefix + "feed:" + author }

// Check compares the feeds of the given authors (all authors known to either
// store when none are given) with PostgreSQL. It reads Redis before
// PostgreSQL: a member is only ever written after its post commits, so any
// member seen in Redis has its post visible to the later PostgreSQL read, and
// a write racing the check can show up as missing (repaired idempotently)
// but never as unexpected.
func (r *Reconciler) Check(ctx context.Context, authors ...string) (Drift, error) {
	if len(authors) == 0 {
		var err error
		if authors, err = r.allAuthors(ctx); err != nil {
			return Drift{}, err
		}
	}
	feeds, err := r.readFeeds(ctx, authors)
	if err != nil {
		return Drift{}, err
	}
	posts, err := r.readPosts(ctx, authors)
	if err != nil {
		return Drift{}, err
	}
	var d Drift
	for _, a := range authors {
		ad := compare(a, posts[a], feeds[a])
		ad.InFlight = inFlight(r.keyPrefix+"feed:"+a, ad.missing)
		d.InFlight += ad.InFlight
		d.Authors = append(d.Authors, ad)
		d.Rows += ad.Rows
		d.Members += ad.Members
		d.Missing += ad.Missing
		d.Unexpected += ad.Unexpected
		d.Duplicates += ad.Duplicates
	}
	return d, nil
}

// Repair fixes drift by difference: it adds missing members and removes
// unexpected and duplicate ones, leaving correct members untouched. It is
// idempotent and safe while writes continue (see Check). It returns the drift
// it found before repairing.
func (r *Reconciler) Repair(ctx context.Context, authors ...string) (Drift, error) {
	d, err := r.Check(ctx, authors...)
	if err != nil {
		return d, err
	}
	b := r.newBatch(ctx)
	for _, a := range d.Authors {
		if len(a.missing) > 0 {
			for start := 0; start < len(a.missing); start += r.batch() {
				chunk := a.missing[start:min(start+r.batch(), len(a.missing))]
				b.add(len(chunk), func(p redis.Pipeliner) { p.ZAdd(ctx, r.feedKey(a.Author), chunk...) })
			}
		}
		if len(a.remove) > 0 {
			b.add(len(a.remove), func(p redis.Pipeliner) { p.ZRem(ctx, r.feedKey(a.Author), a.remove...) })
		}
	}
	return d, b.flush()
}

func (r *Reconciler) batch() int {
	if r.Batch <= 0 {
		return 2000
	}
	return r.Batch
}

// compare builds one author's drift from their posts and feed members.
func compare(author string, posts []Post, feed []redis.Z) AuthorDrift {
	d := AuthorDrift{Author: author, Rows: len(posts), Members: len(feed)}
	want := make(map[string]Post, len(posts)) // canonical member -> post
	ids := make(map[string]bool, len(posts))
	for _, p := range posts {
		m, _ := json.Marshal(p.Item())
		want[string(m)] = p
		ids[p.ID] = true
		d.RowsChecksum += idHash(p.ID)
		d.NewestRow = max(d.NewestRow, p.PublishedAt.UnixMilli())
	}
	present := make(map[string]bool, len(feed))
	for _, z := range feed {
		m, _ := z.Member.(string)
		d.NewestScore = max(d.NewestScore, int64(z.Score))
		p, canonical := want[m]
		if canonical && float64(p.PublishedAt.UnixMilli()) == z.Score {
			present[m] = true
			d.MembersChecksum += idHash(p.ID)
			continue
		}
		d.remove = append(d.remove, m)
		if it, ok := decodeMember(m); ok && ids[it.PostID] {
			d.Duplicates++
		} else {
			d.Unexpected++
		}
	}
	for m, p := range want {
		if !present[m] {
			d.Missing++
			d.missing = append(d.missing, redis.Z{Score: float64(p.PublishedAt.UnixMilli()), Member: m})
		}
	}
	return d
}

// idHash is the per-ID term of the checksums: summed, so order does not
// matter and adding one ID changes the sum.
func idHash(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// allAuthors is every author in PostgreSQL plus every author with a feed key
// in Redis (a feed for an author PostgreSQL does not know is all unexpected).
func (r *Reconciler) allAuthors(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	rows, err := r.pg.QueryContext(ctx, r.q.authorsAll)
	if err != nil {
		return nil, fmt.Errorf("reconcile: list authors: %w", err)
	}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return nil, err
		}
		seen[a] = true
	}
	rows.Close()
	prefix := r.feedKey("")
	keys, err := scanKeys(ctx, r.rdb, escapeGlob(prefix)+"*") // every primary of a cluster
	if err != nil {
		return nil, fmt.Errorf("reconcile: scan feeds: %w", err)
	}
	for _, k := range keys {
		a := strings.TrimPrefix(k, prefix)
		if validateID("author", a) == nil { // not a temporary rebuild key or a foreign key
			seen[a] = true
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out, nil
}

func escapeGlob(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)
	return r.Replace(s)
}

func (r *Reconciler) readFeeds(ctx context.Context, authors []string) (map[string][]redis.Z, error) {
	out := make(map[string][]redis.Z, len(authors))
	for start := 0; start < len(authors); start += 100 {
		chunk := authors[start:min(start+100, len(authors))]
		pipe := r.rdb.Pipeline()
		cmds := make([]*redis.ZSliceCmd, len(chunk))
		for i, a := range chunk {
			cmds[i] = pipe.ZRangeWithScores(ctx, r.feedKey(a), 0, -1)
		}
		if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
			return nil, fmt.Errorf("reconcile: read feeds: %w", err)
		}
		for i, a := range chunk {
			out[a] = cmds[i].Val()
		}
	}
	return out, nil
}

func (r *Reconciler) readPosts(ctx context.Context, authors []string) (map[string][]Post, error) {
	rows, err := r.pg.QueryContext(ctx, "SELECT p.id, p.author_id, a.name, p.title, p.published_at FROM "+
		pq.QuoteIdentifier(r.schema)+".posts p JOIN "+pq.QuoteIdentifier(r.schema)+
		".authors a ON a.id = p.author_id WHERE p.author_id = ANY($1)", pq.Array(authors))
	if err != nil {
		return nil, fmt.Errorf("reconcile: read posts: %w", err)
	}
	return scanPosts(rows)
}

func scanPosts(rows *sql.Rows) (map[string][]Post, error) {
	defer rows.Close()
	out := map[string][]Post{}
	for rows.Next() {
		var p Post
		if err := rows.Scan(&p.ID, &p.AuthorID, &p.AuthorName, &p.Title, &p.PublishedAt); err != nil {
			return nil, fmt.Errorf("reconcile: read posts: %w", err)
		}
		p.PublishedAt = p.PublishedAt.UTC()
		out[p.AuthorID] = append(out[p.AuthorID], p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reconcile: read posts: %w", err)
	}
	return out, nil
}

// pipeBatch queues Redis commands and sends them in pipelines of bounded
// size, so a rebuild of 100,000 members is a few dozen round trips, not
// 100,000, and never one giant request.
type pipeBatch struct {
	ctx  context.Context
	rdb  redis.UniversalClient
	max  int
	pipe redis.Pipeliner
	n    int // members queued in pipe
	err  error
}

func (r *Reconciler) newBatch(ctx context.Context) *pipeBatch {
	return &pipeBatch{ctx: ctx, rdb: r.rdb, max: r.batch()}
}

// add queues one command carrying weight members; the pipeline is sent once
// about ten batches' worth of members are queued.
func (b *pipeBatch) add(weight int, f func(redis.Pipeliner)) {
	if b.err != nil {
		return
	}
	if b.pipe == nil {
		b.pipe = b.rdb.Pipeline()
	}
	f(b.pipe)
	b.n += max(weight, 1)
	if b.n >= 10*b.max {
		b.flush()
	}
}

func (b *pipeBatch) flush() error {
	if b.err != nil || b.pipe == nil {
		return b.err
	}
	if _, err := b.pipe.Exec(b.ctx); err != nil && err != redis.Nil {
		b.err = fmt.Errorf("reconcile: write feeds: %w", err)
	}
	b.pipe, b.n = nil, 0
	return b.err
}

// writesInFlight holds "feedKey\x00postID" for every CreatePost of this
// process between its commit and the end of its Redis step.
var writesInFlight sync.Map

// inFlight counts the missing members whose write is still in flight.
func inFlight(key string, missing []redis.Z) int {
	n := 0
	for _, z := range missing {
		m, _ := z.Member.(string)
		if it, ok := decodeMember(m); ok {
			if _, ok := writesInFlight.Load(key + "\x00" + it.PostID); ok {
				n++
			}
		}
	}
	return n
}
