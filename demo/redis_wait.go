package demo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisWait is the knob that trades latency for safety on a replicated
// Redis: after each ZADD, WAIT until Replicas replicas have it or Timeout
// passes. A ZADD fewer replicas confirmed counts as a failed Redis step
// (ErrNotReplicated), so the write path treats it like any other miss and
// the reconciler repairs it. It narrows the window in which a failover
// loses an acknowledged member; it does not close it (a replica that has
// the write can still lose the election to one that does not).
type RedisWait struct {
	Replicas int
	Timeout  time.Duration
}

// ErrNotReplicated: the ZADD ran on the primary but WAIT saw fewer
// replicas than asked before its timeout.
var ErrNotReplicated = errors.New("ZADD not confirmed by enough replicas (WAIT)")

// ParseRedisWait reads "N,DUR" (e.g. "1,50ms").
func ParseRedisWait(s string) (RedisWait, error) {
	n, d, ok := strings.Cut(strings.TrimSpace(s), ",")
	replicas, err := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err != nil || replicas < 1 {
		return RedisWait{}, fmt.Errorf("%q is not REPLICAS,TIMEOUT: write e.g. 1,50ms (at least 1 replica)", s)
	}
	timeout, err := time.ParseDuration(strings.TrimSpace(d))
	if err != nil || timeout < time.Millisecond {
		return RedisWait{}, fmt.Errorf("%q: the timeout must be a duration of at least 1ms, e.g. 1,50ms", s)
	}
	return RedisWait{Replicas: replicas, Timeout: timeout}, nil
}

// String writes w as ParseRedisWait reads it ("1,50ms"); "" when off.
func (w RedisWait) String() string {
	if w.Replicas < 1 {
		return ""
	}
	return strconv.Itoa(w.Replicas) + "," + w.Timeout.String()
}

// Hook returns a go-redis hook for rdb that sends every ZADD in one
// pipeline with a WAIT, so both run on one connection (WAIT counts the
// writes of its own connection).
func (w RedisWait) Hook(rdb *redis.Client) redis.Hook { return waitHook{w: w, rdb: rdb} }

type waitHook struct {
	w   RedisWait
	rdb *redis.Client
}

func (waitHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (waitHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (h waitHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() != "zadd" {
			return next(ctx, cmd)
		}
		pipe := h.rdb.Pipeline()
		_ = pipe.Process(ctx, cmd)
		wait := pipe.Do(ctx, "wait", h.w.Replicas, h.w.Timeout.Milliseconds())
		if _, err := pipe.Exec(ctx); err != nil {
			return err
		}
		if n, err := wait.Int(); err != nil || n < h.w.Replicas {
			err = fmt.Errorf("%w: %d of %d within %v", ErrNotReplicated, n, h.w.Replicas, h.w.Timeout)
			cmd.SetErr(err)
			return err
		}
		return nil
	}
}
