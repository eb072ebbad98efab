package learnscreen

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"cqrslab/demo"
)

// Walk is one CreatePost run step by step through the engine's Stepper:
// before each step the engine pauses, the learner looks at both stores and
// presses enter, and the step runs for real.
//
// Its goroutines only read id, stepper and ch; Update alone changes the
// rest, so nothing here needs a lock.
type Walk struct {
	Id      int
	Stepper *demo.Stepper
	Ch      chan tea.Msg // the walk's messages, in order; never drops
	Cancel  context.CancelFunc
	Title   string

	Waiting demo.Step // the step paused before, "" while one runs
	Running demo.Step // the step released last
	Events  []demo.Event
	PostID  string
	Done    bool
	Result  demo.Result
	Err     error
}

// Messages of a walk. Each names its walk, so a message from a walk that was
// abandoned (the lab stopped) is ignored.
type (
	WalkPausedMsg struct {
		Id   int
		Step demo.Step
	}
	WalkStepMsg struct {
		Id int
		Ev demo.Event
	}
	WalkDoneMsg struct {
		Id  int
		Res demo.Result
		Err error
	}
	WalkNextErr struct {
		id  int
		err error
	}
)

func (e WalkNextErr) Error() string { return "could not let the step run: " + e.err.Error() }

// WalkAuthor is the author the walk writes as: one of the lab's four.
const WalkAuthor = "alice"

// BeginWalk starts CreatePost under a Stepper in its own goroutine. The
// walk's channel has room for every message one CreatePost can send (a
// pause and an event per step, and the end), so the engine never waits on
// the screen.
func BeginWalk(ctx context.Context, svc *demo.PostService, id int, title string) (*Walk, tea.Cmd) {
	wctx, cancel := context.WithCancel(ctx)
	w := &Walk{Id: id, Stepper: demo.NewStepper(), Ch: make(chan tea.Msg, 4*len(demo.Steps)+4), Cancel: cancel, Title: title}
	start := func() tea.Msg {
		go func() {
			for {
				select {
				case s := <-w.Stepper.Paused():
					w.Ch <- WalkPausedMsg{Id: id, Step: s}
				case <-wctx.Done():
					return
				}
			}
		}()
		go func() {
			res, err := svc.CreatePost(wctx, demo.NewPost{AuthorID: WalkAuthor, Title: title},
				demo.WithGate(w.Stepper),
				demo.WithObserver(func(e demo.Event) { w.Ch <- WalkStepMsg{Id: id, Ev: e} }))
			w.Ch <- WalkDoneMsg{Id: id, Res: res, Err: err}
			cancel()
		}()
		return nil
	}
	return w, tea.Batch(start, w.Listen())
}

// Listen waits for the walk's next message.
func (w *Walk) Listen() tea.Cmd {
	ch := w.Ch
	return func() tea.Msg { return <-ch }
}

// Next lets the step the walk is paused before run.
func (w *Walk) Next() tea.Cmd {
	st, id := w.Stepper, w.Id
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := st.Next(ctx); err != nil {
			return WalkNextErr{id: id, err: err}
		}
		return nil
	}
}
