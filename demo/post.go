// Package demo is the lesson's engine: a PostService that writes a post to
// PostgreSQL (the source of truth) and then, in the same request, adds it to
// a Redis sorted-set feed (the read projection); GetFeed reads Redis only.
// The TUI and the headless commands are two front ends over this package.
package demo

import "time"

// Post is a post as PostgreSQL holds it.
type Post struct {
	ID          string    `json:"id"`
	AuthorID    string    `json:"author_id"`
	AuthorName  string    `json:"author_name"`
	Title       string    `json:"title"`
	PublishedAt time.Time `json:"published_at"`
}

// NewPost is what a caller asks CreatePost to write. ID is optional: when
// empty one is generated. When given, it is the idempotency key: asking again
// with the same ID and content returns the post already written.
type NewPost struct {
	ID       string
	AuthorID string
	Title    string
}

// FeedItem is one entry of an author's feed as the read path returns it.
//
// The member stored in Redis is the canonical JSON of this struct: fields in
// a fixed order, no optional fields, so writing the same post twice (a retry,
// a repair) produces the same member and ZADD stays idempotent.
type FeedItem struct {
	PostID     string `json:"postId"`
	AuthorName string `json:"authorName"`
	Title      string `json:"title"`
	// PublishedAt is in Unix milliseconds, as the score is: a float64 holds
	// them exactly, and seconds (the seed's choice) would tie posts made in
	// the same second.
	PublishedAt int64 `json:"publishedAt"`
}

// Item is the feed entry for a post.
func (p Post) Item() FeedItem {
	return FeedItem{PostID: p.ID, AuthorName: p.AuthorName, Title: p.Title, PublishedAt: p.PublishedAt.UnixMilli()}
}

// DefaultFeedSize is how many items GetFeed returns when asked for n <= 0:
// 20, as the seed's ZREVRANGE 0 19.
const DefaultFeedSize = 20
