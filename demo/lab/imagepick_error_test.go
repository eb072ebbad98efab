package lab

import (
	"strings"
	"testing"
)

// The error says "no offline images are here" only where offline images
// would have been used: for the default images. For an image named by flag
// or environment they are never looked for, and a machine that had them
// was told they were missing.
func TestImagesUnavailableSaysWhatWasLookedFor(t *testing.T) {
	def := &ImagesUnavailableError{Images: []string{DefaultPostgresImage}, Reason: "no registry",
		Plan: ImagePlan{Postgres: ImagePick{Service: "postgres", Asked: NormalizeImageRef(DefaultPostgresImage), Source: FromPull},
			Redis: ImagePick{Service: "redis", Asked: NormalizeImageRef(DefaultRedisImage), Source: FromAsked}}}
	if msg := def.Error(); !strings.Contains(msg, "no offline images") {
		t.Errorf("default image missing: %s", msg)
	}
	named := &ImagesUnavailableError{Images: []string{"nosuch/pg:1"}, Reason: "no registry",
		Plan: ImagePlan{Postgres: ImagePick{Service: "postgres", Asked: "nosuch/pg:1", Source: FromPull},
			Redis: ImagePick{Service: "redis", Asked: NormalizeImageRef(DefaultRedisImage), Source: FromAsked}}}
	msg := named.Error()
	if strings.Contains(msg, "no offline images") || !strings.Contains(msg, "used as named") {
		t.Errorf("named image missing: %s", msg)
	}
}
