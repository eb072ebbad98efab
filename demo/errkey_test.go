package demo

import (
	"errors"
	"fmt"
	"net"
	"testing"
)

// The error counts of a load run group timeouts by what failed, not by the
// ephemeral port each connection happened to use.
func TestErrKeyDropsTheLocalEnd(t *testing.T) {
	timeout := func(port int) error {
		return &net.OpError{Op: "read", Net: "tcp",
			Source: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port},
			Addr:   &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 33221},
			Err:    errors.New("i/o timeout")}
	}
	a, b := errKey(timeout(37556)), errKey(fmt.Errorf("zadd: %w", timeout(60710)))
	if a != "read tcp 127.0.0.1:33221: i/o timeout" {
		t.Errorf("errKey = %q", a)
	}
	if b != "zadd: "+a {
		t.Errorf("wrapped: errKey = %q, want the same class under the wrap", b)
	}
	ipv6 := &net.OpError{Op: "read", Net: "tcp", Source: &net.TCPAddr{IP: net.IPv6loopback, Port: 41000},
		Addr: &net.TCPAddr{IP: net.IPv6loopback, Port: 6379}, Err: errors.New("i/o timeout")}
	if got := errKey(ipv6); got != "read tcp [::1]:6379: i/o timeout" {
		t.Errorf("IPv6: errKey = %q", got)
	}
	if got := errKey(errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")); got != "dial tcp 127.0.0.1:6379: connect: connection refused" {
		t.Errorf("an error with no local end changed: %q", got)
	}
}
