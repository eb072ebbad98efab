package demo_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/labtest"
)

// stallFirst is a TCP relay to a real PostgreSQL whose first connection
// is accepted and never answered: a server too busy to start a session.
type stallFirst struct {
	l        net.Listener
	accepted atomic.Int32
	mu       sync.Mutex
	conns    []net.Conn
}

func newStallFirst(t *testing.T, target string) *stallFirst {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &stallFirst{l: l}
	t.Cleanup(func() {
		l.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, c := range s.conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			if s.accepted.Add(1) == 1 {
				continue // held open, never answered
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			s.mu.Lock()
			s.conns = append(s.conns, up)
			s.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	return s
}

// A PostgreSQL start-up that times out once is tried again: in CI, at load
// 14, one slow start-up ended a whole experiment run with "does not answer".
func TestConnectTriesASlowStartUpAgain(t *testing.T) {
	l := labtest.Lab(t)
	info := l.CurrentInfo()
	host, port := info.Postgres.DirectHost, info.Postgres.DirectPort
	if port == 0 {
		host, port = info.Postgres.Host, info.Postgres.Port
	}
	relay := newStallFirst(t, net.JoinHostPort(host, strconv.Itoa(port)))
	u := url.URL{Scheme: "postgres", User: url.UserPassword(info.Postgres.User, info.Postgres.Password),
		Host: relay.l.Addr().String(), Path: "/" + info.Postgres.Database,
		RawQuery: "sslmode=disable&connect_timeout=1"}
	info.Postgres.RawDSN, info.Postgres.Dial = u.String(), nil
	info.Postgres.Schema = fmt.Sprintf("t_connect_%d", time.Now().UnixNano()%1_000_000)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := demo.Connect(ctx, info)
	if err != nil {
		t.Fatalf("one stalled start-up ended Connect: %v", err)
	}
	defer st.Close()
	defer st.PG.Exec("DROP SCHEMA IF EXISTS " + info.Postgres.Schema + " CASCADE")
	if n := relay.accepted.Load(); n < 2 {
		t.Fatalf("the relay saw %d connection(s); Connect should have tried again after the stall", n)
	}
}

// A refused address is not tried again: the error comes at once and says
// how many tries it took.
func TestConnectDoesNotRetryARefusal(t *testing.T) {
	dead := deadAddr(t)
	var info lab.Info
	info.Postgres.RawDSN = "postgres://x:y@" + dead + "/x?sslmode=disable&connect_timeout=2"
	began := time.Now()
	_, err := demo.Connect(context.Background(), info)
	if err == nil || !strings.Contains(err.Error(), "(1 try in") {
		t.Fatalf("want a refusal after one try, got %v", err)
	}
	if d := time.Since(began); d > 3*time.Second {
		t.Fatalf("a refusal took %v", d)
	}
}
