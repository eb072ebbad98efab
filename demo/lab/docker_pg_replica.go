package lab

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The ha topology's PostgreSQL: a primary and one streaming replica of the
// same image. Reading from a replica is what a scaled-out SQL feed does,
// and what chapter two shows losing read-your-writes (pg_replica_lag);
// the reconciler keeps reading the primary.
//
// The replica is a physical copy made with pg_basebackup, so it needs the
// primary to accept replication connections from other hosts, which
// neither image's pg_hba.conf does (only "all" databases, which excludes
// replication). Rather than editing the primary's pg_hba.conf after it
// starts (a docker exec and a reload on the critical path), the primary
// is started with an hba_file of its own, written by a shell wrapped
// around the image's entrypoint: both images honour "postgres -c ...", and
// the official image's temporary init server gets the same file.
//
// The replica's container starts as soon as the primary's runs (it needs
// only its address) and retries its base backup every 100 ms until the
// primary answers, so its copy overlaps the primary's start instead of
// following it.

const (
	// pgHBAFile is where the primary's wrapper writes its pg_hba.conf.
	pgHBAFile = "/tmp/cqrslab_hba.conf"
	// pgReplicaDir is the replica's data directory (written by
	// pg_basebackup as the postgres user, who can write /tmp in both
	// images).
	pgReplicaDir = "/tmp/cqrslab-replica"
	// pgReplicaService names the replica in progress lines and labels.
	pgReplicaService = "pg-replica"
)

// haPostgresPrimary is the primary's container spec: the single lab's,
// plus the wrapper that writes an hba_file allowing replication.
func haPostgresPrimary(image, password string) *container {
	hba := strings.Join([]string{
		"local all all trust",
		"host all all all scram-sha-256",
		"host replication all all scram-sha-256",
	}, `\n`)
	script := `printf '` + hba + `\n' > ` + pgHBAFile + ` && chmod 644 ` + pgHBAFile +
		` && exec docker-entrypoint.sh "$@"`
	return &container{service: "postgres", image: image, port: "5432/tcp", keep: true,
		// POSTGRES_DB=postgres and the rename after: see startDocker.
		env:        []string{"POSTGRES_USER=cqrslab", "POSTGRES_PASSWORD=" + password, "POSTGRES_DB=postgres"},
		entrypoint: []string{"sh", "-c", script, "cqrslab-postgres"},
		cmd: []string{"postgres", "-c", "fsync=off", "-c", "full_page_writes=off",
			"-c", "hba_file=" + pgHBAFile}}
}

// haPostgresReplica is the replica's container spec: as the postgres user,
// a base backup of primaryIP (retried until the primary answers, each
// failed try's partial copy removed), written with -R so the copy starts
// as a standby streaming from the primary. The password travels in the
// environment, not the command line (docker inspect shows both to the
// container's owner only; ps inside shows arguments to everyone).
func haPostgresReplica(image, password, primaryIP string) *container {
	script := `until pg_basebackup -h "$PRIMARY" -p 5432 -U cqrslab -w -D ` + pgReplicaDir +
		` -R -X stream -c fast --no-sync >/dev/null 2>/tmp/basebackup.err; do rm -rf ` + pgReplicaDir +
		`; sleep 0.1; done; exec postgres -D ` + pgReplicaDir + ` -c fsync=off -c hot_standby=on`
	return &container{service: pgReplicaService, image: image, port: "5432/tcp", user: "postgres",
		env:        []string{"PGPASSWORD=" + password, "PRIMARY=" + primaryIP},
		entrypoint: []string{"sh", "-c", script}}
}

// startHAPostgres starts the primary and, as soon as its container runs,
// the replica; then waits for both side by side: the primary until it
// answers and has the lab's database, the replica until it streams from
// the primary and shows that database. Each wait is bounded by
// opts.ReadyTimeout from when it begins.
func (h *haRun) startHAPostgres(ctx context.Context, opts Options, password string, start time.Time,
	progress ProgressFunc) (primary, replica PostgresInfo, err error) {
	pg := h.pg
	if err := runContainer(ctx, h.pool, pg, h.labels(pg.service), opts.Expire, start, progress); err != nil {
		return primary, replica, err
	}
	primaryIP := containerIP(pg.resource.Container)
	if primaryIP == "" {
		return primary, replica, errors.New("the postgres primary has no address on Docker's bridge network")
	}
	rep := haPostgresReplica(opts.PostgresImage, password, primaryIP)
	h.mu.Lock()
	h.pgReplica = rep
	h.mu.Unlock()
	base := PostgresInfo{User: "cqrslab", Password: password, Database: "cqrslab", Schema: "public"}
	primary, replica = base, base
	// The first failure ends the other wait too.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	go func() {
		wctx, done := context.WithTimeout(ctx, opts.ReadyTimeout)
		defer done()
		primary.Host, primary.Port, primary.PublishedPort = reachContainer(wctx, pg)
		errc <- waitPostgresAdopt(wctx, primary, start, progress)
	}()
	go func() {
		err := runContainer(ctx, h.pool, rep, h.labels(rep.service), opts.Expire, start, progress)
		if err == nil {
			wctx, done := context.WithTimeout(ctx, opts.ReadyTimeout)
			defer done()
			replica.Host, replica.Port, replica.PublishedPort = reachContainer(wctx, rep)
			err = waitReplica(wctx, replica, start, progress)
		}
		errc <- err
	}()
	for range 2 {
		if e := <-errc; e != nil && err == nil {
			err = e
			cancel()
		}
	}
	return primary, replica, err
}

// waitReplica waits until the replica accepts connections to the lab's
// database (so the primary's rename has been replayed) and its WAL
// receiver streams from the primary.
func waitReplica(ctx context.Context, r PostgresInfo, start time.Time, progress ProgressFunc) error {
	progress(Progress{Service: pgReplicaService, Phase: PhaseWaiting, Detail: "base backup from the primary, then streaming",
		Elapsed: time.Since(start)})
	db, err := sql.Open("postgres", r.DSN())
	if err != nil {
		return fmt.Errorf("postgres replica: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	err = poll(ctx, func(ctx context.Context) error {
		var status string
		err := db.QueryRowContext(ctx, "SELECT coalesce((SELECT status FROM pg_stat_wal_receiver), 'none')").Scan(&status)
		if err == nil && status != "streaming" {
			err = fmt.Errorf("WAL receiver %s, not streaming", status)
		}
		return err
	})
	if err != nil {
		progress(Progress{Service: pgReplicaService, Phase: PhaseFailed, Detail: err.Error(), Elapsed: time.Since(start)})
		return fmt.Errorf("postgres replica did not become ready: %w", err)
	}
	progress(Progress{Service: pgReplicaService, Phase: PhaseReady, Detail: r.Host + ", streaming from the primary",
		Elapsed: time.Since(start)})
	return nil
}

// replicaDB opens a connection pool to the ha topology's PostgreSQL
// replica, for the replay faults.
func (h *haRun) replicaDB() (*sql.DB, error) {
	h.mu.Lock()
	r := h.pgReplicaInfo
	h.mu.Unlock()
	if r.Host == "" {
		return nil, errors.New("this ha lab has no PostgreSQL replica")
	}
	return sql.Open("postgres", r.DSN())
}
