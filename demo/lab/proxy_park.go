package lab

import (
	"context"
	"net"
	"sync"
)

// A stopped server's address is a trap for Toxiproxy: its accept loop
// dials the upstream inline, with no timeout, so while a container is
// stopped every client connection waits out TCP's SYN retries to an address
// nobody answers (45-70 s seen), the loop accepts nothing else, and the
// proxy cannot even be re-pointed at the restarted server (its Update waits
// for that loop). So before a server is stopped its proxy is parked on a
// loopback listener of the lab's own that hangs up at once: clients get the
// immediate "server closed the connection" of a server going away, and the
// heal re-points the proxy as before. (Disabling the proxy instead would
// read as a `down` fault, which the lab reports from the proxy's state.)
type parking struct {
	once sync.Once
	ln   net.Listener
	err  error
}

// addr starts the hang-up listener on first use and returns its address.
func (pk *parking) addr() (string, error) {
	pk.once.Do(func() {
		pk.ln, pk.err = net.Listen("tcp", "127.0.0.1:0")
		if pk.err != nil {
			return
		}
		go func() {
			for {
				c, err := pk.ln.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
	})
	if pk.err != nil {
		return "", pk.err
	}
	return pk.ln.Addr().String(), nil
}

func (pk *parking) close() {
	pk.once.Do(func() {}) // a later addr() must not start a listener
	if pk.ln != nil {
		pk.ln.Close()
	}
}

// parkProxy points target's proxy at the hang-up listener, before the
// server behind it is stopped.
func (l *Lab) parkProxy(ctx context.Context, target string) error {
	if l.proxies == nil {
		return nil
	}
	addr, err := l.proxies.parked.addr()
	if err != nil {
		return err
	}
	return l.repoint(ctx, target, addr)
}
