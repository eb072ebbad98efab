package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
)

// Network faults are toxics on the lab's proxies, or a proxy disabled. The
// lab names its toxics "cqrslab_<kind>_<stream>", so injecting a kind again
// updates that toxic in place, and toxics added through the Toxiproxy API
// keep their own names side by side. Toxicity is always 1: every
// connection gets the toxic.

func toxicName(k FaultKind, stream string) string { return "cqrslab_" + string(k) + "_" + stream }

func streamsOf(f Fault) []string {
	if f.Stream == StreamBoth {
		return []string{StreamUpstream, StreamDownstream}
	}
	return []string{f.Stream}
}

// toxicAttrs are the Toxiproxy attributes of a toxic fault, from the
// registry.
func toxicAttrs(f Fault) map[string]int64 {
	if d, ok := faultDefOf(f.Kind); ok && d.toxic != nil && d.toxic.attrs != nil {
		return d.toxic.attrs(f)
	}
	return map[string]int64{}
}

func (l *Lab) injectNetwork(ctx context.Context, f Fault) error {
	ctx, done := l.faults.opContext(ctx, NetworkFaultTimeout)
	defer done()
	release, err := acquire(ctx, l.faults.netSem, "inject "+string(f.Kind))
	if err != nil {
		return err
	}
	defer release()
	defer l.syncFaultLayer() // the engine's direct connections follow the proxies
	p, err := l.proxies.proxy(f.Target)
	if err != nil {
		return err
	}
	now := time.Now()
	if !f.Kind.isToxic() {
		err := runBounded(ctx, "disable the "+f.Target+" proxy", func() error { p.Stop(); return nil })
		if err == nil {
			l.faults.setSince(f.Target+"/", now, true)
		}
		return err
	}
	for _, st := range []string{StreamUpstream, StreamDownstream} {
		name := toxicName(f.Kind, st)
		want := false
		for _, s := range streamsOf(f) {
			want = want || s == st
		}
		if !want {
			// The same kind on another stream before: that toxic goes.
			err := runBounded(ctx, "remove toxic "+name, func() error {
				if p.Toxics.GetToxic(name) == nil {
					return nil
				}
				return ignoreNotFound(p.Toxics.RemoveToxic(context.Background(), name))
			})
			if err != nil {
				return err
			}
			l.faults.setSince(f.Target+"/"+name, time.Time{}, false)
			continue
		}
		attrs := toxicAttrs(f)
		err := runBounded(ctx, "set toxic "+name, func() error {
			// A toxic already there is replaced, not updated in place:
			// Toxiproxy's UpdateToxicJson writes the fields of a toxic its
			// link goroutines are reading (the race detector catches it).
			if p.Toxics.GetToxic(name) != nil {
				if err := ignoreNotFound(p.Toxics.RemoveToxic(context.Background(), name)); err != nil {
					return err
				}
			}
			body, _ := json.Marshal(map[string]any{"name": name, "type": string(f.Kind), "stream": st,
				"toxicity": 1.0, "attributes": attrs})
			_, err := p.Toxics.AddToxicJson(bytes.NewReader(body))
			return err
		})
		if err != nil {
			return err
		}
		l.faults.setSince(f.Target+"/"+name, now, true)
	}
	return nil
}

func ignoreNotFound(err error) error {
	if errors.Is(err, toxiproxy.ErrToxicNotFound) {
		return nil
	}
	return err
}

func (fs *faultState) setSince(key string, t time.Time, set bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if set {
		fs.since[key] = t
	} else {
		delete(fs.since, key)
	}
}

// healNetwork removes every toxic of the kind (or enables the proxy, for
// down kinds) on f.Target, or on every proxy when the target is empty.
func (l *Lab) healNetwork(ctx context.Context, f Fault) error {
	ctx, done := l.faults.opContext(ctx, NetworkFaultTimeout)
	defer done()
	release, err := acquire(ctx, l.faults.netSem, "heal "+string(f.Kind))
	if err != nil {
		return err
	}
	defer release()
	defer l.syncFaultLayer() // the engine's direct connections follow the proxies
	def, _ := faultDefOf(f.Kind)
	targets := []string{TargetRedis, TargetPostgres}
	switch {
	case def.Target != "":
		targets = []string{def.Target}
	case f.Target != "":
		targets = []string{f.Target}
	}
	var errs []error
	for _, target := range targets {
		p, err := l.proxies.proxy(target)
		if err != nil {
			if f.Target != "" || def.Target == TargetPostgres {
				errs = append(errs, err)
			}
			continue
		}
		if !f.Kind.isToxic() {
			errs = append(errs, l.enableProxy(ctx, target, p))
			continue
		}
		err = runBounded(ctx, "remove "+string(f.Kind)+" toxics from the "+target+" proxy", func() error {
			var errs []error
			for _, t := range readToxics(p) {
				if t.Type == string(f.Kind) {
					errs = append(errs, ignoreNotFound(p.Toxics.RemoveToxic(context.Background(), t.Name)))
				}
			}
			return errors.Join(errs...)
		})
		if err == nil {
			l.faults.mu.Lock()
			for _, st := range []string{StreamUpstream, StreamDownstream} {
				delete(l.faults.since, target+"/"+toxicName(f.Kind, st))
			}
			l.faults.mu.Unlock()
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (l *Lab) enableProxy(ctx context.Context, target string, p *toxiproxy.Proxy) error {
	err := runBounded(ctx, "enable the "+target+" proxy", func() error {
		if err := p.Start(); err != nil && !errors.Is(err, toxiproxy.ErrProxyAlreadyStarted) {
			listen, _, _ := proxyState(p)
			return fmt.Errorf("the %s proxy cannot listen on %s again (another program took the port?): %w", target, listen, err)
		}
		return nil
	})
	if err == nil {
		l.faults.setSince(target+"/", time.Time{}, false)
	}
	return err
}

// resetNetwork removes every toxic and enables every proxy.
func (l *Lab) resetNetwork(ctx context.Context) error {
	if l.proxies == nil {
		return nil
	}
	ctx, done := l.faults.opContext(ctx, NetworkFaultTimeout)
	defer done()
	release, err := acquire(ctx, l.faults.netSem, "heal all")
	if err != nil {
		return err
	}
	defer release()
	defer l.syncFaultLayer() // the engine's direct connections follow the proxies
	var errs []error
	for _, target := range []string{TargetRedis, TargetPostgres} {
		p := l.proxies.byName[target]
		if p == nil {
			continue
		}
		errs = append(errs, runBounded(ctx, "remove the toxics of the "+target+" proxy", func() error {
			p.Toxics.ResetToxics(context.Background())
			return nil
		}))
		errs = append(errs, l.enableProxy(ctx, target, p))
	}
	err = errors.Join(errs...)
	if err == nil {
		l.faults.mu.Lock()
		clear(l.faults.since)
		l.faults.mu.Unlock()
	}
	return err
}

// toxicView is a toxic as the Toxiproxy API shows it.
type toxicView struct {
	Name       string             `json:"name"`
	Type       string             `json:"type"`
	Stream     string             `json:"stream"`
	Toxicity   float32            `json:"toxicity"`
	Attributes map[string]float64 `json:"attributes"`
}

// readToxics copies a proxy's toxics. The attributes are read under the
// collection's lock, which every toxic update holds too.
func readToxics(p *toxiproxy.Proxy) []toxicView {
	arr := p.Toxics.GetToxicArray()
	p.Toxics.Lock()
	b, err := json.Marshal(arr)
	p.Toxics.Unlock()
	var out []toxicView
	if err == nil {
		_ = json.Unmarshal(b, &out)
	}
	return out
}

// readNetworkFaults reads the faults in force on the proxies.
func (l *Lab) readNetworkFaults() []Fault {
	l.faults.mu.Lock()
	since := make(map[string]time.Time, len(l.faults.since))
	for k, v := range l.faults.since {
		since[k] = v
	}
	l.faults.mu.Unlock()
	var out []Fault
	for _, target := range []string{TargetRedis, TargetPostgres} {
		p := l.proxies.byName[target]
		if p == nil {
			continue
		}
		if _, _, enabled := proxyState(p); !enabled {
			out = append(out, Fault{Kind: disableKind(target), Target: target, Since: since[target+"/"]})
		}
		ts := readToxics(p)
		merged := map[string]bool{}
		for _, t := range ts {
			if merged[t.Name] {
				continue
			}
			f := toxicFault(target, t)
			f.Since = since[target+"/"+t.Name]
			// The lab's "both" is two toxics; show it as one fault.
			if kind, ok := strings.CutPrefix(t.Name, "cqrslab_"); ok && t.Stream == StreamUpstream {
				kind = strings.TrimSuffix(kind, "_"+StreamUpstream)
				twin := toxicName(FaultKind(kind), StreamDownstream)
				for _, u := range ts {
					if u.Name == twin && u.Type == t.Type && fmt.Sprint(u.Attributes) == fmt.Sprint(t.Attributes) {
						merged[twin] = true
						f.Stream = StreamBoth
						f.Toxic = "cqrslab_" + kind + "_*"
					}
				}
			}
			out = append(out, f)
		}
	}
	return out
}

// pruneSince forgets when faults began that are gone now (removed through
// the Toxiproxy API), so one added again later does not show the old time.
func (l *Lab) pruneSince() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	present := map[string]bool{}
	err := runBounded(ctx, "read the proxies", func() error {
		for _, target := range []string{TargetRedis, TargetPostgres} {
			p := l.proxies.byName[target]
			if p == nil {
				continue
			}
			if _, _, enabled := proxyState(p); !enabled {
				present[target+"/"] = true
			}
			for _, t := range readToxics(p) {
				present[target+"/"+t.Name] = true
			}
		}
		return nil
	})
	if err != nil {
		return
	}
	l.faults.mu.Lock()
	defer l.faults.mu.Unlock()
	for k := range l.faults.since {
		if !present[k] {
			delete(l.faults.since, k)
		}
	}
}

func toxicFault(target string, t toxicView) Fault {
	ms := func(k string) time.Duration { return time.Duration(t.Attributes[k]) * time.Millisecond }
	f := Fault{Kind: FaultKind(t.Type), Target: target, Stream: t.Stream, Toxic: t.Name}
	if d, ok := faultDefOf(f.Kind); ok && d.toxic != nil && d.toxic.read != nil {
		d.toxic.read(&f, ms, func(k string) float64 { return t.Attributes[k] })
	}
	return f
}
