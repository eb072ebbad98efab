package demo

import "github.com/redis/go-redis/v9"

// universal carries the settings of a single-node client's options over
// to go-redis's UniversalOptions, from which the FailoverClient (ha) and
// the ClusterClient (cluster) take theirs: the one place where the
// engine's Redis settings are copied field by field, so a setting a policy
// adds (budget.go) reaches every topology alike. Addrs and the topology's
// own fields are the caller's to set.
func universal(o *redis.Options) *redis.UniversalOptions {
	return &redis.UniversalOptions{
		Password: o.Password,
		Dialer:   o.Dialer,

		ContextTimeoutEnabled: o.ContextTimeoutEnabled,
		DialTimeout:           o.DialTimeout,
		ReadTimeout:           o.ReadTimeout,
		WriteTimeout:          o.WriteTimeout,
		PoolTimeout:           o.PoolTimeout,
		PoolSize:              o.PoolSize,
		MinIdleConns:          o.MinIdleConns,
		MaxRetries:            o.MaxRetries,
	}
}
