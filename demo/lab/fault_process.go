package lab

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// processFaulter is what a provider that started the servers can do to
// them. The docker provider does it through the Docker API, the local one
// with signals. Every method honours ctx.
type processFaulter interface {
	pauseRedis(ctx context.Context) error
	unpauseRedis(ctx context.Context) error
	stopRedis(ctx context.Context) error
	// startRedis starts a fresh, empty Redis with the lab's password and
	// returns its address once it answers.
	startRedis(ctx context.Context, password string) (addr string, err error)
	stopPostgres(ctx context.Context) error
	// startPostgres starts PostgreSQL again on its data and returns where it
	// listens once it accepts connections; pg is its current direct info.
	startPostgres(ctx context.Context, pg PostgresInfo) (host string, port int, err error)
}

// The providers that start their servers can fault them.
var (
	_ processFaulter = (*dockerRun)(nil)
	_ processFaulter = (*localRun)(nil)
)

// processFaults is the lab's process faulter, nil when the provider did not
// start the servers (external).
func (l *Lab) processFaults() processFaulter { return l.servers }

func (fs *faultState) processActive(k FaultKind) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	_, ok := fs.process[k]
	return ok
}

func (fs *faultState) setProcess(f Fault, on bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if on {
		f.Since = time.Now()
		fs.process[f.Kind] = f
	} else {
		delete(fs.process, f.Kind)
	}
}

// injectProcess does a process fault through its kind's action, holding
// the process slot. A kind with a heal is recorded as active once its
// inject succeeds; injecting it again while active does nothing.
func (l *Lab) injectProcess(ctx context.Context, f Fault) error {
	def, ok := faultDefOf(f.Kind)
	if !ok || def.process == nil {
		return fmt.Errorf("%w: %s is not a process fault", ErrBadFault, f.Kind)
	}
	pf := l.processFaults()
	ctx, done := l.faults.opContext(ctx, ProcessFaultTimeout)
	defer done()
	release, err := acquire(ctx, l.faults.procSem, "inject "+string(f.Kind))
	if err != nil {
		return err
	}
	defer release()
	lasting := def.process.heal != nil
	if lasting && l.faults.processActive(f.Kind) {
		return nil
	}
	if err := def.process.inject(ctx, l, pf, f); err != nil {
		return err
	}
	if lasting {
		l.faults.setProcess(f, true)
	}
	return nil
}

// healProcess undoes an active process fault through its kind's heal.
func (l *Lab) healProcess(ctx context.Context, kind FaultKind) error {
	def, ok := faultDefOf(kind)
	if !ok || def.process == nil || def.process.heal == nil {
		return nil
	}
	fs := &l.faults
	if !fs.processActive(kind) {
		return nil
	}
	ctx, done := fs.opContext(ctx, ProcessFaultTimeout)
	defer done()
	release, err := acquire(ctx, fs.procSem, "heal "+string(kind))
	if err != nil {
		return err
	}
	defer release()
	fs.mu.Lock()
	f, active := fs.process[kind]
	fs.mu.Unlock()
	if !active {
		return nil
	}
	if err := def.process.heal(ctx, l, l.processFaults(), f); err != nil {
		return err
	}
	fs.setProcess(Fault{Kind: kind}, false)
	return nil
}

// repoint moves a proxy to a restarted server. It holds the network slot
// so a concurrent down/heal of the same proxy cannot be undone by it.
func (l *Lab) repoint(ctx context.Context, target, upstream string) error {
	release, err := acquire(ctx, l.faults.netSem, "re-point the "+target+" proxy")
	if err != nil {
		return err
	}
	defer release()
	defer l.syncFaultLayer()
	return l.proxies.repoint(ctx, target, upstream)
}

// waitRedisAt polls a Redis until it answers an authenticated PING.
func waitRedisAt(ctx context.Context, addr, password string) error {
	rdb := redis.NewClient(&redis.Options{Addr: addr, Password: password, MaxRetries: -1,
		DialTimeout: time.Second, ReadTimeout: time.Second, ContextTimeoutEnabled: true})
	defer rdb.Close()
	if err := poll(ctx, func(ctx context.Context) error { return rdb.Ping(ctx).Err() }); err != nil {
		return fmt.Errorf("redis at %s did not answer: %w", addr, err)
	}
	return nil
}

// waitPostgresAt polls a PostgreSQL until it accepts a connection (after a
// restart it first recovers and says "the database system is starting up").
func waitPostgresAt(ctx context.Context, pg PostgresInfo) error {
	db, err := sql.Open("postgres", pg.DSN())
	if err != nil {
		return err
	}
	defer db.Close()
	if err := poll(ctx, func(ctx context.Context) error { return db.PingContext(ctx) }); err != nil {
		return fmt.Errorf("postgres at %s:%d did not accept connections: %w", pg.Host, pg.Port, err)
	}
	return nil
}
