package tui

import (
	"context"
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"cqrslab/demo"
	"cqrslab/demo/lab"
)

// walk is one CreatePost run step by step through the engine's Stepper:
// before each step the engine pauses, the learner looks at both stores and
// presses enter, and the step runs for real.
//
// Its goroutines only read id, stepper and ch; Update alone changes the
// rest, so nothing here needs a lock.
type walk struct {
	id      int
	stepper *demo.Stepper
	ch      chan tea.Msg // the walk's messages, in order; never drops
	cancel  context.CancelFunc
	title   string

	waiting demo.Step // the step paused before, "" while one runs
	running demo.Step // the step released last
	events  []demo.Event
	postID  string
	done    bool
	result  demo.Result
	err     error
}

// Messages of a walk. Each names its walk, so a message from a walk that was
// abandoned (the lab stopped) is ignored.
type (
	walkPausedMsg struct {
		id   int
		step demo.Step
	}
	walkStepMsg struct {
		id int
		ev demo.Event
	}
	walkDoneMsg struct {
		id  int
		res demo.Result
		err error
	}
	walkNextErr struct {
		id  int
		err error
	}
)

func (e walkNextErr) Error() string { return "could not let the step run: " + e.err.Error() }

// walkAuthor is the author the walk writes as: one of the lab's four.
const walkAuthor = "alice"

// beginWalk starts CreatePost under a Stepper in its own goroutine. The
// walk's channel has room for every message one CreatePost can send (a
// pause and an event per step, and the end), so the engine never waits on
// the screen.
func beginWalk(ctx context.Context, svc *demo.PostService, id int, title string) (*walk, tea.Cmd) {
	wctx, cancel := context.WithCancel(ctx)
	w := &walk{id: id, stepper: demo.NewStepper(), ch: make(chan tea.Msg, 4*len(demo.Steps)+4), cancel: cancel, title: title}
	start := func() tea.Msg {
		go func() {
			for {
				select {
				case s := <-w.stepper.Paused():
					w.ch <- walkPausedMsg{id: id, step: s}
				case <-wctx.Done():
					return
				}
			}
		}()
		go func() {
			res, err := svc.CreatePost(wctx, demo.NewPost{AuthorID: walkAuthor, Title: title},
				demo.WithGate(w.stepper),
				demo.WithObserver(func(e demo.Event) { w.ch <- walkStepMsg{id: id, ev: e} }))
			w.ch <- walkDoneMsg{id: id, res: res, err: err}
			cancel()
		}()
		return nil
	}
	return w, tea.Batch(start, w.listen())
}

// listen waits for the walk's next message.
func (w *walk) listen() tea.Cmd {
	ch := w.ch
	return func() tea.Msg { return <-ch }
}

// next lets the step the walk is paused before run.
func (w *walk) next() tea.Cmd {
	st, id := w.stepper, w.id
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := st.Next(ctx); err != nil {
			return walkNextErr{id: id, err: err}
		}
		return nil
	}
}

// storeSnapshot is what both stores hold for one author at one moment, and
// what GetFeed returns: the three panels beside the code. The engine's read
// model reads it; the screens only draw it.
type storeSnapshot struct {
	author      string
	at          time.Time
	rows        []demo.Post // PostgreSQL, newest first
	rowCount    int         // count(*), not the listing's length
	pgErr       error
	members     []demo.FeedMember // Redis, newest first, read past the lab's proxy
	zcard       int64
	undecodable int // listed members that are not FeedItems
	redisErr    error
	feed        []demo.FeedItem // GetFeed, through the app's own path
	feedErr     error
}

// snapshotOf is the read model's snapshot as the panels draw it.
func snapshotOf(s demo.StoresSnapshot) storeSnapshot {
	return storeSnapshot{author: s.Feed.Author, at: s.Feed.At,
		rows: s.Rows.Rows, rowCount: s.Rows.Count, pgErr: s.Rows.Err,
		members: s.Feed.Members, zcard: s.Feed.Card, undecodable: s.Feed.Undecodable, redisErr: s.Feed.Err}
}

// Each read below takes the reply it sends: the screen that asked wraps
// the result in a message type of its own, so a result reaches the screen
// it is for by its type, never by comparing a name.

// feedResult is what GetFeed returned. It comes apart from the snapshot:
// with Redis down, the seed's client retries for over a second, and the
// PostgreSQL panel must not wait for that.
type feedResult struct {
	author string
	feed   []demo.FeedItem
	err    error
}

// hasRow and hasMember tell where a post is.
func (s *storeSnapshot) hasRow(id string) bool {
	for _, r := range s.rows {
		if r.ID == id {
			return true
		}
	}
	return false
}

func (s *storeSnapshot) hasMember(id string) bool {
	for _, m := range s.members {
		if m.OK && m.Item.PostID == id {
			return true
		}
	}
	return false
}

// readStoresCmd reads both stores for one author through the read model:
// PostgreSQL the way the app reads it (through the lab's proxy, so its
// faults show), Redis past the proxy, so the panel shows what Redis really
// holds even while the network to it is broken.
func readStoresCmd(ctx context.Context, rm *demo.ReadModel, author string, n int, reply func(storeSnapshot) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		return reply(snapshotOf(rm.Stores(qctx, author, n)))
	}
}

// readFeedCmd calls GetFeed as the app would.
func readFeedCmd(ctx context.Context, rm *demo.ReadModel, author string, n int, reply func(feedResult) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		feed, err := rm.GetFeed(fctx, author, n)
		return reply(feedResult{author: author, feed: feed, err: err})
	}
}

// faultResult reports an inject or heal asked for from a screen.
type faultResult struct {
	what string
	err  error
}

func injectFault(ctx context.Context, l *lab.Lab, f lab.Fault, what string, reply func(faultResult) tea.Msg) tea.Cmd {
	return func() tea.Msg { return reply(faultResult{what: what, err: l.Inject(ctx, f)}) }
}

func healAll(ctx context.Context, l *lab.Lab, reply func(faultResult) tea.Msg) tea.Cmd {
	return func() tea.Msg { return reply(faultResult{what: "heal", err: l.HealAll(ctx)}) }
}

// repairResult reports a reconciler run: the drift before and after.
type repairResult struct {
	demo.RepairReport
	err error
}

// repairFeeds runs the read model's repair (check, repair by difference or
// rebuild, check again) for the before and after counts.
func repairFeeds(ctx context.Context, rm *demo.ReadModel, rebuild bool, reply func(repairResult) tea.Msg, authors ...string) tea.Cmd {
	return func() tea.Msg {
		rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		rep, err := rm.Repair(rctx, rebuild, authors...)
		return reply(repairResult{RepairReport: rep, err: err})
	}
}

// describeErr is an error as a status line shows it, whole.
func describeErr(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	}
	return err.Error()
}

// briefErr is an error in a few words, for a panel or a one-line status:
// the innermost cause of a long chain ("dial tcp 127.0.0.1:1234: connect:
// connection refused" is "connection refused").
func briefErr(err error) string {
	s := describeErr(err)
	if len(s) <= 40 {
		return s
	}
	if i := strings.LastIndex(s, ": "); i >= 0 && len(s)-i > 4 {
		return s[i+2:]
	}
	return s
}
