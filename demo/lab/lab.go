// Package lab starts and stops the two databases the lesson needs: a
// PostgreSQL server (the source of truth) and a Redis server (the feed
// projection). It hides where they come from (Docker containers, local
// binaries, or servers the user already runs) behind one Start call, so the
// engine, the TUI and the headless commands never care which one they got.
package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Provider names where the lab's servers come from.
type Provider string

const (
	// Auto tries Docker, then local binaries, and explains all three ways when
	// neither is available.
	Auto Provider = "auto"
	// Docker runs the official (or configured) images through dockertest.
	Docker Provider = "docker"
	// Local runs initdb/postgres and redis-server from the machine.
	Local Provider = "local"
	// External uses servers the user already runs; nothing is started.
	External Provider = "external"
)

// ParseProvider turns a flag value into a Provider, naming the choices when
// the value is not one of them.
func ParseProvider(s string) (Provider, error) {
	switch p := Provider(strings.ToLower(strings.TrimSpace(s))); p {
	case Auto, Docker, Local, External:
		return p, nil
	}
	return "", fmt.Errorf("unknown infra %q: use auto, docker, local or external", s)
}

// Default images: the official ones, pinned to a major version, alpine
// variants because they are the smallest download for a room on venue Wi-Fi.
const (
	DefaultPostgresImage = "postgres:17-alpine"
	DefaultRedisImage    = "redis:7-alpine"
)

// Options say how to start a lab. The zero value plus defaults() is a docker
// lab with the official images.
type Options struct {
	// Provider chooses where the servers come from (default Auto).
	Provider Provider
	// Topology is the shape of the servers (default single; ha is the
	// docker provider's replicated Redis behind Sentinel, see topology.go).
	Topology Topology
	// PostgresImage and RedisImage are image references for the docker
	// provider (defaults: DefaultPostgresImage, DefaultRedisImage, or the
	// CQRSLAB_POSTGRES_IMAGE / CQRSLAB_REDIS_IMAGE environment variables).
	PostgresImage string
	RedisImage    string
	// PostgresDSN, RedisAddr and RedisPassword describe the servers of the
	// external provider.
	PostgresDSN   string
	RedisAddr     string
	RedisPassword string
	// RedisCluster, for the external provider, are seed nodes (HOST:PORT)
	// of the user's own Redis Cluster; RedisAddr is then unused.
	RedisCluster []string
	// RedisSentinels and RedisMasterName describe an external provider's
	// Sentinel-managed Redis (in place of RedisAddr): the Sentinels'
	// HOST:PORT and the name they monitor the primary under. RedisPassword
	// is then the nodes' and the Sentinels' password.
	RedisSentinels  []string
	RedisMasterName string
	// Expire is the docker provider's last-resort lifetime for its
	// containers, should every other clean-up path fail (default 2h).
	Expire time.Duration
	// ReadyTimeout bounds how long the servers may take to accept
	// connections once started (default 90s). The caller's context bounds
	// the whole start, pulls included.
	ReadyTimeout time.Duration
	// ToxiproxyAPI, when set (a loopback HOST:PORT; port 0 picks one), serves
	// the embedded Toxiproxy's standard HTTP API there, so toxiproxy-cli and
	// the Toxiproxy client libraries can drive the lab's network faults. The
	// address actually served is Info.ToxiproxyAPI.
	ToxiproxyAPI string
	// OnFault, when set, is told of every fault change (see FaultEvent); it
	// must not block. SetFaultObserver replaces it later.
	OnFault func(FaultEvent)
}

// OptionsFromEnv fills image names from the environment, so CI and offline
// rooms can point the lab at images they built or loaded themselves.
func OptionsFromEnv() Options {
	return Options{
		PostgresImage: os.Getenv("CQRSLAB_POSTGRES_IMAGE"),
		RedisImage:    os.Getenv("CQRSLAB_REDIS_IMAGE"),
	}
}

func (o Options) withDefaults() Options {
	if o.Provider == "" {
		o.Provider = Auto
	}
	if o.PostgresImage == "" {
		o.PostgresImage = DefaultPostgresImage
	}
	if o.RedisImage == "" {
		o.RedisImage = DefaultRedisImage
	}
	if o.Expire <= 0 {
		o.Expire = 2 * time.Hour
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = 90 * time.Second
	}
	return o
}

// Phase is where one server is in its start.
type Phase string

const (
	PhasePulling  Phase = "pulling"
	PhaseStarting Phase = "starting"
	PhaseWaiting  Phase = "waiting"
	PhaseReady    Phase = "ready"
	PhaseFailed   Phase = "failed"
)

// Progress reports one step of a start, so the TUI can draw a spinner per
// server and the CLI can print a line per phase.
type Progress struct {
	Service string // "postgres" or "redis"
	Phase   Phase
	Detail  string
	Elapsed time.Duration
}

// ProgressFunc receives progress events, one at a time; it must not block.
type ProgressFunc func(Progress)

// PostgresInfo is how to reach the lab's PostgreSQL. Host and Port (and
// RawDSN for an external server) lead through the lab's Toxiproxy, so every
// network fault applies to every client that uses them; the Direct fields
// name the server itself.
type PostgresInfo struct {
	Host string `json:"host"`
	Port int    `json:"port"`
	// DirectHost and DirectPort are the server itself, bypassing the proxy
	// (readiness checks, a reconciler's own view). DirectPort changes when a
	// postgres_stop fault is healed on a new port; Lab.CurrentInfo has the
	// current value.
	DirectHost string `json:"direct_host,omitempty"`
	DirectPort int    `json:"direct_port,omitempty"`
	// PublishedPort is the docker provider's loopback port (through
	// docker-proxy) when the direct address is the container's own: what
	// `bench` measures the docker-proxy hop on. 0 otherwise.
	PublishedPort int    `json:"published_port,omitempty"`
	User          string `json:"user"`
	Password      string `json:"password"`
	Database      string `json:"database"`
	// Schema is the schema holding the lab's tables: "public" for servers the
	// lab started, "cqrslab" for an external server so other data is never
	// touched.
	Schema string `json:"schema"`
	// DSN, when set, is used as is (external provider).
	RawDSN string `json:"dsn,omitempty"`
	// DirectRawDSN is the external server's own DSN, bypassing the proxy.
	DirectRawDSN string `json:"direct_dsn,omitempty"`
	// Dial, set only in the process that started the lab, connects to the
	// server itself through the lab's fault layer (see faultlayer.go): no
	// proxy hop, every network fault still felt. OpenDB uses it. Other
	// processes read Info from the state file without it and go through
	// the proxy.
	Dial DialFunc `json:"-"`
}

// DialFunc connects to a lab server; the address it is given (the proxy's)
// is ignored for the server's own current address.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Direct is this PostgresInfo pointed at the server itself instead of the
// lab's proxy. Info recorded before proxies existed (no direct fields) is
// returned unchanged.
func (p PostgresInfo) Direct() PostgresInfo {
	if p.DirectRawDSN != "" {
		p.RawDSN = p.DirectRawDSN
	} else if p.DirectPort != 0 {
		p.Host, p.Port, p.RawDSN = p.DirectHost, p.DirectPort, ""
	}
	return p
}

// DSN is a lib/pq connection string (sslmode=disable: lab servers speak no
// TLS, and lib/pq's default would otherwise refuse them). connect_timeout
// bounds the whole connection start-up: lib/pq honours a context only while
// dialling, so without it a connection that the fault proxy accepts for a
// stopped PostgreSQL waits out the proxy (45-70 s seen) whatever the
// caller's deadline.
func (p PostgresInfo) DSN() string {
	if p.RawDSN != "" {
		return p.RawDSN
	}
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(p.User, p.Password),
		Host:     p.Host + ":" + strconv.Itoa(p.Port),
		Path:     "/" + p.Database,
		RawQuery: "sslmode=disable&connect_timeout=" + strconv.Itoa(pgConnectTimeoutSeconds),
	}
	return u.String()
}

// pgConnectTimeoutSeconds is lib/pq's connect_timeout for lab connections
// (whole seconds is all it takes): long enough for a loaded 2-core machine's
// start-up, short enough that a dead path is an error, not a hang.
const pgConnectTimeoutSeconds = 5

// PsqlCommand is a command line a learner can paste to look at the tables.
func (p PostgresInfo) PsqlCommand() string {
	return fmt.Sprintf("psql %q", p.DSN())
}

// RedisInfo is how to reach the lab's Redis. Addr leads through the lab's
// Toxiproxy; DirectAddr is the server itself.
type RedisInfo struct {
	Addr string `json:"addr"`
	// DirectAddr is the server itself, bypassing the proxy. It changes when
	// a stop or restart_data_loss fault starts a new server; Lab.CurrentInfo
	// has the current value.
	DirectAddr string `json:"direct_addr,omitempty"`
	// PublishedAddr is the docker provider's loopback port (through
	// docker-proxy) when DirectAddr is the container's own address, for
	// `bench` to measure that hop. Empty otherwise.
	PublishedAddr string `json:"published_addr,omitempty"`
	Password      string `json:"password"`
	// KeyPrefix is put before every key the lab writes ("" for servers the
	// lab started, "cqrslab:" on an external server).
	KeyPrefix string `json:"key_prefix"`
	// Sentinels and MasterName are set on the ha topology: clients ask
	// these Sentinels (HOST:PORT) where the primary named MasterName is
	// (go-redis's FailoverClient), since it moves in a failover. Addr is
	// then only the primary the lab started with.
	Sentinels  []string `json:"sentinels,omitempty"`
	MasterName string   `json:"master_name,omitempty"`
	// NodeAddrs maps each ha node's address on the replication network
	// (what Sentinel announces) to its address on the client network, so
	// a client in any process can still reach a primary cut off by a
	// partition (see NodeDialer and docker_ha.go).
	NodeAddrs map[string]string `json:"node_addrs,omitempty"`
	// Cluster is set on the cluster topology: the nodes (HOST:PORT) a
	// go-redis ClusterClient starts from; it learns the slot map from
	// them. Addr is then only the first of them.
	Cluster []string `json:"cluster,omitempty"`
	// Dial, set only in the process that started the lab, connects to the
	// server itself through the lab's fault layer; a go-redis client takes
	// it as Options.Dialer. Nil elsewhere: clients then use Addr.
	Dial DialFunc `json:"-"`
}

// Direct is this RedisInfo pointed at the server itself instead of the
// lab's proxy.
func (r RedisInfo) Direct() RedisInfo {
	if r.DirectAddr != "" {
		r.Addr = r.DirectAddr
	}
	return r
}

// RedisCliCommand is a command line a learner can paste to look at the feed.
// The password goes in redis-cli's REDISCLI_AUTH variable, not in `-a`: an
// argument is visible to every user of the machine in `ps`, a process's
// environment only to its owner.
func (r RedisInfo) RedisCliCommand() string {
	host, port, _ := strings.Cut(r.Addr, ":")
	cmd := fmt.Sprintf("redis-cli -h %s -p %s", host, port)
	if r.Password != "" {
		cmd = "REDISCLI_AUTH=" + r.Password + " " + cmd
	}
	return cmd
}

// Info describes a running lab. It is what `lab up` records in the state
// directory so that other commands can find the lab.
type Info struct {
	RunID    string   `json:"run_id"`
	Provider Provider `json:"provider"`
	// Topology is "ha" for a replicated Redis behind Sentinel, empty (or
	// "single") for one server each.
	Topology Topology     `json:"topology,omitempty"`
	PID      int          `json:"pid"`
	Started  time.Time    `json:"started"`
	Postgres PostgresInfo `json:"postgres"`
	// PostgresReplica is the ha topology's streaming replica of Postgres,
	// reached directly (no proxy: its faults are replay pauses, not the
	// network's); nil on other topologies.
	PostgresReplica *PostgresInfo `json:"postgres_replica,omitempty"`
	Redis           RedisInfo     `json:"redis"`
	// ToxiproxyAPI is where the embedded Toxiproxy's HTTP API is served
	// (Options.ToxiproxyAPI), empty when it is not.
	ToxiproxyAPI string `json:"toxiproxy_api,omitempty"`
	// ControlAddr and ControlToken reach the fault control API that
	// ServeControl serves (`lab up` does), for `cqrslab fault` in another
	// terminal. The token is a secret: the state file is 0600.
	ControlAddr  string `json:"control_addr,omitempty"`
	ControlToken string `json:"control_token,omitempty"`
}

// Lab is a running pair of servers. Close stops whatever Start started; it is
// safe to call more than once and from several goroutines.
type Lab struct {
	// Info is how to reach the lab. Its proxy addresses never change; the
	// Direct fields are rewritten (under a lock) when a fault restarts a
	// server, so code running beside faults reads CurrentInfo instead.
	Info

	closeOnce sync.Once
	closeErr  error
	closeFn   func() error

	// servers is what the provider that started the servers can do to them
	// (a *dockerRun or a *localRun); an external lab has none, since its
	// servers are not the lab's to pause or stop. Fault code asks this
	// interface, never which provider it is.
	servers processFaulter

	// infoMu guards the Direct fields of Info and the control fields.
	infoMu sync.Mutex
	// proxies is the lab's embedded Toxiproxy (nil only while starting).
	proxies *proxySet
	// faults is the state of fault injection (see fault.go).
	faults faultState
	// faultLayer carries the faults to the engine's direct connections
	// (see faultlayer.go); nil until the proxies exist.
	faultLayer atomic.Pointer[faultLayer]
}

// CurrentInfo returns a copy of Info as it is now, taken under the lock that
// fault injection holds when a restart changes a direct address.
func (l *Lab) CurrentInfo() Info {
	l.infoMu.Lock()
	defer l.infoMu.Unlock()
	return l.Info
}

// Close stops and removes everything this lab started.
func (l *Lab) Close() error {
	if l == nil {
		return nil
	}
	l.closeOnce.Do(func() {
		// Fault work stops first (and a paused server is let go, so it
		// can shut down cleanly), then the servers, then the proxies in
		// front of them.
		l.closeFaults()
		if l.closeFn != nil {
			l.closeErr = l.closeFn()
		}
		l.faultLayer.Load().closeAll()
		l.proxies.close()
		unregister(l)
	})
	return l.closeErr
}

// ErrNoInfrastructure means neither Docker nor local binaries are available;
// its message lists the three ways to get a lab.
var ErrNoInfrastructure = errors.New("no infrastructure for the lab")

// Start brings up PostgreSQL and Redis and waits until both answer. The
// context bounds the whole start: cancelling it stops the start and removes
// what was already started. progress may be nil.
func Start(ctx context.Context, opts Options, progress ProgressFunc) (*Lab, error) {
	opts = opts.withDefaults()
	if opts.ToxiproxyAPI != "" {
		if err := ValidateLoopbackAddr(opts.ToxiproxyAPI); err != nil {
			return nil, fmt.Errorf("--toxiproxy-api: %w", err)
		}
	}
	if err := checkTopology(opts); err != nil {
		return nil, err
	}
	if progress == nil {
		progress = func(Progress) {}
	}
	// The two servers start side by side; calls to progress are serialised
	// so callers need no locking of their own.
	var progressMu sync.Mutex
	caller := progress
	progress = func(p Progress) {
		progressMu.Lock()
		defer progressMu.Unlock()
		caller(p)
	}
	var (
		l   *Lab
		err error
	)
	switch opts.Provider {
	case Docker:
		l, err = startDocker(ctx, opts, progress)
	case Local:
		l, err = startLocal(ctx, opts, progress)
	case External:
		l, err = startExternal(ctx, opts, progress)
	case Auto:
		l, err = startAuto(ctx, opts, progress)
	default:
		return nil, fmt.Errorf("unknown provider %q", opts.Provider)
	}
	if err != nil {
		return nil, err
	}
	l.faults.init(l, opts)
	register(l)
	// Every lab reaches its servers through an in-process Toxiproxy, so
	// network faults can be switched at any moment without reconnecting.
	if err := l.startProxies(ctx, opts); err != nil {
		if cerr := l.Close(); cerr != nil {
			err = fmt.Errorf("%w (and tearing down: %v)", err, cerr)
		}
		return nil, err
	}
	l.haAfterProxies()
	l.clusterAfterProxies()
	l.sentinelAfterProxies()
	return l, nil
}

func startAuto(ctx context.Context, opts Options, progress ProgressFunc) (*Lab, error) {
	dockerErr := dockerAvailable(ctx)
	if dockerErr == nil {
		l, err := startDocker(ctx, opts, progress)
		// Docker answers but the images cannot be had (offline): local
		// servers, when installed, still give the learner a lab.
		if errors.Is(err, ErrImageUnavailable) && LocalAvailable() == nil {
			progress(Progress{Service: "postgres", Phase: PhaseStarting,
				Detail: "Docker images unavailable offline; using the local PostgreSQL and Redis instead"})
			return startLocal(ctx, opts, progress)
		}
		return l, err
	}
	localErr := LocalAvailable()
	if localErr == nil {
		return startLocal(ctx, opts, progress)
	}
	return nil, fmt.Errorf("%w:\n  docker: %v\n  local: %v\n"+
		"Choose one of three ways:\n"+
		"  1. start Docker (Colima or Podman: set DOCKER_HOST to their socket), then run again;\n"+
		"  2. install PostgreSQL and Redis (Debian: apt-get install postgresql redis-server;"+
		" macOS: brew install postgresql redis) and use --infra local;\n"+
		"  3. point at servers you run: --infra external --pg-dsn DSN --redis-addr HOST:PORT",
		ErrNoInfrastructure, dockerErr, localErr)
}
