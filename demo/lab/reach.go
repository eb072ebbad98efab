package lab

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	dc "github.com/ory/dockertest/v3/docker"
)

// Where the host reaches a container. The published port (bound to
// 127.0.0.1, for psql and redis-cli) goes through docker-proxy, a userland
// copy that measured 150-300 µs per round trip on the docker lab: more than
// Redis itself needs for a ZADD. On Linux with a bridge network the host
// reaches the container's own address directly, so the lab uses that when
// a connection attempt shows it routes (an answer or a refusal; a server
// still starting refuses). Docker Desktop, Colima and Podman machines run
// the engine in a VM whose bridge the host cannot reach: there the attempt
// times out and the lab keeps the published port.

// containerIP is the container's address on its network, "" when it has
// none.
func containerIP(c *dc.Container) string {
	if c == nil || c.NetworkSettings == nil {
		return ""
	}
	if ip := c.NetworkSettings.IPAddress; ip != "" {
		return ip
	}
	for _, n := range c.NetworkSettings.Networks {
		if n.IPAddress != "" {
			return n.IPAddress
		}
	}
	return ""
}

// routes reports whether the host reaches ip:port: a connection or a
// refusal proves the route, a timeout or an unreachable network does not.
func routes(ctx context.Context, ip string, port int) bool {
	if runtime.GOOS != "linux" || ip == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err == nil {
		_ = c.Close()
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// serverAddr is where the lab reaches a container's server: its own
// address when the host routes to it, else the published loopback port.
// direct says which.
func serverAddr(ctx context.Context, c *dc.Container, containerPort, publishedPort string) (host string, port int, direct bool) {
	cport, _ := strconv.Atoi(strings.TrimSuffix(containerPort, "/tcp"))
	if ip := containerIP(c); ip != "" && routes(ctx, ip, cport) {
		return ip, cport, true
	}
	p, _ := strconv.Atoi(publishedPort)
	return "127.0.0.1", p, false
}
