package demo

import (
	"context"
	"fmt"
)

// FeedRead is an author's feed as Redis holds it: the members that decode
// as feed items, and those that do not (written by hand with redis-cli, by
// an older version, or damaged), which a reader must not silently drop:
// they are the projection holding something unexpected.
type FeedRead struct {
	Items []FeedItem
	// Undecodable are the raw members that are not feed items, in feed
	// order.
	Undecodable []string
}

// ReadFeed is GetFeed that also returns the members it cannot decode (n
// counts both: it is the ZREVRANGE window).
func (s *PostService) ReadFeed(ctx context.Context, authorID string, n int) (FeedRead, error) {
	var out FeedRead
	if err := validateID("author", authorID); err != nil {
		return out, err
	}
	if n <= 0 {
		n = DefaultFeedSize
	}
	raw, err := s.rdb.ZRevRange(ctx, s.FeedKey(authorID), 0, int64(n-1)).Result()
	if err != nil {
		return out, fmt.Errorf("redis: read feed: %w", err)
	}
	out.Items = make([]FeedItem, 0, len(raw))
	for _, m := range raw {
		if it, ok := decodeMember(m); ok {
			out.Items = append(out.Items, it)
		} else {
			out.Undecodable = append(out.Undecodable, m)
		}
	}
	return out, nil
}
