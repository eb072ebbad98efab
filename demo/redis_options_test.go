package demo

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestReplicatedClientsKeepTheEngineSettings: the FailoverClient and the
// ClusterClient are built from the same single-node options the plain
// client gets (universal), so a policy's deadlines, pool and retries hold
// on every topology. Nothing is dialled: the clients are only built.
func TestReplicatedClientsKeepTheEngineSettings(t *testing.T) {
	dial := func(context.Context, string, string) (net.Conn, error) { return nil, net.ErrClosed }
	o := &redis.Options{Password: "pw", Dialer: dial, ContextTimeoutEnabled: true,
		DialTimeout: 11 * time.Millisecond, ReadTimeout: 12 * time.Millisecond, WriteTimeout: 13 * time.Millisecond,
		PoolTimeout: 14 * time.Millisecond, PoolSize: 15, MinIdleConns: 0, MaxRetries: 2}

	fc := newRedis(o, sentinelTarget{addrs: []string{"10.0.0.1:26379"}, master: "m"})
	defer fc.Close()
	f := fc.Options()
	if f.Password != "pw" || f.Dialer == nil || !f.ContextTimeoutEnabled || f.DialTimeout != o.DialTimeout ||
		f.ReadTimeout != o.ReadTimeout || f.WriteTimeout != o.WriteTimeout || f.PoolTimeout != o.PoolTimeout ||
		f.PoolSize != o.PoolSize || f.MaxRetries != o.MaxRetries {
		t.Errorf("failover client options lost settings: %+v", f)
	}

	cc, ok := newProjectionReload(o, sentinelTarget{}, clusterTarget{"10.0.0.2:6379"}, time.Second).(*redis.ClusterClient)
	if !ok {
		t.Fatal("a cluster target did not give a ClusterClient")
	}
	defer cc.Close()
	c := cc.Options()
	if c.Password != "pw" || c.Dialer == nil || !c.ContextTimeoutEnabled || c.DialTimeout != o.DialTimeout ||
		c.ReadTimeout != o.ReadTimeout || c.WriteTimeout != o.WriteTimeout || c.PoolTimeout != o.PoolTimeout ||
		c.PoolSize != o.PoolSize || c.MaxRetries != o.MaxRetries || c.ClusterStateReloadInterval != time.Second ||
		c.MaxRedirects != 3 || len(c.Addrs) != 1 {
		t.Errorf("cluster client options lost settings: %+v", c)
	}
}
