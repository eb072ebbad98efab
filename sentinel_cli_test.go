package main

import "testing"

// TestRedisSentinelUsageErrors: --redis-sentinel is read and checked before
// anything connects, each mistake named with a value that works (exit 2).
func TestRedisSentinelUsageErrors(t *testing.T) {
	t.Parallel() // runs the binary and reads its output; nothing shared
	dsn := "postgres://u@127.0.0.1/db"
	ext := func(spec string) []string {
		return []string{"experiment", "--infra", "external", "--pg-dsn", dsn, "--redis-sentinel", spec}
	}
	wantUsageErrors(t, []usageCase{
		{ext("10.0.0.5:26379"), "no master name before @"},
		{ext("@10.0.0.5:26379"), "master name \"\" is empty"},
		{ext("mymaster@"), "sentinel address \"\" is not HOST:PORT"},
		{ext("mymaster@10.0.0.5"), "is not HOST:PORT"},
		{ext("mymaster@10.0.0.5:0"), "is not 1-65535"},
		{ext("mymaster@10.0.0.5:26379,10.0.0.5:26379"), "listed twice"},
		{append(ext("mymaster@10.0.0.5:26379"), "--redis-addr", "127.0.0.1:6379"), "are exclusive"},
		{[]string{"lab", "up", "--infra", "docker", "--redis-sentinel", "m@10.0.0.5:26379"}, "go with --infra external"},
		{[]string{"lab", "up", "--infra", "external", "--pg-dsn", dsn}, "or --redis-sentinel MASTER@HOST:PORT"},
	})
}
