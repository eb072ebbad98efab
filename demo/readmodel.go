package demo

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
)

// ReadModel is what a front end shows of the two stores: a snapshot of an
// author's feed as Redis holds it, the author's rows with their true count,
// GetFeed as the app calls it, the drift between the stores and a repair.
// The TUI's panels, the CLI's feed and reconcile commands and the tests all
// read through it, so what a screen shows is what a test or a --json
// command can check.
//
// It is safe for concurrent use: the TUI runs its reads in several Cmds at
// once.
type ReadModel struct {
	svc *PostService

	// direct tells where the Redis server itself answers, past the lab's
	// fault proxy, so a feed snapshot shows what Redis really holds while
	// the network to it is broken. Nil reads through the service's client.
	direct func() (addr, password string)

	mu         sync.Mutex
	client     *redis.Client // the direct client, made on first use
	clientAddr string        // the address it was made for (a restarted server moves)
	closed     bool

	countSQL, newestSQL string
}

// NewReadModel reads through svc's own clients: a feed snapshot then sees
// what the app sees, faults included.
func NewReadModel(svc *PostService) *ReadModel {
	s := pq.QuoteIdentifier(svc.opts.Schema)
	return &ReadModel{svc: svc,
		countSQL: "SELECT count(*) FROM " + s + ".posts WHERE author_id = $1",
		newestSQL: "SELECT p.id, p.author_id, a.name, p.title, p.published_at FROM " + s + ".posts p JOIN " + s +
			".authors a ON a.id = p.author_id WHERE p.author_id = $1 ORDER BY p.published_at DESC, p.id DESC LIMIT $2",
	}
}

// NewDirectReadModel is NewReadModel with feed snapshots read from the Redis
// server itself, at the address direct returns when asked (the lab's
// direct address, which moves when a fault restarts the server). One
// client is kept for the address and replaced only when it changes; Close
// closes it.
func NewDirectReadModel(svc *PostService, direct func() (addr, password string)) *ReadModel {
	m := NewReadModel(svc)
	m.direct = direct
	return m
}

// Close closes the direct client, if one was made. Reads after Close read
// through the service's client.
func (m *ReadModel) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	if m.client == nil {
		return nil
	}
	err := m.client.Close()
	m.client = nil
	return err
}

// feedClient is the client feed snapshots read with.
func (m *ReadModel) feedClient() redis.UniversalClient {
	if m.direct == nil {
		return m.svc.rdb
	}
	addr, password := m.direct()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || addr == "" {
		return m.svc.rdb
	}
	if m.client != nil && m.clientAddr == addr {
		return m.client
	}
	if m.client != nil {
		m.client.Close()
	}
	// Short timeouts and no retries: a panel that waits for a dead server
	// shows nothing, where an error at once shows why.
	m.client = redis.NewClient(&redis.Options{Addr: addr, Password: password,
		DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second,
		MaxRetries: -1, PoolSize: 2})
	m.clientAddr = addr
	return m.client
}

// FeedMember is one member of a feed's sorted set, decoded when it can be.
type FeedMember struct {
	Score int64    `json:"score"`
	Raw   string   `json:"raw"`
	Item  FeedItem `json:"item"`
	OK    bool     `json:"decoded"` // false: the member is not a FeedItem the engine wrote
}

// FeedSnapshot is what Redis holds for one author's feed.
type FeedSnapshot struct {
	Author  string       `json:"author"`
	Key     string       `json:"key"`
	At      time.Time    `json:"at"`
	Members []FeedMember `json:"members"` // the newest n, newest first
	// Undecodable counts the listed members that are not FeedItems: GetFeed
	// skips them, so without this count they would be invisible.
	Undecodable int   `json:"undecodable"`
	Card        int64 `json:"zcard"` // every member of the feed
	Err         error `json:"-"`
}

// Has reports whether a listed member is the post id.
func (f *FeedSnapshot) Has(id string) bool {
	for _, mb := range f.Members {
		if mb.OK && mb.Item.PostID == id {
			return true
		}
	}
	return false
}

// Feed reads the newest n members of an author's feed with their scores,
// and ZCARD.
func (m *ReadModel) Feed(ctx context.Context, author string, n int) FeedSnapshot {
	snap := FeedSnapshot{Author: author, Key: m.svc.FeedKey(author), At: time.Now()}
	if err := validateID("author", author); err != nil {
		snap.Err = err
		return snap
	}
	if n <= 0 {
		n = DefaultFeedSize
	}
	rdb := m.feedClient()
	zs, err := rdb.ZRevRangeWithScores(ctx, snap.Key, 0, int64(n-1)).Result()
	if err != nil {
		snap.Err = fmt.Errorf("redis: read feed: %w", err)
		return snap
	}
	snap.Members = make([]FeedMember, 0, len(zs))
	for _, z := range zs {
		mb := FeedMember{Score: int64(z.Score)}
		mb.Raw, _ = z.Member.(string)
		mb.Item, mb.OK = decodeMember(mb.Raw)
		if mb.OK && mb.Item.PostID == "" {
			mb.Item, mb.OK = FeedItem{}, false // valid JSON, but no post
		}
		if !mb.OK {
			snap.Undecodable++
		}
		snap.Members = append(snap.Members, mb)
	}
	if snap.Card, err = rdb.ZCard(ctx, snap.Key).Result(); err != nil {
		snap.Err = fmt.Errorf("redis: ZCARD: %w", err)
	}
	return snap
}

// RowsSnapshot is what PostgreSQL holds for one author.
type RowsSnapshot struct {
	Author string `json:"author"`
	Rows   []Post `json:"rows"`  // the newest n, newest first
	Count  int    `json:"count"` // count(*) of the author's posts, not the listing's length
	Err    error  `json:"-"`
}

// Has reports whether a listed row is the post id.
func (r *RowsSnapshot) Has(id string) bool {
	for _, p := range r.Rows {
		if p.ID == id {
			return true
		}
	}
	return false
}

// Complete reports whether the listing holds every row of the author, so
// that a post missing from it is missing from PostgreSQL.
func (r *RowsSnapshot) Complete() bool { return r.Err == nil && len(r.Rows) >= r.Count }

// Rows reads an author's newest n posts and how many there are. The count
// is read first: under load rows keep arriving, and a count read after
// the listing could claim rows the listing never saw as missing from it.
func (m *ReadModel) Rows(ctx context.Context, author string, n int) RowsSnapshot {
	snap := RowsSnapshot{Author: author}
	if n <= 0 {
		n = DefaultFeedSize
	}
	if err := m.svc.pg.QueryRowContext(ctx, m.countSQL, author).Scan(&snap.Count); err != nil {
		snap.Err = fmt.Errorf("postgres: count posts: %w", err)
		return snap
	}
	rows, err := m.svc.pg.QueryContext(ctx, m.newestSQL, author, n)
	if err != nil {
		snap.Err = fmt.Errorf("postgres: read posts: %w", err)
		return snap
	}
	defer rows.Close()
	for rows.Next() {
		var p Post
		if err := rows.Scan(&p.ID, &p.AuthorID, &p.AuthorName, &p.Title, &p.PublishedAt); err != nil {
			snap.Err = fmt.Errorf("postgres: read posts: %w", err)
			return snap
		}
		p.PublishedAt = p.PublishedAt.UTC()
		snap.Rows = append(snap.Rows, p)
	}
	if err := rows.Err(); err != nil {
		snap.Err = fmt.Errorf("postgres: read posts: %w", err)
	}
	snap.Count = max(snap.Count, len(snap.Rows))
	return snap
}

// StoresSnapshot is both snapshots of one author. Redis is read before PostgreSQL,
// as the reconciler does: a member is only written after its post
// commits, so a member seen in Redis always has its row in the later read.
type StoresSnapshot struct {
	Feed FeedSnapshot `json:"feed"`
	Rows RowsSnapshot `json:"rows"`
}

// Stores reads both stores for one author.
func (m *ReadModel) Stores(ctx context.Context, author string, n int) StoresSnapshot {
	f := m.Feed(ctx, author, n)
	return StoresSnapshot{Feed: f, Rows: m.Rows(ctx, author, n)}
}

// GetFeed is the app's read path, exactly as CreatePost's readers call it.
func (m *ReadModel) GetFeed(ctx context.Context, author string, n int) ([]FeedItem, error) {
	return m.svc.GetFeed(ctx, author, n)
}

// ReadFeed is GetFeed with the members that do not decode as feed items
// kept apart and counted, for readers that must not drop them silently.
func (m *ReadModel) ReadFeed(ctx context.Context, author string, n int) (FeedRead, error) {
	return m.svc.ReadFeed(ctx, author, n)
}

// GetFeedSQL is the same feed from the SQL join the projection replaces.
func (m *ReadModel) GetFeedSQL(ctx context.Context, author string, n int) ([]FeedItem, error) {
	return m.svc.GetFeedSQL(ctx, author, n)
}

// FeedKey is the Redis key of an author's feed.
func (m *ReadModel) FeedKey(author string) string { return m.svc.FeedKey(author) }

// Drift is the reconciler's check of the given authors (every author when
// none are given).
func (m *ReadModel) Drift(ctx context.Context, authors ...string) (Drift, error) {
	return m.svc.Reconciler().Check(ctx, authors...)
}

// Repair is one reconciler run as a learner watches it: check, repair by
// difference (or rebuild every feed from PostgreSQL), check again.
func (m *ReadModel) Repair(ctx context.Context, rebuild bool, authors ...string) (rep RepairReport, err error) {
	start := time.Now()
	r := m.svc.Reconciler()
	rep.Rebuild = rebuild
	defer func() { rep.Took = time.Since(start) }()
	if rep.Before, err = r.Check(ctx, authors...); err != nil {
		return rep, err
	}
	if rebuild {
		var rr RebuildReport
		if rr, err = r.Rebuild(ctx, authors...); err != nil {
			return rep, err
		}
		rep.RebuildReport = &rr
	} else if _, err = r.Repair(ctx, authors...); err != nil {
		return rep, err
	}
	if rep.After, err = r.Check(ctx, authors...); err != nil {
		return rep, err
	}
	return rep, nil
}

// RepairReport is what a Repair did: the drift before and after, and the
// rebuild's own report when it was one.
type RepairReport struct {
	Rebuild       bool           `json:"-"`
	Before        Drift          `json:"before"`
	After         Drift          `json:"after"`
	RebuildReport *RebuildReport `json:"rebuild,omitempty"`
	Took          time.Duration  `json:"-"`
}
