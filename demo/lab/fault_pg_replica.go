package lab

import (
	"context"
	"fmt"
)

// FaultPGReplicaLag pauses WAL replay on the ha topology's PostgreSQL
// replica (pg_wal_replay_pause): the replica keeps receiving the
// primary's WAL but applies none of it, so everything committed on the
// primary since is missing from reads on the replica. Healing resumes
// replay and the replica catches up. This is a replica falling behind
// without any network fault: the lag a replica under load shows, made
// long enough to see.
const FaultPGReplicaLag FaultKind = "pg_replica_lag"

func init() {
	registerFault(faultDef{
		FaultInfo: FaultInfo{Kind: FaultPGReplicaLag, Target: TargetPostgres, Needs: NeedHA,
			Syntax: "pg_replica_lag", Example: "pg_replica_lag",
			Help: "ha: pause WAL replay on the PostgreSQL replica"},
		supports: pgReplicaSupports,
		process:  &processDef{inject: pgReplicaPause, heal: pgReplicaResume, onClose: pgReplicaOnClose},
	})
}

func pgReplicaSupports(l *Lab, f Fault) error {
	if err := haSupports(l, f); err != nil {
		return err
	}
	h, _ := l.haRun()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pgReplicaInfo.Host == "" {
		return fmt.Errorf("%w: this ha lab has no PostgreSQL replica", ErrFaultUnavailable)
	}
	return nil
}

func pgReplicaPause(ctx context.Context, l *Lab, _ processFaulter, _ Fault) error {
	return pgReplicaReplay(ctx, l, "pg_wal_replay_pause")
}

func pgReplicaResume(ctx context.Context, l *Lab, _ processFaulter, _ Fault) error {
	return pgReplicaReplay(ctx, l, "pg_wal_replay_resume")
}

// pgReplicaOnClose resumes replay before the servers stop; a paused
// standby shuts down all the same, so this only keeps the book straight.
func pgReplicaOnClose(ctx context.Context, l *Lab, _ processFaulter) {
	_ = pgReplicaReplay(ctx, l, "pg_wal_replay_resume")
}

// pgReplicaReplay calls one of PostgreSQL's replay control functions on
// the replica (fn is one of this file's constants, never input).
func pgReplicaReplay(ctx context.Context, l *Lab, fn string) error {
	h, ok := l.haRun()
	if !ok {
		return fmt.Errorf("%w: %s needs the ha topology", ErrFaultUnavailable, FaultPGReplicaLag)
	}
	db, err := h.replicaDB()
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "SELECT "+fn+"()"); err != nil {
		return fmt.Errorf("%s on the PostgreSQL replica: %w", fn, err)
	}
	return nil
}
