package demo

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"cqrslab/demo/lab"
)

// What each Redis node of an ha lab holds, read node by node: the lesson's
// step-through shows a post on the primary and on the replicas, then a
// post that only the cut-off primary has, and that it throws away when it
// rejoins. A client that follows Sentinel cannot show that (it reads one
// node, the primary); this reads every node itself.

// HANode is one Redis node as read just now.
type HANode struct {
	// Addr is the node's address on the replication network: what the
	// Sentinels announce, so it can be compared with HAView.Primary.
	Addr string
	// Role is what the node says it is ("master" or "slave"); a primary
	// cut off from its Sentinels still says "master".
	Role string
	// Has lists the asked post IDs that are members of the author's feed
	// on this node.
	Has []string
	Err error
}

// HAView is every node of an ha lab, and which one the Sentinels name the
// primary.
type HAView struct {
	Primary string // "" when no Sentinel answered
	Nodes   []HANode
	Err     error // the Sentinels' error, when none answered
}

// Holds reports whether node i has the post.
func (n HANode) Holds(id string) bool { return slices.Contains(n.Has, id) }

// ReadHA reads every node of the ha lab r describes (its NodeAddrs) for
// the given posts in author's feed, and asks the Sentinels for the
// primary. Each node is read with short timeouts and no retries, so a node
// that is down shows as an error at once. A lab that is not ha gives an
// empty view.
func ReadHA(ctx context.Context, r lab.RedisInfo, author string, postIDs []string) HAView {
	var v HAView
	if len(r.Sentinels) == 0 {
		return v
	}
	dial := r.NodeDialer()
	// The nodes listen where the Sentinels say the primary does (r.Addr
	// may be the lab's proxy in front of the first primary).
	var port string
	v.Primary, port, v.Err = sentinelPrimary(ctx, r, dial)
	if port == "" {
		port = "6379"
	}
	key := r.KeyPrefix + "feed:" + author
	repl := make([]string, 0, len(r.NodeAddrs))
	for ip := range r.NodeAddrs {
		repl = append(repl, ip)
	}
	slices.SortFunc(repl, func(a, b string) int { return compareIP(a, b) })
	v.Nodes = make([]HANode, len(repl))
	var wg sync.WaitGroup
	for i, ip := range repl {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.Nodes[i] = readNode(ctx, net.JoinHostPort(ip, port), r.Password, dial, key, postIDs)
		}()
	}
	wg.Wait()
	return v
}

func compareIP(a, b string) int {
	pa, pb := net.ParseIP(a).To16(), net.ParseIP(b).To16()
	if pa == nil || pb == nil {
		return strings.Compare(a, b)
	}
	return slices.Compare(pa, pb)
}

func quickClient(addr, password string, dial lab.DialFunc) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: addr, Password: password, Dialer: dial,
		DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second,
		MaxRetries: -1, PoolSize: 1, ContextTimeoutEnabled: true})
}

func readNode(ctx context.Context, addr, password string, dial lab.DialFunc, key string, ids []string) HANode {
	host, _, _ := net.SplitHostPort(addr)
	n := HANode{Addr: host}
	c := quickClient(addr, password, dial)
	defer c.Close()
	info, err := c.Info(ctx, "replication").Result()
	if err != nil {
		n.Err = err
		return n
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "role:"); ok {
			n.Role = v
		}
	}
	members, err := c.ZRange(ctx, key, 0, -1).Result()
	if err != nil {
		n.Err = err
		return n
	}
	for _, m := range members {
		if it, ok := decodeMember(m); ok && slices.Contains(ids, it.PostID) {
			n.Has = append(n.Has, it.PostID)
		}
	}
	return n
}

// sentinelPrimary is the primary's host and port as the first Sentinel
// that answers names them.
func sentinelPrimary(ctx context.Context, r lab.RedisInfo, dial lab.DialFunc) (host, port string, err error) {
	var errs []error
	for _, s := range r.Sentinels {
		sc := redis.NewSentinelClient(&redis.Options{Addr: s, Password: r.Password, Dialer: dial,
			DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second, MaxRetries: -1, PoolSize: 1})
		addr, err := sc.GetMasterAddrByName(ctx, r.MasterName).Result()
		sc.Close()
		if err == nil && len(addr) == 2 {
			return addr[0], addr[1], nil
		}
		errs = append(errs, err)
	}
	return "", "", errors.Join(errs...)
}
