package demo

import (
	"cqrslab/demo/lab"

	"github.com/redis/go-redis/v9"
)

// redisDial is how to dial a lab's Redis: the lab's own dialer in the
// process that started it, else on the ha topology a dialer that maps the
// addresses Sentinel announces to the ones this host reaches (nil: dial
// as given).
func redisDial(r lab.RedisInfo) lab.DialFunc {
	if r.Dial != nil {
		return r.Dial
	}
	return r.NodeDialer()
}

// sentinelTarget says where a replicated Redis's Sentinels are (a lab of
// topology ha); the zero value means one plain Redis.
type sentinelTarget struct {
	addrs  []string
	master string
}

// newRedis opens a Redis client with o's settings: a plain client, or on
// the ha topology go-redis's FailoverClient, which asks the Sentinels
// where the primary is and follows it through a failover (same *Client
// type, so the engine does not care which it got). o.Addr is then unused;
// o.Dialer dials both the Sentinels and the nodes.
func newRedis(o *redis.Options, s sentinelTarget) *redis.Client {
	if len(s.addrs) == 0 {
		return redis.NewClient(o)
	}
	u := universal(o)
	u.Addrs, u.MasterName = s.addrs, s.master
	u.SentinelPassword = o.Password // the lab's Sentinels share the nodes' password
	return redis.NewFailoverClient(u.Failover())
}
