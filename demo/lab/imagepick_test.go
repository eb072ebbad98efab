package lab

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestPlanImagesOnThisEngine asks the real engine: the official images are
// used when here; otherwise the offline ones stand in when here; an image
// named on purpose is never replaced; and the missing-images error names
// every image at once, with the ways to get them.
func TestPlanImagesOnThisEngine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pool, err := newDockerPool(ctx)
	if err != nil {
		t.Skipf("Docker does not answer (install and start Docker): %v", err)
	}
	has := func(ref string) bool {
		ok, err := imagePresent(pool.Client, ref)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	plan, err := PlanImages(pool.Client, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		pick              ImagePick
		official, offline string
	}{{plan.Postgres, DefaultPostgresImage, OfflinePostgresImage}, {plan.Redis, DefaultRedisImage, OfflineRedisImage}} {
		switch {
		case has(c.official):
			if c.pick.Source != FromAsked || c.pick.Ref != NormalizeImageRef(c.official) {
				t.Errorf("%s is here, plan %+v", c.official, c.pick)
			}
		case has(c.offline):
			if c.pick.Source != FromOffline || c.pick.Ref != c.offline || !strings.Contains(c.pick.Describe(), "offline image") {
				t.Errorf("only %s is here, plan %+v", c.offline, c.pick)
			}
		default:
			if c.pick.Source == FromAsked {
				t.Errorf("neither %s nor %s is here, plan %+v", c.official, c.offline, c.pick)
			}
		}
	}

	named, err := PlanImages(pool.Client, Options{PostgresImage: "cqrslab-absent/pg:none", RedisImage: "cqrslab-absent/rd:none"})
	if err != nil {
		t.Fatal(err)
	}
	if len(named.Missing()) != 2 || named.Postgres.Ref != "cqrslab-absent/pg:none" {
		t.Fatalf("named absent images replaced: %+v", named)
	}
	e := &ImagesUnavailableError{Plan: named, Images: []string{named.Postgres.Ref, named.Redis.Ref}, Reason: "offline"}
	if !errors.Is(e, ErrImageUnavailable) || !strings.Contains(e.Error(), "cqrslab-absent/pg:none and cqrslab-absent/rd:none") ||
		!strings.Contains(e.Error(), "prepare --load") || !strings.Contains(e.Error(), "build-offline-images.sh") {
		t.Errorf("error %q", e)
	}
}
