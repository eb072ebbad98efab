package ui

import (
	"context"
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
	LabOff      labPhase = iota // not started (it starts when first needed)
	LabStarting                 // lab.Start is running
	LabUp                       // both stores answer
	LabFailed                   // the start failed; err says why
	LabStopping                 // being torn down
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
	Phase    labPhase
	Provider lab.Provider
	Began    time.Time // when the start began, for elapsed times
	services []serviceStatus
	Err      error
	// Tries counts starts this session, and FailedAt is when the last
	// failed: a retry that fails at once in the same way otherwise leaves
	// the screen exactly as it was, as if enter had done nothing.
	Tries    int
	FailedAt time.Time

	Lab    *lab.Lab
	Stores *demo.Stores
	Reads  *demo.ReadModel // what the screens show of the stores; one direct Redis client for the session
	Info   lab.Info
	Faults []lab.Fault // active faults, as the last fault event said
	// Own is the posts this app's engine wrote (every PostService built
	// with EngineOptions), for telling other clients' writes apart.
	Own *OwnWrites

	// Ctx lives as long as the lab: walks, loads and queries derive from it,
	// so cancelling it stops everything that uses the lab.
	Ctx    context.Context
	Cancel context.CancelFunc
	undo   func() // undoes Config.OnLabUp (removes the lab's record)

	// work counts goroutines that may still create or hold a lab; Run
	// waits for them after the program ends, so none outlives the process
	// with a container running.
	work *sync.WaitGroup
}

func NewLabSession() *labSession {
	return &labSession{work: &sync.WaitGroup{}, services: defaultServices(), Own: NewOwnWrites()}
}

func defaultServices() []serviceStatus {
	return []serviceStatus{{name: "postgres"}, {name: "redis"}}
}

// LabProgressMsg is one step of the start of one server.
type LabProgressMsg struct{ P lab.Progress }

// LabStartedMsg ends a start: a lab whose stores are connected, or why not.
type LabStartedMsg struct {
	lab    *lab.Lab
	stores *demo.Stores
	undo   func()
	Err    error
}

// LabClosedMsg says the lab has been torn down.
type LabClosedMsg struct{ err error }

// FaultEventMsg is a fault change reported by the lab.
type FaultEventMsg struct{ Ev lab.FaultEvent }

// Start begins starting the lab, unless it is up or on its way. The
// progress of each server arrives through the bus; the result as a
// labStartedMsg.
func (s *labSession) Start(parent context.Context, cfg Config, bus *EventBus) tea.Cmd {
	if s.Phase == LabStarting || s.Phase == LabUp || s.Phase == LabStopping {
		return nil
	}
	if parent == nil {
		parent = context.Background()
	}
	s.Ctx, s.Cancel = context.WithCancel(parent)
	s.Phase, s.Err, s.Began, s.services = LabStarting, nil, time.Now(), defaultServices()
	s.Tries++
	s.Provider = cfg.Lab.Provider
	if s.Provider == "" {
		s.Provider = lab.Auto
	}
	ctx, opts, onUp := s.Ctx, cfg.Lab, cfg.OnLabUp
	opts.OnFault = func(ev lab.FaultEvent) { bus.Send(FaultEventMsg{ev}) }
	s.work.Add(1)
	return func() tea.Msg {
		defer s.work.Done()
		l, err := lab.Start(ctx, opts, func(p lab.Progress) { bus.Send(LabProgressMsg{p}) })
		if err != nil {
			return LabStartedMsg{Err: err}
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
			return LabStartedMsg{Err: err}
		}
		var undo func()
		if onUp != nil {
			if undo, err = onUp(l); err != nil {
				undo = nil // the lab works; only other terminals cannot find it
			}
		}
		return LabStartedMsg{lab: l, stores: st, undo: undo}
	}
}

// Started records the end of a start. A lab that arrives after the app
// began to stop is torn down at once (the returned Cmd does it).
func (s *labSession) Started(msg LabStartedMsg) tea.Cmd {
	if s.Phase == LabStopping {
		if msg.lab != nil {
			s.Lab, s.Stores, s.undo = msg.lab, msg.stores, msg.undo
			return s.closeCmd()
		}
		return func() tea.Msg { return LabClosedMsg{} }
	}
	if msg.Err != nil {
		s.Phase, s.Err, s.FailedAt = LabFailed, msg.Err, time.Now()
		if errors.Is(msg.Err, context.Canceled) {
			s.Phase, s.Err = LabOff, nil
		}
		return nil
	}
	s.Phase, s.Lab, s.Stores, s.undo = LabUp, msg.lab, msg.stores, msg.undo
	s.Info = msg.lab.CurrentInfo()
	l := msg.lab
	s.Reads = demo.NewDirectReadModel(msg.stores.Service(demo.Options{}), func() (string, string) {
		if l.CurrentInfo().Topology == lab.TopologyHA {
			return "", "" // no one server to read: the stores' client follows Sentinel to the primary
		}
		r := l.CurrentInfo().Redis.Direct()
		return r.Addr, r.Password
	})
	for i := range s.services {
		s.services[i].phase = lab.PhaseReady
	}
	return nil
}

// Progress records one server's start step.
func (s *labSession) Progress(p lab.Progress) {
	for i := range s.services {
		if s.services[i].name == p.Service {
			s.services[i].phase, s.services[i].detail, s.services[i].elapsed = p.Phase, p.Detail, p.Elapsed
			return
		}
	}
	s.services = append(s.services, serviceStatus{name: p.Service, phase: p.Phase, detail: p.Detail, elapsed: p.Elapsed})
}

// Stop tears the lab down: a start in progress is cancelled (lab.Start
// then removes what it made); a running lab is closed in a Cmd. The
// returned Cmd ends with a labClosedMsg, or nil when there is nothing to do.
func (s *labSession) Stop() tea.Cmd {
	switch s.Phase {
	case LabStarting:
		s.Phase = LabStopping
		s.Cancel()
		return nil // the start's own message arrives, then started() closes
	case LabUp:
		s.Phase = LabStopping
		return s.closeCmd()
	}
	return nil
}

func (s *labSession) closeCmd() tea.Cmd {
	if s.Cancel != nil {
		s.Cancel()
	}
	l, st, undo, reads := s.Lab, s.Stores, s.undo, s.Reads
	s.Lab, s.Stores, s.undo, s.Reads = nil, nil, nil, nil
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
		return LabClosedMsg{err: err}
	}
}

// Shutdown is Run's last word, after the program has ended however it
// ended: it cancels whatever is running, waits (bounded) for starts and
// closes in flight, and closes a lab still held.
func (s *labSession) Shutdown(limit time.Duration) error {
	if s.Cancel != nil {
		s.Cancel()
	}
	var err error
	if s.Lab != nil || s.Stores != nil {
		if msg, ok := s.closeCmd()().(LabClosedMsg); ok {
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

// Ready reports whether the stores can be used.
func (s *labSession) Ready() bool { return s.Phase == LabUp && s.Stores != nil }

// Active reports whether the lab is doing or holding anything that the
// frame loop must watch.
func (s *labSession) Active() bool {
	return s.Phase == LabStarting || s.Phase == LabUp || s.Phase == LabStopping
}
