package lab

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// The built-in network kinds, each declared whole (see fault_kinds.go):
// Toxiproxy's toxics and the disabled proxy, in the order the lesson meets
// them.

func ms(d time.Duration) int64 { return d.Milliseconds() }

// timeoutValue is the optional "=DUR" of timeout and reset_peer, kept in
// Fault.Timeout and Toxiproxy's "timeout" attribute.
func timeoutValue(d faultDef) faultDef {
	d.parse = func(f *Fault, v, _ string, dur durParser) (err error) {
		f.Timeout, err = dur(string(f.Kind), v)
		return err
	}
	d.check = func(f Fault, ms msChecker, _ string) error { return ms("timeout", f.Timeout, 0) }
	d.format = func(f Fault) string {
		if f.Timeout > 0 {
			return "=" + f.Timeout.String()
		}
		return ""
	}
	d.toxic.attrs = func(f Fault) map[string]int64 { return map[string]int64{"timeout": ms(f.Timeout)} }
	d.toxic.read = func(f *Fault, attr func(string) time.Duration, _ func(string) float64) {
		f.Timeout = attr("timeout")
	}
	return d
}

func faultTimeout(f Fault) time.Duration { return f.Timeout }

func init() {
	// latency delays data by Latency ± Jitter (downstream: the replies, so
	// a round trip takes at least Latency longer).
	registerRanked(faultDef{
		FaultInfo: FaultInfo{Kind: FaultLatency, Needs: NeedProxy, Syntax: "latency=DUR[,jitter=DUR]", Example: "latency=50ms,jitter=10ms",
			Help:    "delay every reply by DUR, give or take jitter",
			MenuKey: "l", MenuLabel: "latency 50ms on every Redis reply",
			MenuFault: Fault{Kind: FaultLatency, Latency: 50 * time.Millisecond}},
		missing: "latency needs a value, e.g. latency=50ms",
		parse: func(f *Fault, v, _ string, dur durParser) (err error) {
			f.Latency, err = dur("latency", v)
			return err
		},
		options: map[string]valueParser{"jitter": func(f *Fault, v, _ string, dur durParser) (err error) {
			f.Jitter, err = dur("jitter", v)
			return err
		}},
		check: func(f Fault, ms msChecker, _ string) error {
			if err := ms("latency", f.Latency, time.Millisecond); err != nil {
				return err
			}
			return ms("jitter", f.Jitter, 0)
		},
		format: func(f Fault) string {
			s := "=" + f.Latency.String()
			if f.Jitter > 0 {
				s += ",jitter=" + f.Jitter.String()
			}
			return s
		},
		toxic: &toxicDef{stream: StreamDownstream,
			attrs: func(f Fault) map[string]int64 {
				return map[string]int64{"latency": ms(f.Latency), "jitter": ms(f.Jitter)}
			},
			read: func(f *Fault, attr func(string) time.Duration, _ func(string) float64) {
				f.Latency, f.Jitter = attr("latency"), attr("jitter")
			},
			conn: connEffect{delay: func(f Fault, _ int) time.Duration {
				d := f.Latency
				if f.Jitter > 0 {
					d += time.Duration(rand.Int64N(int64(2*f.Jitter))) - f.Jitter
				}
				return max(d, 0)
			}}},
	}, 0)

	// timeout lets no data through, in both directions by default: requests
	// hang. With Timeout > 0 the connection is closed after that long; 0
	// holds it until healed. Healing closes the held connections.
	registerRanked(timeoutValue(faultDef{
		FaultInfo: FaultInfo{Kind: FaultTimeout, Needs: NeedProxy, Syntax: "timeout[=DUR]", Example: "timeout=2s",
			Help:    "let no data through; close after DUR (0: hold)",
			MenuKey: "t", MenuLabel: "timeout: Redis answers nothing until healed",
			MenuFault: Fault{Kind: FaultTimeout}},
		toxic: &toxicDef{stream: StreamBoth, conn: connEffect{drop: true, closeAfter: faultTimeout}},
	}), 0)

	// reset_peer resets connections (TCP RST) when data arrives
	// (downstream: after the server has answered, so the request ran but
	// the client cannot know), after Timeout if set.
	registerRanked(timeoutValue(faultDef{
		FaultInfo: FaultInfo{Kind: FaultResetPeer, Needs: NeedProxy, Syntax: "reset_peer[=DUR]", Example: "reset_peer=100ms",
			Help:    "reset connections (TCP RST) after DUR",
			MenuKey: "e", MenuLabel: "reset: connections reset after Redis answers",
			MenuFault: Fault{Kind: FaultResetPeer}},
		toxic: &toxicDef{stream: StreamDownstream, conn: connEffect{resetAfter: faultTimeout}},
	}), 0)

	// bandwidth limits the data rate to RateKB kilobytes per second,
	// handed over in slices of 100 ms.
	registerRanked(faultDef{
		FaultInfo: FaultInfo{Kind: FaultBandwidth, Needs: NeedProxy, Syntax: "bandwidth=KB/s", Example: "bandwidth=64",
			Help: "limit data to KB/s kilobytes per second"},
		missing: "bandwidth needs a rate in KB/s, e.g. bandwidth=64",
		parse: func(f *Fault, v, spec string, _ durParser) error {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.ToLower(v), "kb/s"), 10, 64)
			if err != nil || n < 1 {
				return badFault(spec, "bandwidth: %q is not a rate of at least 1 KB/s", v)
			}
			f.RateKB = n
			return nil
		},
		check: func(f Fault, _ msChecker, spec string) error {
			if f.RateKB < 1 {
				return badFault(spec, "bandwidth needs a rate of at least 1 KB/s")
			}
			return nil
		},
		format: func(f Fault) string { return "=" + strconv.FormatInt(f.RateKB, 10) },
		toxic: &toxicDef{stream: StreamDownstream,
			attrs: func(f Fault) map[string]int64 { return map[string]int64{"rate": f.RateKB} },
			read: func(f *Fault, _ func(string) time.Duration, raw func(string) float64) {
				f.RateKB = int64(raw("rate"))
			},
			conn: connEffect{
				chunk: func(f Fault) int { return int(max(f.RateKB, 1) * 100) },
				delay: func(f Fault, n int) time.Duration {
					return time.Duration(n) * time.Millisecond / time.Duration(max(f.RateKB, 1))
				}}},
	}, 0)

	// slow_close delays the close of a connection by Delay.
	registerRanked(faultDef{
		FaultInfo: FaultInfo{Kind: FaultSlowClose, Needs: NeedProxy, Syntax: "slow_close=DUR", Example: "slow_close=1s",
			Help: "delay the close of every connection by DUR"},
		missing: "slow_close needs a delay, e.g. slow_close=1s",
		parse: func(f *Fault, v, _ string, dur durParser) (err error) {
			f.Delay, err = dur("slow_close", v)
			return err
		},
		check:  func(f Fault, ms msChecker, _ string) error { return ms("delay", f.Delay, 0) },
		format: func(f Fault) string { return "=" + f.Delay.String() },
		toxic: &toxicDef{stream: StreamDownstream,
			attrs: func(f Fault) map[string]int64 { return map[string]int64{"delay": ms(f.Delay)} },
			read: func(f *Fault, attr func(string) time.Duration, _ func(string) float64) {
				f.Delay = attr("delay")
			},
			conn: connEffect{closeDelay: func(f Fault) time.Duration { return f.Delay }}},
	}, 0)

	// down disables the Redis proxy: connections are refused and open ones
	// are closed. The server keeps running and keeps its data.
	registerRanked(faultDef{
		FaultInfo: FaultInfo{Kind: FaultDown, Target: TargetRedis, Needs: NeedProxy, Syntax: "down", Example: "down",
			Help:    "refuse Redis connections; Redis keeps its data",
			MenuKey: "d", MenuLabel: "down: connections to Redis refused",
			MenuFault: Fault{Kind: FaultDown}},
		disable: true, aliases: map[string]FaultKind{TargetPostgres: FaultPostgresDown},
	}, 0)

	// postgres_down disables the PostgreSQL proxy.
	registerRanked(faultDef{
		FaultInfo: FaultInfo{Kind: FaultPostgresDown, Target: TargetPostgres, Needs: NeedProxy, Syntax: "postgres_down", Example: "postgres_down",
			Help: "refuse PostgreSQL connections; it keeps its data"},
		disable: true,
	}, 0)
}
