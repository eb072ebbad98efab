package demo

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
)

// Options configure a PostService.
type Options struct {
	// Schema holds the lab's tables (default "public").
	Schema string
	// KeyPrefix goes before every Redis key (default "": keys are exactly
	// the seed's feed:<authorId>).
	KeyPrefix string
	// Observer receives every step of every CreatePost (default none).
	Observer Observer
	// Logger receives the warning the seed prints when the Redis step fails
	// (default slog.Default()).
	Logger *slog.Logger
	// Now is the clock for published times (default time.Now).
	Now func() time.Time
	// Policy chooses what happens around the Redis step (default seed):
	// a name from Registry.
	Policy PolicyName
	// Budget configures the budgeted and outbox policies.
	Budget Budget
	// RedisWait, when Replicas > 0, WAITs for replicas after each ZADD of
	// a policy's own client (see redis_wait.go); the caller hooks the
	// shared client it passed in itself.
	RedisWait RedisWait
	// Projection is the Redis client those policies write the feed with.
	// Default: one of their own (NewBudgetedClient) when the service comes
	// from Stores.Service, else the plain client. The seed policy always
	// uses the plain client.
	Projection redis.UniversalClient
	// Breaker is Projection's circuit breaker (default: a new one).
	Breaker *Breaker
	// RelayEvery is how often the outbox policy's relay runs in the
	// background (default 200ms; negative: never, for callers that drive
	// RelayOnce themselves).
	RelayEvery time.Duration
}

// PostService is the seed's service: PostgreSQL for writes, Redis for the
// feed. It is safe for concurrent use.
type PostService struct {
	pg   *sql.DB
	rdb  redis.UniversalClient
	opts Options
	q    queries

	// authors caches author names: they never change in the lab, and looking
	// one up on every write would add a third round trip to a path whose
	// whole lesson is its two.
	authors sync.Map // id -> name

	crash atomic.Bool // the crash point: stop after the commit

	policy Policy
	stop   context.CancelFunc // ends the policy's background work
	closed sync.Once

	dirtyMu sync.Mutex
	dirty   map[string]struct{} // authors whose projection missed a write
}

// NewPostService wires a service over open connections and starts its
// policy's background work (the outbox relay); Close stops it. An unknown
// policy name panics: names come from Registry or ParsePolicy.
func NewPostService(pg *sql.DB, rdb redis.UniversalClient, opts Options) *PostService {
	return newPostService(pg, rdb, opts, policyEnv{})
}

func newPostService(pg *sql.DB, rdb redis.UniversalClient, opts Options, env policyEnv) *PostService {
	if opts.Schema == "" {
		opts.Schema = "public"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Policy == "" {
		opts.Policy = PolicySeed
	}
	if opts.RelayEvery == 0 {
		opts.RelayEvery = 200 * time.Millisecond
	}
	opts.Budget = opts.Budget.withDefaults() // the only place: policies take it as it is
	info, ok := LookupPolicy(opts.Policy)
	if !ok {
		panic(fmt.Sprintf("demo: unknown policy %q (use ParsePolicy)", opts.Policy))
	}
	s := &PostService{pg: pg, rdb: rdb, opts: opts, q: newQueries(opts.Schema), dirty: map[string]struct{}{}}
	s.policy = info.make(s, env)
	ctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.policy.start(ctx)
	return s
}

// Close stops the policy's background work and closes what the policy
// opened (its own Redis client); the connections the service was given
// stay open. Safe to call more than once.
func (s *PostService) Close() error {
	var err error
	s.closed.Do(func() {
		s.stop()
		err = s.policy.close()
	})
	return err
}

// Policy is the service's write policy's name.
func (s *PostService) Policy() PolicyName { return s.opts.Policy }

// PolicyStatus is the policy's state, for display (it may read the stores).
func (s *PostService) PolicyStatus(ctx context.Context) PolicyStatus { return s.policy.Status(ctx) }

// Breaker is the policy's circuit breaker (nil for policies without one).
func (s *PostService) Breaker() *Breaker { return s.policy.breaker() }

// CatchUp does now what the policy's background work would do eventually
// (the outbox relays every pending row); a no-op for other policies.
func (s *PostService) CatchUp(ctx context.Context) error { return s.policy.catchUp(ctx) }

// ErrCrashed is what CreatePost returns when the crash point is armed: the
// post is committed in PostgreSQL and the write path stops there, before the
// Redis update, as a process that died between the two writes would. The
// caller never hears back, so the write's outcome is unknown to it.
var ErrCrashed = errors.New("simulated crash between the PostgreSQL commit and the Redis update")

// SetCrashPoint arms or disarms the crash point.
func (s *PostService) SetCrashPoint(on bool) { s.crash.Store(on) }

// markDirty records an author whose feed missed a write, for the reconciler.
func (s *PostService) markDirty(author string) {
	s.dirtyMu.Lock()
	s.dirty[author] = struct{}{}
	s.dirtyMu.Unlock()
}

// TakeDirty returns the authors marked dirty since the last call and clears
// the set.
func (s *PostService) TakeDirty() []string {
	s.dirtyMu.Lock()
	defer s.dirtyMu.Unlock()
	out := make([]string, 0, len(s.dirty))
	for a := range s.dirty {
		out = append(out, a)
	}
	clear(s.dirty)
	return out
}

// FeedKey is the Redis key of an author's feed: feed:<authorId>, behind the
// lab's key prefix.
func (s *PostService) FeedKey(authorID string) string { return s.opts.KeyPrefix + "feed:" + authorID }

// CallOption changes one CreatePost call.
type CallOption func(*call)

type call struct {
	gate     Gate
	observer Observer
}

// WithGate pauses before each step until the gate lets it run (the lesson's
// step-through mode).
func WithGate(g Gate) CallOption { return func(c *call) { c.gate = g } }

// WithObserver adds an observer for this call only.
func WithObserver(o Observer) CallOption { return func(c *call) { c.observer = o } }

// Result is what CreatePost did.
type Result struct {
	Post Post
	// Existing is true when the ID was already stored with the same content:
	// nothing new was inserted (an idempotent retry).
	Existing bool
	// ProjectionErr is the Redis step's error. The call still succeeded: the
	// post is committed in PostgreSQL and the feed is stale until repaired.
	ProjectionErr error
	// Committed is when the INSERT returned (zero if it never did): where
	// the feed starts to owe this post, for commit-to-visible lag.
	Committed time.Time
}

// CreatePost validates the post, commits it to PostgreSQL, then adds it to the
// author's Redis feed. A Redis failure is logged and reported in
// Result.ProjectionErr, never returned as an error: once PostgreSQL has
// committed, the post exists.
func (s *PostService) CreatePost(ctx context.Context, in NewPost, options ...CallOption) (Result, error) {
	var c call
	for _, o := range options {
		o(&c)
	}
	// The ID is chosen first, so every step's event (validate included, and
	// a rejected post's) names the write it belongs to: observers group a
	// trace by it, even with many writes of one author in flight.
	if in.ID == "" {
		in.ID = newPostID(s.opts.Now())
	}
	r := &run{s: s, c: c, ctx: ctx, postID: in.ID, authorID: in.AuthorID}
	var res Result
	var name string

	err := r.step(StepValidate, func() error {
		if err := validate(in); err != nil {
			return err
		}
		var err error
		name, err = s.authorName(ctx, in.AuthorID)
		return err
	})
	if err != nil {
		return res, err
	}
	post := Post{ID: in.ID, AuthorID: in.AuthorID, AuthorName: name, Title: in.Title,
		PublishedAt: s.opts.Now().UTC().Truncate(time.Millisecond)}

	err = r.step(StepInsert, func() error {
		var err error
		post, res.Existing, err = s.policy.insert(ctx, post)
		return err
	})
	if err != nil {
		return res, err
	}
	res.Post, res.Committed = post, time.Now()
	if s.crash.Load() {
		return res, ErrCrashed
	}
	// From the commit until the Redis step returns, the post is a write in
	// flight: a drift check must not call it missing.
	writesInFlight.Store(s.FeedKey(post.AuthorID)+"\x00"+post.ID, struct{}{})
	defer writesInFlight.Delete(s.FeedKey(post.AuthorID) + "\x00" + post.ID)

	var member []byte
	if err := r.step(StepEncode, func() error {
		var err error
		member, err = json.Marshal(post.Item())
		return err
	}); err != nil {
		return res, err
	}

	zerr := r.step(StepZAdd, func() error { return s.policy.project(ctx, post, member, res.Existing) })
	if zerr != nil {
		if r.gateErr {
			// Cancelled while paused before the ZADD: the post is committed
			// but the projection was never attempted. Say so, like any
			// other stale projection.
			zerr = fmt.Errorf("cancelled before the Redis update: %w", zerr)
		}
		res.ProjectionErr = zerr
		if r.gateErr {
			s.opts.Logger.Warn("redis projection update failed; the post is committed and the feed is stale",
				"post", post.ID, "author", post.AuthorID, "err", zerr)
			return res, nil
		}
		if err := s.policy.projectionFailed(ctx, post, res.Existing, zerr); err != nil {
			s.opts.Logger.Warn("redis projection update failed; the write is reported as failed",
				"post", post.ID, "author", post.AuthorID, "policy", s.opts.Policy, "err", err)
			return res, err
		}
		s.opts.Logger.Warn("redis projection update failed; the post is committed and the feed is stale",
			"post", post.ID, "author", post.AuthorID, "err", zerr)
	}
	_ = r.step(StepDone, func() error { return nil })
	return res, nil
}

// insert runs the INSERT (autocommitted: its success is the commit point).
// A repeated ID with the same author and title returns the stored post; with
// other content it is a ConflictError.
func (s *PostService) insert(ctx context.Context, p Post) (Post, bool, error) {
	res, err := s.pg.ExecContext(ctx, s.q.insert, p.ID, p.AuthorID, p.Title, p.PublishedAt)
	if err != nil {
		if pqErr, ok := errors.AsType[*pq.Error](err); ok && pqErr.Code == "23503" { // foreign_key_violation
			return p, false, &UnknownAuthorError{AuthorID: p.AuthorID}
		}
		return p, false, fmt.Errorf("postgres insert: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return p, false, nil
	}
	var old Post
	err = s.pg.QueryRowContext(ctx, s.q.existing, p.ID).
		Scan(&old.ID, &old.AuthorID, &old.AuthorName, &old.Title, &old.PublishedAt)
	if err != nil {
		return p, false, fmt.Errorf("postgres: read existing post %s: %w", p.ID, err)
	}
	old.PublishedAt = old.PublishedAt.UTC()
	if old.AuthorID != p.AuthorID || old.Title != p.Title {
		return p, false, &ConflictError{ID: p.ID, Existing: old}
	}
	return old, true, nil
}

func (s *PostService) authorName(ctx context.Context, id string) (string, error) {
	if v, ok := s.authors.Load(id); ok {
		return v.(string), nil
	}
	var name string
	err := s.pg.QueryRowContext(ctx, s.q.author, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", &UnknownAuthorError{AuthorID: id}
	}
	if err != nil {
		return "", fmt.Errorf("postgres: look up author: %w", err)
	}
	s.authors.Store(id, name)
	return name, nil
}

// newPostID makes an ID that sorts by creation time (12 hex digits of Unix
// milliseconds) and is unique without coordination (8 random hex digits).
func newPostID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%012x%08x", now.UnixMilli(), binary.BigEndian.Uint32(b[:]))
}

// run carries one CreatePost through its steps: the gate before each, the
// trace event after each.
type run struct {
	s        *PostService
	c        call
	ctx      context.Context
	postID   string
	authorID string
	gateErr  bool
}

func (r *run) step(step Step, fn func() error) error {
	if r.c.gate != nil {
		if err := r.c.gate.Before(r.ctx, step); err != nil {
			r.gateErr = true
			r.emit(Event{PostID: r.postID, AuthorID: r.authorID, Step: step, Start: time.Now(), Err: err})
			return err
		}
	}
	start := time.Now()
	err := fn()
	r.emit(Event{PostID: r.postID, AuthorID: r.authorID, Step: step, Start: start, Duration: time.Since(start), Err: err})
	return err
}

func (r *run) emit(e Event) {
	if r.s.opts.Observer != nil {
		r.s.opts.Observer(e)
	}
	if r.c.observer != nil {
		r.c.observer(e)
	}
}
