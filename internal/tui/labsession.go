package tui

import (
	"context"
	"cqrslab/internal/tui/ui"
	"errors"
	"fmt"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"cqrslab/demo"
	"cqrslab/demo/lab"
)

// labPhase is where the app's lab is in its life.
type labPhase int

const (
	labOff      labPhase = iota // not started (it starts when first needed)
	labStarting                 // lab.Start is running
	labUp                       // both stores answer
	labFailed                   // the start failed; err says why
	labStopping                 // being torn down
)

// serviceStatus is one server's start, for a spinner line.
type serviceStatus struct {
	name    string
	phase   lab.Phase
	detail  string
	elapsed time.Duration
}

// labSession is the one lab the app runs. It starts lazily, the first time
// Learn's live walk or the Lab screen needs it, because starting costs
// seconds (and a pull on first use) that a learner reading page one should
// not pay. Only Update changes it; the goroutines that start and stop the
// lab report back with messages.
type labSession struct {
	phase    labPhase
	provider lab.Provider
	began    time.Time // when the start began, for elapsed times
	services []serviceStatus
	err      error

	lab    *lab.Lab
	stores *demo.Stores
	reads  *demo.ReadModel // what the screens show of the stores; one direct Redis client for the session
	info   lab.Info
	faults []lab.Fault // active faults, as the last fault event said

	// ctx lives as long as the lab: walks, loads and queries derive from it,
	// so cancelling it stops everything that uses the lab.
	ctx    context.Context
	cancel context.CancelFunc
	undo   func() // undoes Config.OnLabUp (removes the lab's record)

	// work counts goroutines that may still create or hold a lab; Run
	// waits for them after the program ends, so none outlives the process
	// with a container running.
	work *sync.WaitGroup
}

func newLabSession() *labSession {
	return &labSession{work: &sync.WaitGroup{}, services: defaultServices()}
}

func defaultServices() []serviceStatus {
	return []serviceStatus{{name: "postgres"}, {name: "redis"}}
}

// labProgressMsg is one step of the start of one server.
type labProgressMsg struct{ p lab.Progress }

// labStartedMsg ends a start: a lab whose stores are connected, or why not.
type labStartedMsg struct {
	lab    *lab.Lab
	stores *demo.Stores
	undo   func()
	err    error
}

// labClosedMsg says the lab has been torn down.
type labClosedMsg struct{ err error }

// faultEventMsg is a fault change reported by the lab.
type faultEventMsg struct{ ev lab.FaultEvent }

// start begins starting the lab, unless it is up or on its way. The
// progress of each server arrives through the bus; the result as a
// labStartedMsg.
func (s *labSession) start(parent context.Context, cfg Config, bus *ui.EventBus) tea.Cmd {
	if s.phase == labStarting || s.phase == labUp || s.phase == labStopping {
		return nil
	}
	if parent == nil {
		parent = context.Background()
	}
	s.ctx, s.cancel = context.WithCancel(parent)
	s.phase, s.err, s.began, s.services = labStarting, nil, time.Now(), defaultServices()
	s.provider = cfg.Lab.Provider
	if s.provider == "" {
		s.provider = lab.Auto
	}
	ctx, opts, onUp := s.ctx, cfg.Lab, cfg.OnLabUp
	opts.OnFault = func(ev lab.FaultEvent) { bus.Send(faultEventMsg{ev}) }
	s.work.Add(1)
	return func() tea.Msg {
		defer s.work.Done()
		l, err := lab.Start(ctx, opts, func(p lab.Progress) { bus.Send(labProgressMsg{p}) })
		if err != nil {
			return labStartedMsg{err: err}
		}
		st, err := demo.Connect(ctx, l.CurrentInfo())
		if err == nil && ctx.Err() != nil {
			st.Close()
			err = ctx.Err()
		}
		if err != nil {
			if cerr := l.Close(); cerr != nil {
				err = fmt.Errorf("%w (and tearing down: %v)", err, cerr)
			}
			return labStartedMsg{err: err}
		}
		var undo func()
		if onUp != nil {
			if undo, err = onUp(l); err != nil {
				undo = nil // the lab works; only other terminals cannot find it
			}
		}
		return labStartedMsg{lab: l, stores: st, undo: undo}
	}
}

// started records the end of a start. A lab that arrives after the app
// began to stop is torn down at once (the returned Cmd does it).
func (s *labSession) started(msg labStartedMsg) tea.Cmd {
	if s.phase == labStopping {
		if msg.lab != nil {
			s.lab, s.stores, s.undo = msg.lab, msg.stores, msg.undo
			return s.closeCmd()
		}
		return func() tea.Msg { return labClosedMsg{} }
	}
	if msg.err != nil {
		s.phase, s.err = labFailed, msg.err
		if errors.Is(msg.err, context.Canceled) {
			s.phase, s.err = labOff, nil
		}
		return nil
	}
	s.phase, s.lab, s.stores, s.undo = labUp, msg.lab, msg.stores, msg.undo
	s.info = msg.lab.CurrentInfo()
	l := msg.lab
	s.reads = demo.NewDirectReadModel(msg.stores.Service(demo.Options{}), func() (string, string) {
		r := l.CurrentInfo().Redis.Direct()
		return r.Addr, r.Password
	})
	for i := range s.services {
		s.services[i].phase = lab.PhaseReady
	}
	return nil
}

// progress records one server's start step.
func (s *labSession) progress(p lab.Progress) {
	for i := range s.services {
		if s.services[i].name == p.Service {
			s.services[i].phase, s.services[i].detail, s.services[i].elapsed = p.Phase, p.Detail, p.Elapsed
			return
		}
	}
	s.services = append(s.services, serviceStatus{name: p.Service, phase: p.Phase, detail: p.Detail, elapsed: p.Elapsed})
}

// stop tears the lab down: a start in progress is cancelled (lab.Start
// then removes what it made); a running lab is closed in a Cmd. The
// returned Cmd ends with a labClosedMsg, or nil when there is nothing to do.
func (s *labSession) stop() tea.Cmd {
	switch s.phase {
	case labStarting:
		s.phase = labStopping
		s.cancel()
		return nil // the start's own message arrives, then started() closes
	case labUp:
		s.phase = labStopping
		return s.closeCmd()
	}
	return nil
}

func (s *labSession) closeCmd() tea.Cmd {
	if s.cancel != nil {
		s.cancel()
	}
	l, st, undo, reads := s.lab, s.stores, s.undo, s.reads
	s.lab, s.stores, s.undo, s.reads = nil, nil, nil, nil
	s.work.Add(1)
	return func() tea.Msg {
		defer s.work.Done()
		if undo != nil {
			undo()
		}
		if reads != nil {
			reads.Close()
		}
		if st != nil {
			st.Close()
		}
		var err error
		if l != nil {
			l.SetFaultObserver(nil)
			err = l.Close()
		}
		return labClosedMsg{err: err}
	}
}

// shutdown is Run's last word, after the program has ended however it
// ended: it cancels whatever is running, waits (bounded) for starts and
// closes in flight, and closes a lab still held.
func (s *labSession) shutdown(limit time.Duration) error {
	if s.cancel != nil {
		s.cancel()
	}
	var err error
	if s.lab != nil || s.stores != nil {
		if msg, ok := s.closeCmd()().(labClosedMsg); ok {
			err = msg.err
		}
	}
	done := make(chan struct{})
	go func() { s.work.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
		err = errors.Join(err, errors.New("the lab was still starting or stopping when cqrslab gave up waiting"))
	}
	return err
}

// ready reports whether the stores can be used.
func (s *labSession) ready() bool { return s.phase == labUp && s.stores != nil }

// active reports whether the lab is doing or holding anything that the
// frame loop must watch.
func (s *labSession) active() bool {
	return s.phase == labStarting || s.phase == labUp || s.phase == labStopping
}
