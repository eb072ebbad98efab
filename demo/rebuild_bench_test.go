package demo_test

import (
	"context"
	"testing"

	"cqrslab/demo"
	"cqrslab/internal/labtest"
)

// BenchmarkRebuild100k measures a full rebuild of 100,000 posts over 100
// authors (the reconciler's target: at most 1 s on the project's 2-core
// machine). Posts are bulk-inserted in SQL; the feeds start empty.
func BenchmarkRebuild100k(b *testing.B) {
	env := labtest.New(b)
	svc := env.Service(demo.Options{})
	ctx := context.Background()
	s := env.Info.Postgres.Schema
	if _, err := env.Stores.PG.ExecContext(ctx, `INSERT INTO `+s+`.authors(id, name)
		SELECT 'a' || i, 'Author ' || i FROM generate_series(1, 100) i`); err != nil {
		b.Fatal(err)
	}
	if _, err := env.Stores.PG.ExecContext(ctx, `INSERT INTO `+s+`.posts(id, author_id, title, published_at)
		SELECT 'p' || i, 'a' || (1 + i % 100), 'post number ' || i || ' of the bulk load',
		       timestamptz '2026-01-01' + i * interval '1 millisecond'
		FROM generate_series(1, 100000) i`); err != nil {
		b.Fatal(err)
	}
	rec := svc.Reconciler()
	for b.Loop() {
		rep, err := rec.Rebuild(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Posts != 100000 {
			b.Fatalf("rebuilt %d posts", rep.Posts)
		}
	}
	b.StopTimer()
	if d, _ := rec.Check(ctx); !d.Converged() || d.Members != 100000 {
		b.Fatalf("after rebuild: members %d, missing %d", d.Members, d.Missing)
	}
}
