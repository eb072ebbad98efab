package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// GetFeed returns an author's newest n feed items (DefaultFeedSize when
// n <= 0) from Redis only: one ZREVRANGE, no SQL. A member that does not
// decode is skipped, as the seed does; ReadFeed returns those members too,
// so a caller can show that the projection holds something unexpected.
func (s *PostService) GetFeed(ctx context.Context, authorID string, n int) (items []FeedItem, err error) {
	read, err := s.ReadFeed(ctx, authorID, n)
	if err != nil {
		return nil, err
	}
	return read.Items, nil
}

// GetFeedSQL returns the same feed from PostgreSQL with the join the Redis
// projection replaces, so the two read paths can be compared (results and
// latency).
func (s *PostService) GetFeedSQL(ctx context.Context, authorID string, n int) ([]FeedItem, error) {
	return s.GetFeedSQLOn(ctx, s.pg, authorID, n)
}

// GetFeedSQLOn is GetFeedSQL read through db instead of the service's own
// pool: a streaming replica of the same database, where a scaled-out SQL
// feed reads (and may be behind the primary).
func (s *PostService) GetFeedSQLOn(ctx context.Context, db *sql.DB, authorID string, n int) ([]FeedItem, error) {
	if err := validateID("author", authorID); err != nil {
		return nil, err
	}
	if n <= 0 {
		n = DefaultFeedSize
	}
	rows, err := db.QueryContext(ctx, s.q.feedSQL, authorID, n)
	if err != nil {
		return nil, fmt.Errorf("postgres: read feed: %w", err)
	}
	defer rows.Close()
	items := make([]FeedItem, 0, n)
	for rows.Next() {
		var it FeedItem
		var at time.Time
		if err := rows.Scan(&it.PostID, &it.AuthorName, &it.Title, &at); err != nil {
			return nil, fmt.Errorf("postgres: read feed: %w", err)
		}
		it.PublishedAt = at.UnixMilli()
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: read feed: %w", err)
	}
	return items, nil
}

// Posts returns every post of an author from PostgreSQL, newest first: what
// the projection should hold.
func (s *PostService) Posts(ctx context.Context, authorID string) ([]Post, error) {
	rows, err := s.pg.QueryContext(ctx, s.q.allPosts, authorID)
	if err != nil {
		return nil, fmt.Errorf("postgres: read posts: %w", err)
	}
	defer rows.Close()
	var out []Post
	for rows.Next() {
		var p Post
		if err := rows.Scan(&p.ID, &p.AuthorID, &p.AuthorName, &p.Title, &p.PublishedAt); err != nil {
			return nil, fmt.Errorf("postgres: read posts: %w", err)
		}
		p.PublishedAt = p.PublishedAt.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// FeedLen is ZCARD of an author's feed: how many members the projection has.
func (s *PostService) FeedLen(ctx context.Context, authorID string) (int64, error) {
	return s.rdb.ZCard(ctx, s.FeedKey(authorID)).Result()
}
