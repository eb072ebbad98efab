package demo

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

var rollbackInfo = PolicyInfo{Name: PolicyRollback,
	Summary: "anti-pattern: a failed ZADD deletes the post, fails the call",
	make:    func(s *PostService, _ policyEnv) Policy { return rollbackPolicy{basePolicy{s}} }}

// PolicyRollback is the anti-pattern the seed warns against: it treats the
// projection as part of the write, so when the ZADD fails it deletes the
// post PostgreSQL had committed and tells the caller the write failed.
// PostgreSQL could have kept every one of those posts (the feed is
// rebuildable), and a ZADD that timed out may still have landed, leaving a
// member for a post that no longer exists. It is here so experiments show
// that cost beside the other policies, never as a recommendation.
const PolicyRollback PolicyName = "rollback"

type rollbackPolicy struct{ basePolicy }

func (rollbackPolicy) Name() PolicyName { return PolicyRollback }

func (rollbackPolicy) Status(context.Context) PolicyStatus {
	return PolicyStatus{Name: PolicyRollback, Summary: "rollback (anti-pattern: a failed ZADD deletes the post)", Pending: -1}
}

// project is the seed's ZADD: go-redis defaults, no deadline of its own,
// so the only difference from the seed is what happens after a failure.
func (p rollbackPolicy) project(ctx context.Context, post Post, member []byte, _ bool) error {
	return p.s.zadd(ctx, p.s.rdb, post, member)
}

// projectionFailed deletes the row this call inserted and fails the call.
// A post that was already stored (an idempotent retry) is left alone: an
// earlier call acknowledged it.
func (p rollbackPolicy) projectionFailed(ctx context.Context, post Post, existing bool, zerr error) error {
	if existing {
		return fmt.Errorf("redis step failed (the post was stored by an earlier call and is kept): %w", zerr)
	}
	// The caller may have given up already; the row must go regardless.
	dctx := context.WithoutCancel(ctx)
	_, err := p.s.pg.ExecContext(dctx, "DELETE FROM "+pq.QuoteIdentifier(p.s.opts.Schema)+".posts WHERE id = $1", post.ID)
	if err != nil {
		return fmt.Errorf("redis step failed (%v) and deleting the committed post failed too: the post stays: %w", zerr, err)
	}
	return fmt.Errorf("post %s: %w: %w", post.ID, ErrRolledBack, zerr)
}
