package bench

import (
	"context"
	"reflect"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/internal/labtest"

	"github.com/lib/pq"
)

// TestCapacityFloorRunsAtTheEnginesConcurrency: the floor bounds the
// policies from above only when it is loaded as they are. Its load must be
// the same configuration (generator, in-flight cap), through the same
// PostgreSQL pool, with a Redis pool as large as the largest policy's; a
// floor on one connection, or on fewer than the engine's, measured 188
// writes/s under every policy's 700 to 1600. And the pool it reports must
// be the one its writes go through.
func TestCapacityFloorRunsAtTheEnginesConcurrency(t *testing.T) {
	env := labtest.New(t)
	st := env.Stores
	schema := pq.QuoteIdentifier(st.Info.Postgres.Schema)
	subjects := capacitySubjects(st, schema)
	if len(subjects) != 1+len(demo.Policies) {
		t.Fatalf("%d subjects; want the floor and the %d policies", len(subjects), len(demo.Policies))
	}
	floor, policies := subjects[0], subjects[1:]
	if floor.name != floorName {
		t.Fatalf("the first subject is %q; want the floor", floor.name)
	}
	fc := floor.concurrency()
	largest := 0
	for i, p := range policies {
		if p.name != string(demo.Policies[i]) {
			t.Errorf("subject %d is %q; want policy %s", i+1, p.name, demo.Policies[i])
		}
		pc := p.concurrency()
		largest = max(largest, pc.RedisPool)
		if p.pg != floor.pg || p.pg != st.PG {
			t.Errorf("%s and the floor write PostgreSQL through different pools", p.name)
		}
		if fc.PostgresConns != pc.PostgresConns {
			t.Errorf("floor has %d PostgreSQL connections, %s %d", fc.PostgresConns, p.name, pc.PostgresConns)
		}
		if fc.MaxInFlight != pc.MaxInFlight {
			t.Errorf("floor caps %d writes in flight, %s %d", fc.MaxInFlight, p.name, pc.MaxInFlight)
		}
		if fc.RedisPool < pc.RedisPool {
			t.Errorf("floor's Redis pool is %d, below %s's %d", fc.RedisPool, p.name, pc.RedisPool)
		}
	}
	if fc.RedisPool != largest {
		t.Errorf("floor's Redis pool is %d; want the largest policy's, %d", fc.RedisPool, largest)
	}
	if fc.PostgresConns < 2 || fc.RedisPool < 2 {
		t.Errorf("floor runs on %+v: a single connection serialises the writes", fc)
	}
	// Every subject's step is the same load but for the IDs.
	a, b := stepLoad(400, time.Second, "x"), stepLoad(400, time.Second, "y")
	a.IDPrefix, b.IDPrefix = "", ""
	if !reflect.DeepEqual(a, b) || a.MaxInFlight != fc.MaxInFlight {
		t.Errorf("step loads differ: %+v vs %+v (floor reports a cap of %d)", a, b, fc.MaxInFlight)
	}

	// The floor's writes use the clients it reports: one write opens a
	// connection in its Redis pool and lands in both stores.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := st.PG.ExecContext(ctx, "INSERT INTO "+schema+".authors(id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING", writeAuthor); err != nil {
		t.Fatal(err)
	}
	r, err := floor.writer.Write(ctx, demo.NewPost{ID: "capcheck-1", AuthorID: writeAuthor, Title: "capacity check"})
	if err != nil || r.ProjectionErr != nil {
		t.Fatalf("floor write: %v / ZADD: %v", err, r.ProjectionErr)
	}
	if n := floor.writer.PoolStats().TotalConns; n < 1 {
		t.Errorf("floor's reported Redis pool has %d connections after a write; its ZADD went elsewhere", n)
	}
	if n, err := missing(ctx, st, schema, []string{"capcheck-1"}); err != nil || n != 0 {
		t.Errorf("floor write not in PostgreSQL (missing %d, %v)", n, err)
	}
	key := st.Service(demo.Options{}).FeedKey(writeAuthor)
	if _, err := st.Redis.ZScore(ctx, key, "capcheck-1").Result(); err != nil {
		t.Errorf("floor write not in %s: %v", key, err)
	}
}

// TestCapacityStepsAreLongEnoughForAP99: a step at a low rate lasts until
// it has made minStepWrites writes, so its p99 is not its single worst
// write; above that rate the step keeps its configured length.
func TestCapacityStepsAreLongEnoughForAP99(t *testing.T) {
	for _, tc := range []struct {
		rate float64
		want time.Duration
	}{{25, 8 * time.Second}, {50, 4 * time.Second}, {100, 2 * time.Second}, {1600, 2 * time.Second}} {
		d := stepDuration(2*time.Second, tc.rate)
		if d != tc.want {
			t.Errorf("at %v/s a step lasts %v; want %v", tc.rate, d, tc.want)
		}
		if n := int(tc.rate * d.Seconds()); n < minStepWrites {
			t.Errorf("at %v/s a step makes %d writes; want at least %d", tc.rate, n, minStepWrites)
		}
	}
}
