package labscreen

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/tui/ui"
)

// The Lab screen's I/O, each a Cmd returning one message.

// ServiceMsg carries a PostService built for a policy (a budgeted client
// is made, which must not happen in Update).
type ServiceMsg struct {
	Policy demo.PolicyName
	Svc    *demo.PostService
	relay  context.CancelFunc // closes svc: stops its policy's background work
}

// buildService makes the PostService, which starts whatever background
// work its policy has (the outbox relay); relay closes it.
func buildService(_ context.Context, st *demo.Stores, opts demo.Options) tea.Cmd {
	return func() tea.Msg {
		svc := st.Service(opts)
		return ServiceMsg{Policy: opts.Policy, Svc: svc, relay: func() { _ = svc.Close() }}
	}
}

// PostDoneMsg is the end of a post created from the form.
type PostDoneMsg struct {
	Author, Title string
	Res           demo.Result
	Err           error
	took          time.Duration
}

func createPost(ctx context.Context, svc *demo.PostService, author, title string) tea.Cmd {
	return func() tea.Msg {
		start := time.Now()
		wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		res, err := svc.CreatePost(wctx, demo.NewPost{AuthorID: author, Title: title})
		return PostDoneMsg{Author: author, Title: title, Res: res, Err: err, took: time.Since(start)}
	}
}

// The Lab screen's replies: a fault change or a repair it asked for.
type (
	LabFaultMsg  struct{ ui.FaultResult }
	LabRepairMsg struct{ ui.RepairResult }
)

// LabRefreshMsg is the Lab screen's periodic look at both stores: the
// chosen author's newest rows and feed members, GetFeed, and (when checked)
// the drift between the stores and the outbox.
type LabRefreshMsg struct {
	Snap     ui.StoreSnapshot
	checked  bool // drift and counts were read this time
	Drift    demo.AuthorDrift
	driftErr error
	status   demo.PolicyStatus // read with the drift
	took     time.Duration
}

// labRows is how many rows and members the Lab screen lists.
const labRows = 20

// refreshLab reads what the Lab screen shows through the read model: the
// newest rows and members (bounded: under load an author has thousands)
// with their true counts. The reconciler's check, which reads every row
// and member, runs only when check is set (each refresh when idle, every
// few seconds under load).
func refreshLab(ctx context.Context, rm *demo.ReadModel, svc *demo.PostService, author string, check bool) tea.Cmd {
	feedCmd := ui.ReadFeedCmd(ctx, rm, author, labRows, func(r ui.FeedResult) tea.Msg { return r })
	return func() tea.Msg {
		start := time.Now()
		feedc := make(chan ui.FeedResult, 1)
		go func() { feedc <- feedCmd().(ui.FeedResult) }()
		qctx, qcancel := context.WithTimeout(ctx, 2*time.Second)
		m := LabRefreshMsg{Snap: ui.SnapshotOf(rm.Stores(qctx, author, labRows)), checked: check}
		qcancel()
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if check {
			d, err := rm.Drift(cctx, author)
			if err == nil && len(d.Authors) == 1 {
				m.Drift = d.Authors[0]
			}
			m.driftErr = err
			m.status = svc.PolicyStatus(cctx)
		}
		f := <-feedc
		m.Snap.Feed, m.Snap.FeedErr = f.Feed, f.Err
		m.took = time.Since(start)
		return m
	}
}

// faultSupportMsg says which faults this lab can do, and why not.
type faultSupportMsg struct{ unavailable map[lab.FaultKind]string }

func checkFaultSupport(l *lab.Lab) tea.Cmd {
	return func() tea.Msg {
		m := faultSupportMsg{unavailable: map[lab.FaultKind]string{}}
		for _, c := range faultChoices {
			if err := l.SupportsFault(c.fault); err != nil {
				m.unavailable[c.fault.Kind] = err.Error()
			}
		}
		return m
	}
}

// Load: RunLoad in a Cmd; its one-second ticks come through the bus.
type (
	loadTickMsg struct {
		id   int
		tick demo.Tick
	}
	loadDoneMsg struct {
		id  int
		res *demo.LoadResult
		err error
	}
)

// maxLoadDuration ends a load nobody stopped, so a forgotten load cannot
// fill the stores all afternoon.
const maxLoadDuration = 10 * time.Minute

func runLoad(ctx context.Context, svc *demo.PostService, id int, rate float64, bus *ui.EventBus) tea.Cmd {
	return func() tea.Msg {
		res, err := demo.RunLoad(ctx, svc, demo.LoadConfig{
			Rate: rate, Duration: maxLoadDuration, IDPrefix: fmt.Sprintf("load%d-%d-", id, time.Now().Unix()),
		}, func(t demo.Tick) { bus.Send(loadTickMsg{id: id, tick: t}) })
		return loadDoneMsg{id: id, res: res, err: err}
	}
}
