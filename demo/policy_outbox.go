package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
)

var outboxInfo = PolicyInfo{Name: PolicyOutbox,
	Summary: "post and outbox row in one statement; a relay re-projects",
	make: func(s *PostService, env policyEnv) Policy {
		r := &relay{s: s}
		// A missed ZADD is re-sent by the repairer at once; its outbox row
		// is cleared with the request path's, once the member is in.
		return &outboxPolicy{basePolicy: basePolicy{s}, b: newBudgeted(s, env, r.projectedAll), relay: r}
	}}

// outboxPolicy writes the post and an outbox row in one transaction, so a
// post can never exist without a record that its projection is owed; the
// ZADD follows under the budget, and a relay in the background projects
// the rows a failed ZADD or a crash left pending.
type outboxPolicy struct {
	basePolicy
	b     *budgeted
	relay *relay
}

func (*outboxPolicy) Name() PolicyName { return PolicyOutbox }

func (p *outboxPolicy) Status(ctx context.Context) PolicyStatus {
	st := PolicyStatus{Name: PolicyOutbox, Breaker: p.b.br.State()}
	st.Pending, st.Err = p.relay.pending(ctx)
	if st.Err != nil {
		st.Pending = -1
		st.Summary = "outbox · breaker " + st.Breaker + " · pending rows unknown"
	} else {
		st.Summary = fmt.Sprintf("outbox · breaker %s · %d %s pending", st.Breaker, st.Pending, plural(st.Pending, "row", "rows"))
	}
	return st
}

func (p *outboxPolicy) insert(ctx context.Context, post Post) (Post, bool, error) {
	return p.s.insertWithOutbox(ctx, post)
}

func (p *outboxPolicy) project(ctx context.Context, post Post, member []byte, existing bool) error {
	if err := p.b.zadd(ctx, p.s, post, member); err != nil {
		return fmt.Errorf("%w (left in the outbox for the relay)", err)
	}
	if !existing {
		// The row has served its purpose. It is cleared in batches by the
		// relay, not here: a DELETE per write would be a third round trip
		// on the request path. Should the process die first, the relay
		// ZADDs the same member again, which is harmless.
		p.relay.projected(post.ID)
	}
	return nil
}

// start runs the repairer of missed ZADDs, and the relay every RelayEvery
// (unless negative), until ctx ends.
func (p *outboxPolicy) start(ctx context.Context) {
	go p.b.rep.run(ctx)
	if every := p.s.opts.RelayEvery; every >= 0 {
		go p.relay.run(ctx, every, time.Second)
	}
}

// catchUp sends the missed ZADDs still queued, then relays every pending
// row, however young.
func (p *outboxPolicy) catchUp(ctx context.Context) error {
	if err := p.b.rep.drain(ctx); err != nil {
		return err
	}
	for {
		n, err := p.relay.once(ctx, 0, 5000)
		if err != nil || n == 0 {
			return err
		}
	}
}

func (p *outboxPolicy) projection() redis.UniversalClient { return p.b.client }
func (p *outboxPolicy) breaker() *Breaker                 { return p.b.br }
func (p *outboxPolicy) close() error                      { return p.b.close() }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// insertWithOutbox is the outbox policy's INSERT: the post and its outbox
// row commit together, so a post can never exist without a record that its
// projection is still owed. One statement (a data-modifying CTE) is one
// autocommitted transaction and one round trip, instead of BEGIN, two
// INSERTs and COMMIT.
func (s *PostService) insertWithOutbox(ctx context.Context, p Post) (Post, bool, error) {
	res, err := s.pg.ExecContext(ctx, s.q.insertOutbox, p.ID, p.AuthorID, p.Title, p.PublishedAt)
	if err != nil {
		if pqErr, ok := errors.AsType[*pq.Error](err); ok && pqErr.Code == "23503" {
			return p, false, &UnknownAuthorError{AuthorID: p.AuthorID}
		}
		return p, false, fmt.Errorf("postgres insert: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return p, false, nil
	}
	return s.insert(ctx, p) // an existing ID: compare as the other policies do
}

// relay projects outbox rows and clears them.
type relay struct {
	s    *PostService
	mu   sync.Mutex
	done []string // projected posts whose outbox rows await clearing
}

func (r *relay) projected(id string) {
	r.mu.Lock()
	r.done = append(r.done, id)
	r.mu.Unlock()
}

func (r *relay) projectedAll(ids []string) {
	r.mu.Lock()
	r.done = append(r.done, ids...)
	r.mu.Unlock()
}

// relayOf is the service's relay: the outbox policy's, or a fresh one
// (whose rows, under another policy, are none or a previous run's).
func (s *PostService) relayOf() *relay {
	if p, ok := s.policy.(*outboxPolicy); ok {
		return p.relay
	}
	return &relay{s: s}
}

// RelayOnce projects outbox rows older than minAge (rows younger than that
// belong to writes whose own ZADD is still to come) and clears them. It
// returns how many it projected. A ZADD that already happened is repeated
// harmlessly: the member and score are the same.
func (s *PostService) RelayOnce(ctx context.Context, minAge time.Duration, limit int) (int, error) {
	return s.relayOf().once(ctx, minAge, limit)
}

// OutboxPending counts the outbox rows still waiting for their projection.
func (s *PostService) OutboxPending(ctx context.Context) (int, error) {
	return s.relayOf().pending(ctx)
}

// RunRelay runs the relay every interval until ctx ends. The outbox policy
// runs it by itself (Options.RelayEvery); this is for callers that want a
// relay of their own.
func (s *PostService) RunRelay(ctx context.Context, interval, minAge time.Duration) {
	s.relayOf().run(ctx, interval, minAge)
}

func (r *relay) once(ctx context.Context, minAge time.Duration, limit int) (int, error) {
	s := r.s
	if limit <= 0 {
		limit = 1000
	}
	if err := r.clearProjected(ctx); err != nil {
		return 0, err
	}
	rows, err := s.pg.QueryContext(ctx, s.q.outboxPending, fmt.Sprintf("%d milliseconds", minAge.Milliseconds()), limit)
	if err != nil {
		return 0, fmt.Errorf("outbox relay: read pending: %w", err)
	}
	var posts []Post
	for rows.Next() {
		var p Post
		if err := rows.Scan(&p.ID, &p.AuthorID, &p.AuthorName, &p.Title, &p.PublishedAt); err != nil {
			rows.Close()
			return 0, fmt.Errorf("outbox relay: %w", err)
		}
		p.PublishedAt = p.PublishedAt.UTC()
		posts = append(posts, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(posts) == 0 {
		return 0, err
	}
	// The plain client, not the request path's budgeted one: the relay is
	// not in a hurry, and the breaker that guards requests must not stop the
	// very process that repairs what it skipped.
	// One pipeline, one ZADD per author with all of that author's members:
	// one round trip for the whole batch.
	byAuthor := map[string][]redis.Z{}
	var authors []string
	ids := make([]string, len(posts))
	for i, p := range posts {
		m, _ := json.Marshal(p.Item())
		if _, ok := byAuthor[p.AuthorID]; !ok {
			authors = append(authors, p.AuthorID)
		}
		byAuthor[p.AuthorID] = append(byAuthor[p.AuthorID], redis.Z{Score: float64(p.PublishedAt.UnixMilli()), Member: m})
		ids[i] = p.ID
	}
	pipe := s.rdb.Pipeline()
	for _, a := range authors {
		pipe.ZAdd(ctx, s.FeedKey(a), byAuthor[a]...)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("outbox relay: ZADD: %w", err)
	}
	if _, err := s.pg.ExecContext(ctx, "DELETE FROM "+pq.QuoteIdentifier(s.opts.Schema)+".outbox WHERE post_id = ANY($1)",
		pq.Array(ids)); err != nil {
		return 0, fmt.Errorf("outbox relay: clear rows: %w", err)
	}
	return len(posts), nil
}

// clearProjected deletes the outbox rows of posts whose ZADD succeeded on
// the request path, in one statement.
func (r *relay) clearProjected(ctx context.Context) error {
	s := r.s
	r.mu.Lock()
	ids := r.done
	r.done = nil
	r.mu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	_, err := s.pg.ExecContext(ctx, "DELETE FROM "+pq.QuoteIdentifier(s.opts.Schema)+".outbox WHERE post_id = ANY($1)", pq.Array(ids))
	if err != nil {
		// Put them back for the next round; meanwhile the rows are merely
		// projected twice.
		r.mu.Lock()
		r.done = append(r.done, ids...)
		r.mu.Unlock()
		return fmt.Errorf("outbox relay: clear projected rows: %w", err)
	}
	return nil
}

func (r *relay) pending(ctx context.Context) (int, error) {
	s := r.s
	if err := r.clearProjected(ctx); err != nil {
		return 0, err
	}
	var n int
	err := s.pg.QueryRowContext(ctx, "SELECT count(*) FROM "+pq.QuoteIdentifier(s.opts.Schema)+".outbox").Scan(&n)
	return n, err
}

// run relays every interval until ctx ends. Errors (Redis still down, say)
// are logged and retried at the next tick.
func (r *relay) run(ctx context.Context, interval, minAge time.Duration) {
	s := r.s
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for {
			rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			n, err := r.once(rctx, minAge, 1000)
			cancel()
			if err != nil {
				if ctx.Err() == nil {
					s.opts.Logger.Warn("outbox relay failed; retrying", "err", err)
				}
				break
			}
			if n < 1000 {
				break
			}
		}
	}
}
