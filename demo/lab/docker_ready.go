package lab

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The docker lab's PostgreSQL starts without a database of its own
// (POSTGRES_DB=postgres, see startDocker): making one is CREATE DATABASE,
// a copy of template1 and a checkpoint, most of the container's start with
// the pre-initialised offline image. Instead the lab waits on template1
// and then renames the empty "postgres" database to the lab's, a catalog
// update of a few milliseconds. The learner's `psql` (user cqrslab, so
// database cqrslab by default) finds the same database as on the local
// provider.

// adoptFrom is the database the image leaves for the lab to rename.
const adoptFrom = "postgres"

// waitPostgresAdopt waits until PostgreSQL accepts connections on
// template1, then makes pg.Database by renaming adoptFrom (or, when the
// rename cannot be done, by CREATE DATABASE: slower, same result). It
// reports the phases as waitPostgres does.
func waitPostgresAdopt(ctx context.Context, pg PostgresInfo, start time.Time, progress ProgressFunc) error {
	progress(Progress{Service: "postgres", Phase: PhaseWaiting, Detail: "waiting for connections", Elapsed: time.Since(start)})
	admin := pg
	admin.Database = "template1"
	db, err := sql.Open("postgres", admin.DSN())
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	err = poll(ctx, func(ctx context.Context) error { return db.PingContext(ctx) })
	if err == nil {
		err = adoptDatabase(ctx, db, pg.Database)
	}
	if err != nil {
		progress(Progress{Service: "postgres", Phase: PhaseFailed, Detail: err.Error(), Elapsed: time.Since(start)})
		return fmt.Errorf("postgres did not become ready: %w", err)
	}
	progress(Progress{Service: "postgres", Phase: PhaseReady, Detail: pg.Host, Elapsed: time.Since(start)})
	return nil
}

// adoptDatabase makes the database name exist: nothing when it does, else
// adoptFrom renamed, else a new database.
func adoptDatabase(ctx context.Context, db *sql.DB, name string) error {
	var have bool
	q := "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)"
	if err := db.QueryRowContext(ctx, q, name).Scan(&have); err != nil {
		return fmt.Errorf("look for database %s: %w", name, err)
	}
	if have {
		return nil
	}
	ident := `"` + name + `"` // the lab's own constant name, no quotes in it
	_, err := db.ExecContext(ctx, `ALTER DATABASE "`+adoptFrom+`" RENAME TO `+ident)
	if err == nil {
		return nil
	}
	if _, cerr := db.ExecContext(ctx, "CREATE DATABASE "+ident); cerr != nil {
		return fmt.Errorf("make database %s: rename %s: %v; create: %w", name, adoptFrom, err, cerr)
	}
	return nil
}
