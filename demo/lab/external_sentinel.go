package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// The external provider on a Sentinel-managed Redis the user runs
// (--redis-sentinel MASTER@HOST:PORT,...): the engine asks the Sentinels
// where the primary is and follows it through a failover, with go-redis's
// FailoverClient, as on the ha topology. Nothing is started or stopped,
// so, as with any external lab, only network faults apply: the engine's
// Redis connections (to the Sentinels and to whichever node they name) go
// through the Redis fault layer, so a latency or down fault reaches all
// of them. The lab's Redis proxy, which clients in other terminals use,
// fronts the primary named at start only; after a failover those clients
// reach the old primary.

// ParseSentinelSpec reads "MASTER@HOST:PORT,HOST:PORT,...": the name the
// Sentinels monitor the primary under, then one or more Sentinel
// addresses. The error names what is wrong and what a good value looks
// like.
func ParseSentinelSpec(spec string) (master string, addrs []string, err error) {
	const want = "want MASTER@HOST:PORT[,HOST:PORT...], e.g. mymaster@10.0.0.5:26379,10.0.0.6:26379"
	master, list, ok := strings.Cut(strings.TrimSpace(spec), "@")
	master = strings.TrimSpace(master)
	if !ok {
		return "", nil, fmt.Errorf("bad --redis-sentinel %q: no master name before @; %s", spec, want)
	}
	if master == "" || strings.ContainsAny(master, " \t,:") {
		return "", nil, fmt.Errorf("bad --redis-sentinel %q: master name %q is empty or has a space, comma or colon; %s",
			spec, master, want)
	}
	seen := map[string]bool{}
	for _, a := range strings.Split(list, ",") {
		a = strings.TrimSpace(a)
		host, port, err := net.SplitHostPort(a)
		if err != nil || host == "" {
			return "", nil, fmt.Errorf("bad --redis-sentinel %q: sentinel address %q is not HOST:PORT; %s", spec, a, want)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", nil, fmt.Errorf("bad --redis-sentinel %q: port %q of %s is not 1-65535; %s", spec, port, a, want)
		}
		if seen[a] {
			return "", nil, fmt.Errorf("bad --redis-sentinel %q: sentinel %s is listed twice", spec, a)
		}
		seen[a] = true
		addrs = append(addrs, a)
	}
	return master, addrs, nil
}

// externalSentinelRedis asks the Sentinels where the primary is, for
// Info: the primary's address (what the Redis proxy fronts), the
// Sentinels and the master name.
func externalSentinelRedis(ctx context.Context, opts Options) (RedisInfo, error) {
	r := RedisInfo{Password: opts.RedisPassword, KeyPrefix: "cqrslab:", Sentinels: opts.RedisSentinels,
		MasterName: opts.RedisMasterName}
	addr, err := sentinelMaster(ctx, opts.RedisSentinels, opts.RedisMasterName, opts.RedisPassword)
	if err != nil {
		return r, err
	}
	r.Addr = addr
	return r, nil
}

// sentinelMaster asks each Sentinel in turn for the primary of master,
// returning the first answer; the error names every Sentinel's.
func sentinelMaster(ctx context.Context, sentinels []string, master, password string) (string, error) {
	var errs []error
	for _, s := range sentinels {
		sc := redis.NewSentinelClient(&redis.Options{Addr: s, Password: password, MaxRetries: -1,
			DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, ContextTimeoutEnabled: true})
		addr, err := sc.GetMasterAddrByName(ctx, master).Result()
		sc.Close()
		if err == nil && len(addr) == 2 {
			return net.JoinHostPort(addr[0], addr[1]), nil
		}
		if errors.Is(err, redis.Nil) {
			err = fmt.Errorf("monitors no master named %q", master)
		}
		errs = append(errs, fmt.Errorf("sentinel %s: %v", s, err))
	}
	return "", fmt.Errorf("no Sentinel names the primary of %q (check --redis-sentinel and --redis-password): %w",
		master, errors.Join(errs...))
}

// sentinelAfterProxies gives the engine of an external Sentinel lab a
// Redis dialer that dials the address go-redis asks for through the
// fault layer (the layer's own dial goes to one fixed server).
func (l *Lab) sentinelAfterProxies() {
	if l.Provider != External || len(l.Info.Redis.Sentinels) == 0 {
		return
	}
	fl := l.faultLayer.Load()
	if fl == nil || fl.targets[TargetRedis] == nil {
		return
	}
	t := fl.targets[TargetRedis]
	l.infoMu.Lock()
	l.Info.Redis.Dial = t.dialAddr
	l.infoMu.Unlock()
}
