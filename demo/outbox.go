package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
)

// RelayOnce projects outbox rows older than minAge (rows younger than that
// belong to writes whose own ZADD is still to come) and clears them. It
// returns how many it projected. A ZADD that already happened is repeated
// harmlessly: the member and score are the same.
func (s *PostService) RelayOnce(ctx context.Context, minAge time.Duration, limit int) (int, error) {
	if limit <= 0 {
		limit = 1000
	}
	if err := s.clearProjected(ctx); err != nil {
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
	pipe := s.rdb.Pipeline()
	ids := make([]string, len(posts))
	for i, p := range posts {
		m, _ := json.Marshal(p.Item())
		pipe.ZAdd(ctx, s.FeedKey(p.AuthorID), redis.Z{Score: float64(p.PublishedAt.UnixMilli()), Member: m})
		ids[i] = p.ID
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
func (s *PostService) clearProjected(ctx context.Context) error {
	s.outboxMu.Lock()
	ids := s.outboxDone
	s.outboxDone = nil
	s.outboxMu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	_, err := s.pg.ExecContext(ctx, "DELETE FROM "+pq.QuoteIdentifier(s.opts.Schema)+".outbox WHERE post_id = ANY($1)", pq.Array(ids))
	if err != nil {
		// Put them back for the next round; meanwhile the rows are merely
		// projected twice.
		s.outboxMu.Lock()
		s.outboxDone = append(s.outboxDone, ids...)
		s.outboxMu.Unlock()
		return fmt.Errorf("outbox relay: clear projected rows: %w", err)
	}
	return nil
}

// OutboxPending counts the outbox rows still waiting for their projection.
func (s *PostService) OutboxPending(ctx context.Context) (int, error) {
	if err := s.clearProjected(ctx); err != nil {
		return 0, err
	}
	var n int
	err := s.pg.QueryRowContext(ctx, "SELECT count(*) FROM "+pq.QuoteIdentifier(s.opts.Schema)+".outbox").Scan(&n)
	return n, err
}

// RunRelay runs the relay every interval until ctx ends. Errors (Redis still
// down, say) are logged and retried at the next tick.
func (s *PostService) RunRelay(ctx context.Context, interval, minAge time.Duration) {
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
			n, err := s.RelayOnce(rctx, minAge, 1000)
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
