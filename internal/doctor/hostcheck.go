package doctor

import (
	"fmt"
	"net"
	"time"
)

// checkLoopback proves what every lab needs of the network: a listener on a
// random 127.0.0.1 port that a client can connect to. Containers publish
// there, local servers listen there, and the in-process fault proxy too; a
// firewall or a missing loopback interface breaks all three at once.
func checkLoopback() Check {
	c := Check{Name: "loopback ports"}
	fix := "enable the loopback interface (Linux: `sudo ip link set lo up`) and allow connections to " +
		"127.0.0.1 in your firewall or endpoint-security tool"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		c.Status, c.Detail, c.Fix = Fail, fmt.Sprintf("cannot listen on 127.0.0.1: %v", err), fix
		return c
	}
	defer ln.Close()
	accepted := make(chan error, 1)
	go func() {
		conn, err := ln.Accept()
		if err == nil {
			conn.Close()
		}
		accepted <- err
	}()
	conn, err := net.DialTimeout("tcp", ln.Addr().String(), 2*time.Second)
	if err != nil {
		c.Status, c.Detail, c.Fix = Fail, fmt.Sprintf("listening on %s works, connecting to it does not: %v", ln.Addr(), err), fix
		return c
	}
	conn.Close()
	select {
	case <-accepted:
	case <-time.After(2 * time.Second):
	}
	c.Status, c.Detail = OK, "a random 127.0.0.1 port accepts connections (the lab's servers listen on such ports)"
	return c
}
