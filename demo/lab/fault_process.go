package lab

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strconv"
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

func (l *Lab) injectProcess(ctx context.Context, f Fault) error {
	pf := l.processFaults()
	if pf == nil {
		return l.SupportsFault(f)
	}
	ctx, done := l.faults.opContext(ctx, ProcessFaultTimeout)
	defer done()
	release, err := acquire(ctx, l.faults.procSem, "inject "+string(f.Kind))
	if err != nil {
		return err
	}
	defer release()
	if d, _ := faultDefOf(f.Kind); d.inject != nil {
		return d.inject(l, ctx, f)
	}
	fs := &l.faults
	// A paused Redis is resumed before it is stopped: a frozen process
	// cannot shut down.
	resume := func(why string) error {
		if !fs.processActive(FaultPause) {
			return nil
		}
		start := time.Now()
		if err := pf.unpauseRedis(ctx); err != nil {
			return fmt.Errorf("resume the paused Redis first: %w", err)
		}
		fs.setProcess(Fault{Kind: FaultPause}, false)
		fs.emit(FaultEvent{Action: ActionHeal, Op: ActionHeal, Fault: Fault{Kind: FaultPause, Target: TargetRedis},
			Detail: "before " + why, Took: time.Since(start)})
		return nil
	}
	switch f.Kind {
	case FaultPause:
		if fs.processActive(FaultStop) {
			return errors.New("redis is stopped (a stop fault is active): heal it before pausing")
		}
		if fs.processActive(FaultPause) {
			return nil
		}
		if err := pf.pauseRedis(ctx); err != nil {
			if errors.Is(err, ErrFaultUnavailable) {
				fs.mu.Lock()
				fs.pauseUnavailable = err.Error()
				fs.mu.Unlock()
			}
			return err
		}
		fs.setProcess(f, true)
	case FaultStop:
		if fs.processActive(FaultStop) {
			return nil
		}
		if err := resume("stop"); err != nil {
			return err
		}
		if err := pf.stopRedis(ctx); err != nil {
			return err
		}
		fs.setProcess(f, true)
	case FaultRestartDataLoss:
		if err := resume("restart"); err != nil {
			return err
		}
		if !fs.processActive(FaultStop) {
			if err := pf.stopRedis(ctx); err != nil {
				return err
			}
			// Until the new one answers, the lab is in a stop fault: if
			// the start fails, heal stop (or HealAll) tries again.
			fs.setProcess(Fault{Kind: FaultStop, Target: TargetRedis}, true)
		}
		return l.restartRedis(ctx, pf)
	case FaultPostgresStop:
		if fs.processActive(FaultPostgresStop) {
			return nil
		}
		if err := pf.stopPostgres(ctx); err != nil {
			return err
		}
		fs.setProcess(f, true)
	default:
		return fmt.Errorf("%w: %s is not a process fault", ErrBadFault, f.Kind)
	}
	return nil
}

func (l *Lab) healProcess(ctx context.Context, kind FaultKind) error {
	pf := l.processFaults()
	if pf == nil || kind == FaultRestartDataLoss {
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
	if !fs.processActive(kind) {
		return nil
	}
	if d, _ := faultDefOf(kind); d.heal != nil {
		return d.heal(l, ctx)
	}
	switch kind {
	case FaultPause:
		if err := pf.unpauseRedis(ctx); err != nil {
			return err
		}
		fs.setProcess(Fault{Kind: kind}, false)
	case FaultStop:
		return l.restartRedis(ctx, pf)
	case FaultPostgresStop:
		pg := l.CurrentInfo().Postgres.Direct()
		host, port, err := pf.startPostgres(ctx, pg)
		if err != nil {
			return err
		}
		l.infoMu.Lock()
		l.Info.Postgres.DirectHost, l.Info.Postgres.DirectPort = host, port
		l.infoMu.Unlock()
		if err := l.repoint(ctx, TargetPostgres, net.JoinHostPort(host, strconv.Itoa(port))); err != nil {
			return err
		}
		fs.setProcess(Fault{Kind: kind}, false)
	}
	return nil
}

// restartRedis starts a new, empty Redis and points the proxy at it; the
// lab's Redis address (the proxy's) does not change.
func (l *Lab) restartRedis(ctx context.Context, pf processFaulter) error {
	addr, err := pf.startRedis(ctx, l.Redis.Password)
	if err != nil {
		return fmt.Errorf("start Redis again: %w", err)
	}
	l.infoMu.Lock()
	l.Info.Redis.DirectAddr = addr
	l.infoMu.Unlock()
	if err := l.repoint(ctx, TargetRedis, addr); err != nil {
		return err
	}
	l.faults.setProcess(Fault{Kind: FaultStop}, false)
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
