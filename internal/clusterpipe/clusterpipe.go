// Package clusterpipe sends a Redis Cluster client's pipelines so that each
// command is in flight at most once at a time.
//
// Why it exists: go-redis v9.23.0's ClusterClient pipeline can queue one
// command twice for its next attempt. When, in one node's batch, a command
// is answered MOVED (queued for the node named in the reply) and then the
// batch fails again (a connection error later in the batch, or a retryable
// error such as CLUSTERDOWN on the batch's first command), the whole batch
// is mapped again, the moved command with it. The next attempt then sends
// that command twice, from two goroutines when the two copies map to two
// nodes: a non-idempotent command (INCR) runs twice, and both goroutines
// write the command's reply, a data race that -race caught in CI while a
// cluster primary was being killed (TestClusterPrimaryLoss). The newest
// go-redis served here is that version; this package's tests show the
// double send on the library's own path, so the day they fail, upstream has
// fixed it and Install can go.
//
// Install replaces the library's cluster fan-out with one that keeps the
// library's routing and its retry budget: commands grouped by the primary
// of their key's slot, one plain pipeline per node, in parallel; a command
// answered MOVED or ASK is sent again alone through the ClusterClient,
// which follows the redirect; the ones that failed in a way worth retrying
// go to the next round, each once, after go-redis's backoff, for at most
// MaxRedirects more rounds, as the library's own loop does.
package clusterpipe

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"cqrslab/internal/ctxsleep"
)

// Install makes every Pipeline of c go through send. A MULTI/EXEC
// transaction (TxPipeline, one slot) keeps the library's path: it passes
// through the same hook, and its reply handling is another loop.
func Install(c *redis.ClusterClient) {
	c.AddHook(hook{c})
}

type hook struct{ c *redis.ClusterClient }

func (hook) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (hook) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (h hook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) > 0 && strings.EqualFold(cmds[0].Name(), "multi") {
			return next(ctx, cmds)
		}
		return send(ctx, h.c, cmds)
	}
}

// send runs cmds on the cluster c, each command sent once per round, and
// returns the first command's error in cmds' order, as a pipeline's Exec
// does.
func send(ctx context.Context, c *redis.ClusterClient, cmds []redis.Cmder) error {
	opt := c.Options() // MaxRedirects as the client uses it: -1 became 0, 0 became 3
	pending := cmds
	for round := 0; len(pending) > 0; round++ {
		if round > 0 {
			if !ctxsleep.Sleep(ctx, backoff(round, opt.MinRetryBackoff, opt.MaxRetryBackoff)) {
				for _, cmd := range pending {
					cmd.SetErr(ctx.Err())
				}
				break
			}
		}
		pending = sendRound(ctx, c, pending)
		if round >= opt.MaxRedirects {
			break
		}
	}
	for _, cmd := range cmds {
		if err := cmd.Err(); err != nil {
			return err
		}
	}
	return nil
}

// sendRound sends cmds once and returns those to try again.
func sendRound(ctx context.Context, c *redis.ClusterClient, cmds []redis.Cmder) (again []redis.Cmder) {
	groups := map[*redis.Client][]redis.Cmder{}
	var node *redis.Client // the node of the command before: a keyless one (WAIT) rides with it
	for i, cmd := range cmds {
		key, ok := firstKey(cmd)
		if !ok && node == nil {
			key, ok = nextKey(cmds[i+1:])
		}
		if ok {
			n, err := c.MasterForKey(ctx, key)
			if err != nil {
				cmd.SetErr(err)
				if retryable(ctx, err) {
					again = append(again, cmd)
				}
				continue
			}
			node = n
		}
		if node == nil { // no command has a key: any primary
			n, err := c.MasterForKey(ctx, "")
			if err != nil {
				cmd.SetErr(err)
				continue
			}
			node = n
		}
		groups[node] = append(groups[node], cmd)
	}

	var wg sync.WaitGroup
	for n, group := range groups {
		wg.Go(func() {
			pipe := n.Pipeline()
			for _, cmd := range group {
				_ = pipe.Process(ctx, cmd)
			}
			_, _ = pipe.Exec(ctx) // each command holds its own reply or error
		})
	}
	wg.Wait()

	reload := false
	for _, group := range groups {
		for _, cmd := range group {
			err := cmd.Err()
			switch {
			case err == nil || errors.Is(err, redis.Nil):
			case redirected(err):
				reload = true
				_ = c.Process(ctx, cmd) // the cluster client follows MOVED and ASK
			case retryable(ctx, err):
				reload = true
				again = append(again, cmd)
			}
		}
	}
	if reload {
		c.ReloadState(ctx) // lazy: the next round, or the next command, reads the new slot map
	}
	return again
}

// firstKey is the key a command is routed by: its first argument, or the
// first key of EVAL, EVALSHA and FCALL (after the script and the key
// count). The engine pipelines single-key commands only.
func firstKey(cmd redis.Cmder) (string, bool) {
	args := cmd.Args()
	pos := 1
	switch strings.ToLower(cmd.Name()) {
	case "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro":
		pos = 3
	case "wait", "waitaof", "ping", "echo", "asking", "readonly", "readwrite", "time", "info", "dbsize":
		return "", false
	}
	if len(args) <= pos {
		return "", false
	}
	switch k := args[pos].(type) {
	case string:
		return k, true
	case []byte:
		return string(k), true
	}
	return "", false
}

// nextKey is the first key among cmds.
func nextKey(cmds []redis.Cmder) (string, bool) {
	for _, cmd := range cmds {
		if k, ok := firstKey(cmd); ok {
			return k, true
		}
	}
	return "", false
}

// redirected reports a MOVED or ASK reply.
func redirected(err error) bool {
	var re redis.Error
	if !errors.As(err, &re) {
		return false
	}
	s := re.Error()
	return strings.HasPrefix(s, "MOVED ") || strings.HasPrefix(s, "ASK ")
}

// retryable reports an error another round may clear, as go-redis judges
// them: a connection that failed (not the caller's deadline or cancel), or a
// server that is loading, read-only, without its primary, or whose cluster
// is down or asks to try again.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var re redis.Error
	if !errors.As(err, &re) {
		return true // the connection, not the server, failed
	}
	s := re.Error()
	for _, p := range []string{"LOADING ", "READONLY ", "MASTERDOWN ", "CLUSTERDOWN ", "TRYAGAIN ", "ERR max number of clients"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// backoff is go-redis's wait before retry round n: at least min, at most
// max, with jitter, growing as min<<n. A negative min or max (the
// options' "no backoff") waits not at all.
func backoff(n int, minB, maxB time.Duration) time.Duration {
	if minB <= 0 || maxB <= 0 {
		return 0
	}
	d := minB << uint(min(n, 20))
	if d <= 0 || d > maxB {
		d = maxB
	}
	return min(minB+rand.N(d), maxB)
}
