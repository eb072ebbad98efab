package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// The built-in process kinds, each declared whole (see fault_kinds.go):
// what the docker and local providers do to the servers they started.

func init() {
	// pause freezes the Redis server (docker pause, or SIGSTOP): it accepts
	// connections but answers nothing, so requests hang until the client's
	// own timeout. Healing resumes it; nothing is lost.
	registerRanked(faultDef{
		FaultInfo: FaultInfo{Kind: FaultPause, Target: TargetRedis, Needs: NeedServers, Syntax: "pause", Example: "pause",
			Help:    "freeze Redis: requests hang, nothing is lost",
			MenuKey: "p", MenuLabel: "pause Redis (requests hang)",
			MenuFault: Fault{Kind: FaultPause}},
		supports: func(l *Lab, _ Fault) error {
			l.faults.mu.Lock()
			why := l.faults.pauseUnavailable
			l.faults.mu.Unlock()
			if why != "" {
				return fmt.Errorf("%w: %s", ErrFaultUnavailable, why)
			}
			return nil
		},
		process: &processDef{
			inject: func(ctx context.Context, l *Lab, pf processFaulter, _ Fault) error {
				if l.faults.processActive(FaultStop) {
					return errors.New("redis is stopped (a stop fault is active): heal it before pausing")
				}
				err := pf.pauseRedis(ctx)
				if errors.Is(err, ErrFaultUnavailable) {
					l.faults.mu.Lock()
					l.faults.pauseUnavailable = err.Error()
					l.faults.mu.Unlock()
				}
				return err
			},
			heal: func(ctx context.Context, _ *Lab, pf processFaulter, _ Fault) error {
				return pf.unpauseRedis(ctx)
			},
			// A frozen Redis cannot shut down: it is let go first.
			onClose: func(ctx context.Context, _ *Lab, pf processFaulter) { _ = pf.unpauseRedis(ctx) },
		},
	}, 1)

	// stop stops the Redis server. The lab's Redis keeps no data on disk,
	// so a stopped Redis comes back EMPTY when healed (on a new port,
	// behind the same proxy address).
	registerRanked(faultDef{
		FaultInfo: FaultInfo{Kind: FaultStop, Target: TargetRedis, Needs: NeedServers, Syntax: "stop", Example: "stop",
			Help:    "stop Redis; it comes back EMPTY when healed",
			MenuKey: "s", MenuLabel: "stop Redis (comes back empty when healed)",
			MenuFault: Fault{Kind: FaultStop}},
		process: &processDef{
			inject: func(ctx context.Context, l *Lab, pf processFaulter, _ Fault) error {
				if err := l.resumePaused(ctx, pf, "stop"); err != nil {
					return err
				}
				if err := l.parkProxy(ctx, TargetRedis); err != nil {
					return err
				}
				return pf.stopRedis(ctx)
			},
			heal: func(ctx context.Context, l *Lab, pf processFaulter, _ Fault) error {
				return l.restartRedis(ctx, pf)
			},
		},
	}, 1)

	// restart_data_loss is stop and start at once: Redis comes back at the
	// same proxy address with no data. It is instantaneous: there is
	// nothing to heal.
	registerRanked(faultDef{
		FaultInfo: FaultInfo{Kind: FaultRestartDataLoss, Target: TargetRedis, Needs: NeedServers, Syntax: "restart_data_loss", Example: "restart_data_loss",
			Help:    "restart Redis now, empty (nothing to heal)",
			MenuKey: "x", MenuLabel: "restart Redis now, losing its data",
			MenuFault: Fault{Kind: FaultRestartDataLoss}},
		process: &processDef{
			inject: func(ctx context.Context, l *Lab, pf processFaulter, _ Fault) error {
				if err := l.resumePaused(ctx, pf, "restart"); err != nil {
					return err
				}
				if !l.faults.processActive(FaultStop) {
					if err := l.parkProxy(ctx, TargetRedis); err != nil {
						return err
					}
					if err := pf.stopRedis(ctx); err != nil {
						return err
					}
					// Until the new one answers, the lab is in a stop
					// fault: if the start fails, heal stop (or HealAll)
					// tries again.
					l.faults.setProcess(Fault{Kind: FaultStop, Target: TargetRedis}, true)
				}
				return l.restartRedis(ctx, pf)
			},
		},
	}, 1)

	// postgres_stop stops PostgreSQL (a fast shutdown). Healing starts it
	// again on the same data: PostgreSQL is the source of truth and keeps
	// every committed row.
	registerRanked(faultDef{
		FaultInfo: FaultInfo{Kind: FaultPostgresStop, Target: TargetPostgres, Needs: NeedServers, Syntax: "postgres_stop", Example: "postgres_stop",
			Help: "stop PostgreSQL; it restarts on the same data"},
		process: &processDef{
			inject: func(ctx context.Context, l *Lab, pf processFaulter, _ Fault) error {
				if err := l.parkProxy(ctx, TargetPostgres); err != nil {
					return err
				}
				return pf.stopPostgres(ctx)
			},
			heal: func(ctx context.Context, l *Lab, pf processFaulter, _ Fault) error {
				host, port, err := pf.startPostgres(ctx, l.CurrentInfo().Postgres.Direct())
				if err != nil {
					return err
				}
				l.infoMu.Lock()
				l.Info.Postgres.DirectHost, l.Info.Postgres.DirectPort = host, port
				l.infoMu.Unlock()
				return l.repoint(ctx, TargetPostgres, net.JoinHostPort(host, strconv.Itoa(port)))
			},
		},
	}, 1)
}

// resumePaused resumes a paused Redis before it is stopped or restarted: a
// frozen process cannot shut down.
func (l *Lab) resumePaused(ctx context.Context, pf processFaulter, why string) error {
	fs := &l.faults
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

// restartRedis starts a new, empty Redis and points the proxy at it; the
// lab's Redis address (the proxy's) does not change. It ends the stop
// fault (heal stop, and restart_data_loss, which stops first).
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
