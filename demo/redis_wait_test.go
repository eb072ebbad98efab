package demo

import (
	"testing"
	"time"
)

func TestParseRedisWait(t *testing.T) {
	w, err := ParseRedisWait(" 1, 50ms ")
	if err != nil || w.Replicas != 1 || w.Timeout != 50*time.Millisecond {
		t.Fatalf("ParseRedisWait(1,50ms) = %+v, %v", w, err)
	}
	for _, bad := range []string{"", "1", "0,50ms", "x,50ms", "1,soon", "1,0ms", "-1,5ms"} {
		if _, err := ParseRedisWait(bad); err == nil {
			t.Errorf("ParseRedisWait(%q) accepted", bad)
		}
	}
}
