package lab

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestParseFaultRepeatedOption: a repeated option used to be taken as "the
// last one wins", so latency on PostgreSQL silently became latency on Redis.
func TestParseFaultRepeatedOption(t *testing.T) {
	for _, in := range []string{
		"latency=50ms,target=postgres,target=redis",
		"latency=50ms,jitter=1ms,jitter=2ms",
		"timeout,stream=up,STREAM=down",
	} {
		_, err := ParseFault(in)
		if err == nil || !errors.Is(err, ErrBadFault) || !strings.Contains(err.Error(), "given twice") {
			t.Errorf("ParseFault(%q) = %v, want a bad fault saying an option is given twice", in, err)
		}
		if _, err := ParseFaultKind(in); err == nil {
			t.Errorf("ParseFaultKind(%q) succeeded", in)
		}
	}
}

// TestBadFaultClipsHugeValues: a 70 KB value is quoted, not echoed whole.
func TestBadFaultClipsHugeValues(t *testing.T) {
	huge := strings.Repeat("\x01é", 35_000)
	for _, in := range []string{
		"latency=" + huge,
		"latency=50ms,target=" + huge,
		huge,
	} {
		_, err := ParseFault(in)
		if err == nil {
			t.Fatalf("ParseFault(%d bytes) succeeded", len(in))
		}
		msg := err.Error()
		if len(msg) > 2000 {
			t.Errorf("error for a %d-byte spec is %d bytes long: %.200s…", len(in), len(msg), msg)
		}
		if !strings.Contains(msg, "bytes in all]") {
			t.Errorf("error does not say the value was cut: %.300s", msg)
		}
		if !utf8.ValidString(msg) {
			t.Errorf("clipped error is not valid UTF-8")
		}
	}
	if _, err := ParseSchedule("latency=" + huge + "@1s"); err == nil || len(err.Error()) > 2000 {
		t.Errorf("ParseSchedule with a huge value: %d bytes of error", len(err.Error()))
	}
	if _, err := ParseSchedule("latency=5ms@" + huge); err == nil || len(err.Error()) > 2000 {
		t.Errorf("ParseSchedule with a huge start: %d bytes of error", len(err.Error()))
	}
}

// TestRedisCliCommandKeepsThePasswordOutOfArgv: `-a PASSWORD` shows in
// `ps` to every user; REDISCLI_AUTH does not.
func TestRedisCliCommandKeepsThePasswordOutOfArgv(t *testing.T) {
	cmd := RedisInfo{Addr: "127.0.0.1:6380", Password: "s3cret"}.RedisCliCommand()
	argv := strings.Fields(cmd)
	if argv[0] != "REDISCLI_AUTH=s3cret" || argv[1] != "redis-cli" || strings.Contains(strings.Join(argv[1:], " "), "s3cret") {
		t.Errorf("RedisCliCommand() = %q", cmd)
	}
	if got := (RedisInfo{Addr: "127.0.0.1:6380"}).RedisCliCommand(); got != "redis-cli -h 127.0.0.1 -p 6380" {
		t.Errorf("without a password: %q", got)
	}
}
