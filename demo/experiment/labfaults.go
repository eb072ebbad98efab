package experiment

import (
	"context"

	"cqrslab/demo/lab"
)

// LabFaults drives a lab's faults from fault specs ("latency=50ms",
// "pause", ...), as experiments describe them.
func LabFaults(l *lab.Lab) FaultDriver { return labFaults{l} }

type labFaults struct{ l *lab.Lab }

func (d labFaults) Supports(spec string) error {
	f, err := lab.ParseFault(spec)
	if err != nil {
		return err
	}
	return d.l.SupportsFault(f)
}

func (d labFaults) Inject(ctx context.Context, spec string) error {
	f, err := lab.ParseFault(spec)
	if err != nil {
		return err
	}
	return d.l.Inject(ctx, f)
}

func (d labFaults) HealAll(ctx context.Context) error { return d.l.HealAll(ctx) }

// redisAddr is the Redis server's own address now (a restart moves it),
// for the lag watcher.
func (d labFaults) redisAddr() string { return d.l.CurrentInfo().Redis.Direct().Addr }

// ValidateFault checks a fault spec (CrashFault included) without a lab.
func ValidateFault(spec string) error {
	if spec == CrashFault {
		return nil
	}
	_, err := lab.ParseFault(spec)
	return err
}
