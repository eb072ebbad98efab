package demo

import "context"

// MissingPostIDs lists the posts the check found missing from their feeds
// (PostgreSQL has them, Redis does not), so an experiment can tell which
// of them Redis had acknowledged: those were not skipped, they were lost
// by Redis itself (a failover).
func (d Drift) MissingPostIDs() []string {
	var out []string
	for _, a := range d.Authors {
		for _, z := range a.missing {
			if m, ok := z.Member.(string); ok {
				if it, ok := decodeMember(m); ok {
					out = append(out, it.PostID)
				}
			}
		}
	}
	return out
}

// FeedPostIDs reads every author's feed from Redis and returns the post IDs
// its members name: Redis's side alone, with no comparison to PostgreSQL,
// so an experiment can cross-check what Check found missing.
func (r *Reconciler) FeedPostIDs(ctx context.Context) (map[string]bool, error) {
	authors, err := r.allAuthors(ctx)
	if err != nil {
		return nil, err
	}
	feeds, err := r.readFeeds(ctx, authors)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, zs := range feeds {
		for _, z := range zs {
			if m, ok := z.Member.(string); ok {
				if it, ok := decodeMember(m); ok {
					out[it.PostID] = true
				}
			}
		}
	}
	return out, nil
}
