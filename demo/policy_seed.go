package demo

import "context"

var seedInfo = PolicyInfo{Name: PolicySeed,
	Summary: "the lesson's code: ZADD, and on failure warn and succeed",
	make:    func(s *PostService, _ policyEnv) Policy { return seedPolicy{basePolicy{s}} }}

// seedPolicy is exactly the seed lesson: INSERT, then ZADD with go-redis's
// defaults and no deadline of its own; a failed ZADD is a warning, and the
// call succeeds with a stale feed.
type seedPolicy struct{ basePolicy }

func (seedPolicy) Name() PolicyName { return PolicySeed }

func (seedPolicy) Status(context.Context) PolicyStatus {
	return PolicyStatus{Name: PolicySeed, Summary: "seed", Pending: -1}
}

func (p seedPolicy) project(ctx context.Context, post Post, member []byte, _ bool) error {
	return p.s.zadd(ctx, p.s.rdb, post, member)
}
