package lab

// Ports: the free loopback port a local server listens on.

import (
	"fmt"
	"net"
)

// localFreePort picks the port for a server; tests replace it to force a
// port clash.
var localFreePort = freeLoopbackPort

// freeLoopbackPort asks the kernel for a free port on 127.0.0.1.
func freeLoopbackPort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("local lab: find a free port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	return port, ln.Close()
}
