package lab

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/lib/pq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
	zlog "github.com/rs/zerolog/log"
)

// Every lab puts an in-process Toxiproxy (github.com/Shopify/toxiproxy/v2)
// in front of its two servers: a proxy named "redis" and one named
// "postgres", each listening on a free 127.0.0.1 port. Info's addresses are
// the proxies', so the engine, the CLI (in another terminal too: it reaches
// the proxies of the `lab up` process) and the tests all go through them,
// and a network fault applies to every client at once. The proxies live as
// long as the Lab.

// Proxy names, as toxiproxy-cli shows them.
const (
	ProxyRedis    = "redis"
	ProxyPostgres = "postgres"
)

// proxySet is the lab's embedded Toxiproxy.
type proxySet struct {
	server *toxiproxy.ApiServer
	// byName holds the lab's own proxies. A proxy missing here (PostgreSQL
	// of an external DSN that names a Unix socket or several hosts) has its
	// reason in unproxied.
	byName    map[string]*toxiproxy.Proxy
	unproxied map[string]string

	// api serves the standard Toxiproxy HTTP API when asked for.
	api *http.Server

	// parked is where a proxy waits while its server is stopped.
	parked parking

	closeOnce sync.Once
}

// proxy returns the lab's proxy of that name, or an ErrFaultUnavailable
// error saying why there is none.
func (ps *proxySet) proxy(name string) (*toxiproxy.Proxy, error) {
	if ps == nil {
		return nil, fmt.Errorf("%w: the lab has no proxies", ErrFaultUnavailable)
	}
	if p := ps.byName[name]; p != nil {
		return p, nil
	}
	if why := ps.unproxied[name]; why != "" {
		return nil, fmt.Errorf("%w: %s traffic does not go through a proxy: %s", ErrFaultUnavailable, name, why)
	}
	return nil, fmt.Errorf("%w: no proxy named %q (use redis or postgres)", ErrFaultUnavailable, name)
}

// proxyState is what a proxy looks like from outside, read under its lock.
func proxyState(p *toxiproxy.Proxy) (listen, upstream string, enabled bool) {
	p.Lock()
	defer p.Unlock()
	return p.Listen, p.Upstream, p.Enabled
}

// startProxies creates the two proxies in front of the servers the provider
// started, moves Info's addresses to them (keeping the servers' own in the
// Direct fields), checks that both answer through them, and serves the
// Toxiproxy API when Options ask for it.
func (l *Lab) startProxies(ctx context.Context, opts Options) error {
	silenceZerolog()
	ps := &proxySet{
		server:    toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop()),
		byName:    map[string]*toxiproxy.Proxy{},
		unproxied: map[string]string{},
	}
	l.proxies = ps

	l.infoMu.Lock()
	info := l.Info
	l.infoMu.Unlock()

	rp, err := ps.add(ProxyRedis, info.Redis.Addr)
	if err != nil {
		return err
	}
	info.Redis.DirectAddr = info.Redis.Addr
	info.Redis.Addr, _, _ = proxyState(rp)

	pg := info.Postgres
	if pg.RawDSN == "" {
		pg.DirectHost, pg.DirectPort = pg.Host, pg.Port
		pp, err := ps.add(ProxyPostgres, net.JoinHostPort(pg.Host, strconv.Itoa(pg.Port)))
		if err != nil {
			return err
		}
		listen, _, _ := proxyState(pp)
		host, port, _ := net.SplitHostPort(listen)
		pg.Host = host
		pg.Port, _ = strconv.Atoi(port)
	} else {
		pg.DirectRawDSN = pg.RawDSN
		upstream, why := dsnUpstream(pg.RawDSN)
		if why != "" {
			ps.unproxied[ProxyPostgres] = why
		} else {
			pp, err := ps.add(ProxyPostgres, upstream)
			if err != nil {
				return err
			}
			listen, _, _ := proxyState(pp)
			proxied, err := dsnThrough(pg.RawDSN, listen)
			if err != nil {
				// Not an error of the lab: PostgreSQL just goes direct.
				ps.unproxied[ProxyPostgres] = err.Error()
				ps.remove(ProxyPostgres)
			} else {
				pg.RawDSN = proxied
			}
		}
		if h, p, err := net.SplitHostPort(upstream); err == nil {
			pg.DirectHost = h
			pg.DirectPort, _ = strconv.Atoi(p)
		}
	}
	info.Postgres = pg

	// One round trip through each proxy: a proxy that cannot reach its
	// server is found now, not at the learner's first post.
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := pingThrough(cctx, info); err != nil {
		return err
	}

	// The engine of this process dials the servers themselves through the
	// fault layer, which follows the proxies' state.
	l.infoMu.Lock()
	l.Info = info
	l.infoMu.Unlock()
	fl := l.newFaultLayer()
	l.faultLayer.Store(fl)
	info.Redis.Dial = fl.dialFunc(TargetRedis)
	info.Postgres.Dial = fl.dialFunc(TargetPostgres)
	l.syncFaultLayer()

	if opts.ToxiproxyAPI != "" {
		addr, err := ps.serveAPI(l, opts.ToxiproxyAPI)
		if err != nil {
			return err
		}
		info.ToxiproxyAPI = addr
	}

	l.infoMu.Lock()
	l.Info = info
	l.infoMu.Unlock()
	return nil
}

// silenceZerolog turns off zerolog's global logger, which some toxics
// (bandwidth) write to at trace level on stderr: over a terminal UI. The
// lab's Toxiproxy is given a no-op logger of its own; nothing else in
// cqrslab logs through zerolog.
var silenceZerolog = sync.OnceFunc(func() {
	zlog.Logger = zerolog.Nop()
})

// add creates and starts a proxy on a free loopback port.
func (ps *proxySet) add(name, upstream string) (*toxiproxy.Proxy, error) {
	p := toxiproxy.NewProxy(ps.server, name, "127.0.0.1:0", upstream)
	if err := ps.server.Collection.Add(p, true); err != nil {
		return nil, fmt.Errorf("start the %s proxy: %w", name, err)
	}
	ps.byName[name] = p
	return p, nil
}

func (ps *proxySet) remove(name string) {
	if p := ps.byName[name]; p != nil {
		_ = ps.server.Collection.Remove(name)
		delete(ps.byName, name)
	}
}

// pingThrough checks both servers through the lab's addresses.
func pingThrough(ctx context.Context, info Info) error {
	rdb := redis.NewClient(&redis.Options{Addr: info.Redis.Addr, Password: info.Redis.Password,
		MaxRetries: -1, DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, ContextTimeoutEnabled: true})
	defer rdb.Close()
	if err := poll(ctx, func(ctx context.Context) error { return rdb.Ping(ctx).Err() }); err != nil {
		return fmt.Errorf("redis does not answer through the lab's proxy %s: %w", info.Redis.Addr, err)
	}
	db, err := sql.Open("postgres", info.Postgres.DSN())
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer db.Close()
	if err := poll(ctx, func(ctx context.Context) error { return db.PingContext(ctx) }); err != nil {
		return fmt.Errorf("postgres does not answer through the lab's proxy: %w", err)
	}
	return nil
}

// dsnUpstream finds the single TCP host:port a PostgreSQL DSN connects to
// (environment variables and defaults included, as lib/pq resolves them).
// why is set when the DSN cannot be proxied: a Unix socket, several hosts,
// or a hostaddr.
func dsnUpstream(dsn string) (upstream, why string) {
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		return "", fmt.Sprintf("lib/pq cannot parse the DSN (%v)", err)
	}
	switch {
	case len(cfg.Multi) > 0:
		return "", "the DSN names several hosts"
	case strings.HasPrefix(cfg.Host, "/") || strings.HasPrefix(cfg.Host, "@"):
		return "", "the DSN connects through the Unix socket " + cfg.Host
	case cfg.Hostaddr.IsValid():
		return "", "the DSN sets hostaddr"
	}
	return net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))), ""
}

// dsnThrough rewrites a DSN to connect to listen (the proxy) instead, and
// checks with lib/pq's own parser that it now does.
func dsnThrough(dsn, listen string) (string, error) {
	host, port, _ := net.SplitHostPort(listen)
	var out string
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("the DSN is not a URL lib/pq reads the same way (%v)", err)
		}
		u.Host = listen
		q := u.Query()
		for _, k := range []string{"host", "hostaddr", "port"} {
			q.Del(k)
		}
		u.RawQuery = q.Encode()
		out = u.String()
	} else {
		// In key=value form a later key wins.
		out = dsn + " host=" + host + " port=" + port
	}
	cfg, err := pq.NewConfig(out)
	if err != nil || cfg.Host != host || strconv.Itoa(int(cfg.Port)) != port || len(cfg.Multi) > 0 {
		return "", fmt.Errorf("the DSN could not be pointed at the proxy")
	}
	return out, nil
}

// ValidateLoopbackAddr accepts HOST:PORT where HOST is a loopback address
// (127.0.0.0/8, ::1 or localhost) and PORT a number (0 picks a free one):
// the Toxiproxy and control APIs have no authentication of their own, so
// they are never served to the network.
func ValidateLoopbackAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("bad address %q: want 127.0.0.1:PORT", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("bad port in %q: want 127.0.0.1:PORT with PORT 0-65535", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("refusing to serve on %q: only a loopback address (127.0.0.1, ::1) is allowed, "+
			"because anyone who reaches the API can break the lab", addr)
	}
	return nil
}

// serveAPI serves the standard Toxiproxy HTTP API (the routes of the
// embedded server) on addr and returns the address it listens on. Requests
// that would move or delete the lab's own proxies are refused (the lab's
// addresses would lie), and every change made through the API is reported
// to the fault observer.
func (ps *proxySet) serveAPI(l *Lab, addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("serve the Toxiproxy API on %s: %w", addr, err)
	}
	ps.api = &http.Server{
		Handler:           ps.guard(l, ps.server.Routes()),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	go func() { _ = ps.api.Serve(ln) }()
	return ln.Addr().String(), nil
}

// guard wraps the Toxiproxy routes: it keeps the lab's proxies where the
// lab says they are, and tells the fault observer of changes.
func (ps *proxySet) guard(l *Lab, next http.Handler) http.Handler {
	own := func(name string) bool { return ps.byName[name] != nil }
	refuse := func(w http.ResponseWriter, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": msg, "status": http.StatusConflict})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refuseForeignHost(w, r, func(status int, msg string) { writeAPIError(w, status, msg) }) {
			return
		}
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		mutating := r.Method != http.MethodGet && r.Method != http.MethodHead
		if mutating && r.Body != nil {
			body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			// Toxics and proxies Toxiproxy cannot survive, or that would
			// listen off loopback, never reach it (see proxy_validate.go).
			if err := ps.validateAPIRequest(r.Method, parts, body); err != nil {
				var ar *apiRefusal
				if errors.As(err, &ar) {
					writeAPIError(w, ar.status, ar.msg)
					return
				}
			}
			switch {
			case len(parts) == 2 && parts[0] == "proxies" && own(parts[1]) && r.Method == http.MethodDelete:
				refuse(w, "proxy "+parts[1]+" belongs to the cqrslab lab and cannot be deleted; "+
					"disable it instead (toxiproxy-cli toggle "+parts[1]+")")
				return
			case len(parts) == 2 && parts[0] == "proxies" && own(parts[1]):
				var in struct{ Listen, Upstream *string }
				_ = json.Unmarshal(body, &in)
				listen, upstream, _ := proxyState(ps.byName[parts[1]])
				if (in.Listen != nil && *in.Listen != listen) || (in.Upstream != nil && *in.Upstream != upstream) {
					refuse(w, "proxy "+parts[1]+" belongs to the cqrslab lab: its listen and upstream "+
						"addresses are fixed; only enabled and toxics may change")
					return
				}
			case len(parts) == 1 && parts[0] == "populate":
				var in []struct{ Name string }
				_ = json.Unmarshal(body, &in)
				for _, p := range in {
					if own(p.Name) {
						refuse(w, "populate would replace the cqrslab lab's proxy "+p.Name)
						return
					}
				}
			}
		}
		next.ServeHTTP(w, r)
		if mutating {
			// Before the reply leaves (it is buffered until this handler
			// returns), so a client that sees it sees the fault in force.
			l.syncFaultLayer()
			go func() {
				l.pruneSince()
				l.faults.emit(FaultEvent{Action: ActionAPI, Source: SourceToxiproxyAPI,
					Detail: r.Method + " " + r.URL.Path})
			}()
		}
	})
}

// close stops the API and every proxy, each bounded: a proxy stuck inside
// Toxiproxy (see runBounded) must not hold up the end of the program.
func (ps *proxySet) close() {
	if ps == nil {
		return
	}
	ps.closeOnce.Do(func() {
		defer ps.parked.close()
		if ps.api != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = ps.api.Shutdown(ctx)
			cancel()
			_ = ps.api.Close()
		}
		ctx, cancel := context.WithTimeout(context.Background(), NetworkFaultTimeout)
		defer cancel()
		_ = runBounded(ctx, "stop the proxies", func() error {
			return ps.server.Collection.Clear()
		})
	})
}

// repoint makes a proxy forward to a new upstream (a restarted server on a
// new port). Clients keep the proxy's address; their open connections are
// closed, as they were to a server that went away. A disabled proxy stays
// disabled.
func (ps *proxySet) repoint(ctx context.Context, name, upstream string) error {
	p, err := ps.proxy(name)
	if err != nil {
		return nil // nothing in front of the server: nothing to move
	}
	return runBounded(ctx, "re-point the "+name+" proxy", func() error {
		listen, old, enabled := proxyState(p)
		if old == upstream {
			return nil
		}
		return p.Update(&toxiproxy.Proxy{Listen: listen, Upstream: upstream, Enabled: enabled})
	})
}

// errToxiproxyStuck is wrapped by runBounded's timeout error.
var errToxiproxyStuck = errors.New("toxiproxy did not finish in time")

// runBounded runs fn in its own goroutine and waits for it until ctx ends.
// Toxiproxy has been seen to hang while removing a toxic from links that
// carry traffic (it waits, holding its locks, for a toxic goroutine to hand
// over a chunk nobody reads); a fault change must never hang the lab with
// it, so every call into Toxiproxy goes through here. On timeout the call
// is left running: it may still complete, and the error says so.
func runBounded(ctx context.Context, what string, fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%s: %w (%v); the change may still complete in the background", what, errToxiproxyStuck, context.Cause(ctx))
	}
}
