package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"cqrslab/demo/lab"
)

// TestMessagesAgainstARunningLab covers what issue 16 found untrue or
// silent against a running lab: `feed` dropped members it could not decode
// (2 items shown over a ZCARD of 3), `reconcile` exited 0 on drift, and
// post/feed against several running labs did not say which lab they used.
func TestMessagesAgainstARunningLab(t *testing.T) {
	stateDir := t.TempDir()
	env := []string{"CQRSLAB_STATE_DIR=" + stateDir}
	up := startLabUp(t, env, labUpArgs(t))
	defer up.Stop()
	b, err := os.ReadFile(filepath.Join(stateDir, "labs", up.RunID+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var info lab.Info
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := cqrslab(t, env, "post", "create", "--author", "alice", "--title", "real", "--id", "m-1"); code != 0 {
		t.Fatalf("post create: exit %d: %s", code, errOut)
	}
	rdb := redis.NewClient(&redis.Options{Addr: info.Redis.Addr, Password: info.Redis.Password})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rdb.ZAdd(ctx, info.Redis.KeyPrefix+"feed:alice", redis.Z{Score: 1, Member: "not json \x1b[2J"}).Err(); err != nil {
		t.Fatal(err)
	}

	out, errOut, code := cqrslab(t, env, "feed", "--author", "alice")
	if code != 0 || !strings.Contains(out, "1 item(s) and 1 member(s) that are not feed items") ||
		!strings.Contains(out, "not a feed item") || strings.Contains(out, "\x1b") {
		t.Errorf("feed text: exit %d, %q %q", code, out, errOut)
	}
	out, errOut, code = cqrslab(t, env, "feed", "--author", "alice", "--json")
	var feed struct {
		Lab         string
		Items       []struct{ PostID string }
		Undecodable []string
	}
	if code != 0 || json.Unmarshal([]byte(out), &feed) != nil || len(feed.Items) != 1 ||
		len(feed.Undecodable) != 1 || feed.Undecodable[0] != "not json \x1b[2J" || feed.Lab != up.RunID {
		t.Errorf("feed --json: exit %d, %q %q", code, out, errOut)
	}

	// reconcile --check: 1 on drift, 0 in sync; plain reconcile stays 0.
	if _, _, code := cqrslab(t, env, "reconcile"); code != 0 {
		t.Errorf("reconcile without --check on drift: exit %d, want 0", code)
	}
	for _, args := range [][]string{{"reconcile", "--check"}, {"reconcile", "--check", "--json"}} {
		if out, errOut, code := cqrslab(t, env, args...); code != 1 || !strings.Contains(errOut, "drifted") {
			t.Errorf("%v on drift: exit %d, %q %q", args, code, out, errOut)
		}
	}
	if _, errOut, code := cqrslab(t, env, "reconcile", "--repair"); code != 0 {
		t.Fatalf("reconcile --repair: exit %d: %s", code, errOut)
	}
	if out, errOut, code := cqrslab(t, env, "reconcile", "--check"); code != 0 {
		t.Errorf("reconcile --check in sync: exit %d, %q %q", code, out, errOut)
	}

	// A second running lab, newer: the commands say which one they use.
	// (A copy of the record owned by this live test process, pointing at
	// the same servers, stands in for it.)
	other := info
	other.RunID, other.PID, other.Started = "0000feed0000", os.Getpid(), time.Now()
	ob, _ := json.Marshal(other)
	if err := os.WriteFile(filepath.Join(stateDir, "labs", other.RunID+".json"), ob, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = cqrslab(t, env, "post", "create", "--author", "bob", "--title", "which lab", "--json")
	var post struct{ Lab string }
	if code != 0 || json.Unmarshal([]byte(out), &post) != nil || post.Lab != other.RunID ||
		!strings.Contains(errOut, "2 labs are running; using the newest, "+other.RunID) || !strings.Contains(errOut, up.RunID) {
		t.Errorf("post with two labs: exit %d, %q %q", code, out, errOut)
	}
	if _, errOut, _ := cqrslab(t, env, "feed", "--author", "bob"); !strings.Contains(errOut, "using the newest, "+other.RunID) {
		t.Errorf("feed with two labs does not name the lab: %q", errOut)
	}
	os.Remove(filepath.Join(stateDir, "labs", other.RunID+".json"))

	// The printed redis-cli line keeps the password out of argv (ps).
	if s := up.Output(); strings.Contains(s, " -a "+info.Redis.Password) || !strings.Contains(s, "REDISCLI_AUTH=") {
		t.Errorf("lab up prints the Redis password as an argument:\n%s", s)
	}
}
