package demo

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"
)

// MaxRecentAuthors bounds how many authors Recent reads: the lab has four,
// and a learner who adds a few more from psql is still covered, while a
// table of thousands cannot make one poll read thousands of feeds.
const MaxRecentAuthors = 16

// RecentWrites is the newest rows and feed members of every author, a few
// of each: what a front end compares from one look to the next to find
// writes it did not make itself (the Lab's trace marks them external).
// Each author's listing is the newest perAuthor, newest first; a listing
// shorter than perAuthor is the author's whole table or feed.
type RecentWrites struct {
	Authors  []string
	Rows     map[string][]Post
	Members  map[string][]FeedMember
	PgErr    error
	RedisErr error
}

// Recent reads the newest perAuthor rows of each author (at most
// MaxRecentAuthors, by ID) in one query that walks the feed index once per
// author, and the newest perAuthor members of each author's feed in one
// pipeline, from the Redis server itself when the read model reads direct.
// Its cost is bounded by authors × perAuthor whatever the tables hold.
// known names the authors to read in Redis when PostgreSQL does not
// answer (the last ones seen).
func (m *ReadModel) Recent(ctx context.Context, perAuthor int, known []string) RecentWrites {
	if perAuthor <= 0 {
		perAuthor = DefaultFeedSize
	}
	out := RecentWrites{Rows: map[string][]Post{}, Members: map[string][]FeedMember{}}
	out.Authors, out.PgErr = m.recentRows(ctx, perAuthor, out.Rows)
	if out.PgErr != nil {
		out.Authors = known
	}
	if len(out.Authors) > MaxRecentAuthors {
		out.Authors = out.Authors[:MaxRecentAuthors]
	}
	out.RedisErr = m.recentMembers(ctx, out.Authors, perAuthor, out.Members)
	return out
}

func (m *ReadModel) recentRows(ctx context.Context, perAuthor int, into map[string][]Post) ([]string, error) {
	s := pq.QuoteIdentifier(m.svc.opts.Schema)
	q := "SELECT a.id, a.name, p.id, p.title, p.published_at FROM (SELECT id, name FROM " + s +
		".authors ORDER BY id LIMIT $1) a LEFT JOIN LATERAL (SELECT id, title, published_at FROM " + s +
		".posts WHERE author_id = a.id ORDER BY published_at DESC, id DESC LIMIT $2) p ON true ORDER BY a.id"
	rows, err := m.svc.pg.QueryContext(ctx, q, MaxRecentAuthors, perAuthor)
	if err != nil {
		return nil, fmt.Errorf("postgres: read recent posts: %w", err)
	}
	defer rows.Close()
	var authors []string
	for rows.Next() {
		var author, name string
		var id, title sql.NullString
		var at sql.NullTime
		if err := rows.Scan(&author, &name, &id, &title, &at); err != nil {
			return nil, fmt.Errorf("postgres: read recent posts: %w", err)
		}
		if len(authors) == 0 || authors[len(authors)-1] != author {
			authors = append(authors, author)
		}
		if id.Valid {
			into[author] = append(into[author], Post{ID: id.String, AuthorID: author, AuthorName: name,
				Title: title.String, PublishedAt: at.Time.UTC()})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: read recent posts: %w", err)
	}
	return authors, nil
}

func (m *ReadModel) recentMembers(ctx context.Context, authors []string, perAuthor int, into map[string][]FeedMember) error {
	if len(authors) == 0 {
		return nil
	}
	pipe := m.feedClient().Pipeline()
	cmds := make([]*redis.ZSliceCmd, len(authors))
	for i, a := range authors {
		cmds[i] = pipe.ZRevRangeWithScores(ctx, m.svc.FeedKey(a), 0, int64(perAuthor-1))
	}
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return fmt.Errorf("redis: read recent members: %w", err)
	}
	for i, a := range authors {
		for _, z := range cmds[i].Val() {
			mb := FeedMember{Score: int64(z.Score)}
			mb.Raw, _ = z.Member.(string)
			mb.Item, mb.OK = decodeMember(mb.Raw)
			if mb.OK && mb.Item.PostID == "" {
				mb.Item, mb.OK = FeedItem{}, false
			}
			into[a] = append(into[a], mb)
		}
	}
	return nil
}
