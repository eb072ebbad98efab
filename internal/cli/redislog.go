package cli

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// go-redis prints its own pool messages ("failed to dial after 5 attempts")
// straight to stderr. During a fault that is hundreds of lines a second,
// drowning the lab's own report of the same failures, so it is silenced:
// every error still reaches the caller of the command that failed.
func init() { redis.SetLogger(quietRedis{}) }

type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}
