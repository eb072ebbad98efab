package demo

import (
	"fmt"
	"strings"
	"time"
)

// PolicyName names a write policy: what CreatePost does about the Redis step.
type PolicyName string

const (
	// PolicySeed is exactly the seed lesson: INSERT, then ZADD with no
	// deadline of its own; on failure a warning and success.
	PolicySeed PolicyName = "seed"
	// PolicyBudgeted bounds the ZADD by a deadline and a circuit breaker;
	// a failed or skipped ZADD marks the author dirty for the reconciler.
	PolicyBudgeted PolicyName = "budgeted"
	// PolicyOutbox writes the post and an outbox row in one transaction;
	// the ZADD follows the commit, and a relay retries rows left pending
	// (a crash between the two writes included).
	PolicyOutbox PolicyName = "outbox"
)

// Policies lists the policies in the order the lesson introduces them.
var Policies = []PolicyName{PolicySeed, PolicyBudgeted, PolicyOutbox}

// ParsePolicy turns a flag value into a PolicyName, naming the choices when
// it is not one.
func ParsePolicy(s string) (PolicyName, error) {
	for _, p := range Policies {
		if strings.EqualFold(s, string(p)) {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown policy %q: use seed, budgeted or outbox", s)
}

// Budget configures the budgeted policy's Redis client and breaker. Zero
// fields take the defaults below, chosen for the lesson's 500 writes/s: a
// deadline well under the lesson's 50 ms spike (yet loose enough for a busy laptop) so a slow Redis costs each write at
// most the deadline, and a pool large enough that writes in flight
// (rate × deadline ≈ 10) never wait for a connection.
type Budget struct {
	// Deadline bounds each ZADD, connection wait included (default 20ms).
	Deadline time.Duration
	// PoolSize is the Redis connection pool size (default 64).
	PoolSize int
	// MaxRetries for a failed ZADD (default 0: a retry would break the
	// deadline; the reconciler repairs instead).
	MaxRetries int
	// BreakerFailures is how many consecutive failures open the breaker
	// (default 5).
	BreakerFailures uint32
	// BreakerCooldown is how long the breaker stays open before a probe
	// (default 1s).
	BreakerCooldown time.Duration
}

func (b Budget) withDefaults() Budget {
	if b.Deadline <= 0 {
		b.Deadline = 20 * time.Millisecond
	}
	if b.PoolSize <= 0 {
		b.PoolSize = 64
	}
	if b.BreakerFailures == 0 {
		b.BreakerFailures = 5
	}
	if b.BreakerCooldown <= 0 {
		b.BreakerCooldown = time.Second
	}
	return b
}
