package demo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/lib/pq"
)

// SeedAuthors are the authors every lab starts with, so a learner can post
// at once without first learning how to add an author.
var SeedAuthors = []struct{ ID, Name string }{
	{"alice", "Alice"}, {"bob", "Bob"}, {"carol", "Carol"}, {"dave", "Dave"},
}

// schemaSQL is the lab's schema. Post IDs use the "C" collation so that
// PostgreSQL orders them byte by byte, as Redis orders members with equal
// scores; the index serves the feed query (one author, newest first) that
// the Redis projection replaces.
const schemaSQL = `
CREATE SCHEMA IF NOT EXISTS %[1]s;
CREATE TABLE IF NOT EXISTS %[1]s.authors (
	id   text COLLATE "C" PRIMARY KEY,
	name text NOT NULL
);
CREATE TABLE IF NOT EXISTS %[1]s.posts (
	id           text COLLATE "C" PRIMARY KEY,
	author_id    text COLLATE "C" NOT NULL REFERENCES %[1]s.authors(id),
	title        text NOT NULL,
	published_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS posts_author_feed_idx ON %[1]s.posts (author_id, published_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS %[1]s.outbox (
	post_id    text COLLATE "C" PRIMARY KEY REFERENCES %[1]s.posts(id),
	created_at timestamptz NOT NULL DEFAULT now()
);
`

// ApplySchema creates the lab's tables and seed authors if they are missing.
// It is idempotent and safe when several processes start at once: a
// transaction-scoped advisory lock serialises them (CREATE ... IF NOT EXISTS
// alone can still race).
func ApplySchema(ctx context.Context, db *sql.DB, schema string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("apply schema: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(827364519)`); err != nil {
		return fmt.Errorf("apply schema: %w", err)
	}
	q := pq.QuoteIdentifier(schema)
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(schemaSQL, q)); err != nil {
		return fmt.Errorf("apply schema: %w", err)
	}
	var vals []string
	var args []any
	for i, a := range SeedAuthors {
		vals = append(vals, fmt.Sprintf("($%d, $%d)", 2*i+1, 2*i+2))
		args = append(args, a.ID, a.Name)
	}
	ins := fmt.Sprintf("INSERT INTO %s.authors(id, name) VALUES %s ON CONFLICT (id) DO NOTHING", q, strings.Join(vals, ", "))
	if _, err := tx.ExecContext(ctx, ins, args...); err != nil {
		return fmt.Errorf("apply schema: seed authors: %w", err)
	}
	return tx.Commit()
}

// queries are the engine's SQL statements, with the lab's schema filled in
// once so the hot path does no string building.
type queries struct {
	author, insert, existing, feedSQL, allPosts string
	insertOutbox, outboxPending                 string
	authorsAll, postsAll                        string
}

func newQueries(schema string) queries {
	s := pq.QuoteIdentifier(schema)
	return queries{
		author: "SELECT name FROM " + s + ".authors WHERE id = $1",
		// ON CONFLICT DO NOTHING turns a repeated ID into "0 rows", which
		// CreatePost then compares with what is stored (idempotent retry or
		// conflict) instead of failing the statement.
		insert: "INSERT INTO " + s + ".posts(id, author_id, title, published_at) VALUES ($1, $2, $3, $4) " +
			"ON CONFLICT (id) DO NOTHING",
		existing: "SELECT p.id, p.author_id, a.name, p.title, p.published_at FROM " + s + ".posts p JOIN " + s +
			".authors a ON a.id = p.author_id WHERE p.id = $1",
		feedSQL: "SELECT p.id, a.name, p.title, p.published_at FROM " + s + ".posts p JOIN " + s +
			".authors a ON a.id = p.author_id WHERE p.author_id = $1 ORDER BY p.published_at DESC, p.id DESC LIMIT $2",
		allPosts: "SELECT p.id, p.author_id, a.name, p.title, p.published_at FROM " + s + ".posts p JOIN " + s +
			".authors a ON a.id = p.author_id WHERE p.author_id = $1 ORDER BY p.published_at DESC, p.id DESC",
		insertOutbox: "WITH p AS (INSERT INTO " + s + ".posts(id, author_id, title, published_at) VALUES ($1, $2, $3, $4) " +
			"ON CONFLICT (id) DO NOTHING RETURNING id) INSERT INTO " + s + ".outbox(post_id) SELECT id FROM p",
		// Rows older than a moment: younger ones belong to writes still in
		// flight, whose own ZADD is about to run.
		outboxPending: "SELECT p.id, p.author_id, a.name, p.title, p.published_at FROM " + s + ".outbox o JOIN " + s +
			".posts p ON p.id = o.post_id JOIN " + s + ".authors a ON a.id = p.author_id " +
			"WHERE o.created_at < now() - $1::interval ORDER BY o.created_at LIMIT $2",
		authorsAll: "SELECT id FROM " + s + ".authors ORDER BY id",
		postsAll: "SELECT p.id, p.author_id, a.name, p.title, p.published_at FROM " + s + ".posts p JOIN " + s +
			".authors a ON a.id = p.author_id ORDER BY p.author_id",
	}
}
