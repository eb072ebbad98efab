package tui

import (
	"context"
	"cqrslab/internal/tui/ui"
	"fmt"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/safetext"
)

// labMode is what the Lab screen's keys do.
type labMode int

const (
	labNormal    labMode = iota
	labForm              // typing a post
	labFaultMenu         // choosing a fault
)

// labPane is one part of the Lab screen; below 120×36 one pane shows at a
// time, chosen with tab or its number.
type labPane int

const (
	paneStores labPane = iota
	paneTrace
	paneFaults
	paneLoad
	paneLog
)

var paneNames = []string{"Stores", "Trace", "Faults", "Load", "Log"}

var labAuthors = []string{"alice", "bob", "carol", "dave"}

// loadRates are the rates + and - step through.
var loadRates = []int{50, 100, 250, 500, 1000}

// logKeep is how many log lines the log pane keeps.
const logKeep = 200

// refreshEvery is how often the Lab screen reads both stores while shown;
// checkEveryUnderLoad how often it checks the drift while a load runs.
const (
	refreshEvery        = time.Second
	checkEveryUnderLoad = 5 * time.Second
)

// labScreen is the free-play lab: create posts, watch both stores and the
// trace, break Redis in every way the lab can, switch the write policy,
// run load, and repair the feed.
type labScreen struct {
	sh            *ui.Shared
	keys          labKeys
	width, height int
	visible       bool

	mode   labMode
	pane   labPane
	author int
	title  textinput.Model
	who    textinput.Model
	field  int // 0 author, 1 title
	posts  int // posts created from the form, for default titles

	policy  demo.PolicyName
	svc     *demo.PostService
	relay   context.CancelFunc
	crash   bool
	breaker string

	refresh     *labRefreshMsg
	refreshBusy bool
	lastRefresh time.Time
	lastCheck   time.Time

	trace    *traceBook
	logs     []ui.LogMsg
	logTotal int

	load     *loadState
	loads    int
	rateIdx  int
	inFlight int // form posts still running

	repairBusy  bool
	lastRepair  *ui.RepairResult
	faultBusy   bool
	unavailable map[lab.FaultKind]string

	status     string
	statusKind ui.StatusKind
}

// loadState is a running (or finished) load.
type loadState struct {
	id      int
	rate    int
	started time.Time
	cancel  context.CancelFunc
	ticks   []demo.Tick
	running bool
	stopped time.Time
	result  *demo.LoadResult
	err     error
}

func newLabScreen(sh *ui.Shared) *labScreen {
	m := &labScreen{sh: sh, keys: defaultLabKeys(), trace: newTraceBook(), policy: demo.PolicySeed, rateIdx: 3}
	m.who = textinput.New()
	m.who.Prompt, m.who.CharLimit = "", 64
	m.title = textinput.New()
	m.title.Prompt, m.title.CharLimit = "", 400
	return m
}

func (m *labScreen) Typing() bool        { return m.mode == labForm }
func (m *labScreen) Modal() bool         { return m.mode != labNormal }
func (m *labScreen) MinSize() (int, int) { return ui.LiveMinWidth, ui.LiveMinHeight }
func (m *labScreen) SetSize(w, h int) {
	m.width, m.height = w, h
	m.who.SetWidth(12)
	m.title.SetWidth(max(10, w-40))
}

// Opened starts the lab if it is not running (the Lab screen is useless
// without it), and reads the stores when it is.
func (m *labScreen) Opened() tea.Cmd {
	s := m.sh.Session
	switch s.Phase {
	case ui.LabOff:
		return s.Start(m.sh.Ctx, m.sh.Cfg, m.sh.Bus)
	case ui.LabUp:
		if m.svc == nil {
			return m.labUp()
		}
		return m.refreshNow()
	}
	return nil
}

func (m *labScreen) authorID() string { return labAuthors[m.author] }

func (m *labScreen) setStatus(kind ui.StatusKind, format string, args ...any) {
	m.status, m.statusKind = fmt.Sprintf(format, args...), kind
}

func (m *labScreen) ShortHelp() []key.Binding {
	k := m.keys
	switch m.mode {
	case labForm:
		return []key.Binding{k.Submit, k.SwitchField, k.Cancel}
	case labFaultMenu:
		return append(faultBindings(), k.HealAll, k.CloseMenu)
	}
	if m.sh.Session.Phase == ui.LabFailed {
		return []key.Binding{k.Retry}
	}
	if m.sh.Session.Phase != ui.LabUp {
		return nil
	}
	b := []key.Binding{k.NewPost, k.Faults, k.Load, k.Repair, k.Rebuild, k.Policy, ui.Relabel(k.Crash, "c", "crash"), k.Author}
	if !m.grid() {
		b = append(b, ui.Relabel(k.NextPane, "tab", "pane"))
	}
	return b
}

func (m *labScreen) FullHelp() []ui.KeyGroup {
	k := m.keys
	var faults []key.Binding
	for _, c := range faultChoices {
		faults = append(faults, key.NewBinding(key.WithKeys(c.key), key.WithHelp("f "+c.key, c.label)))
	}
	faults = append(faults, ui.Relabel(k.HealAll, "f h", "heal every fault"), ui.Relabel(k.Crash, "c", "crash point: stop each write after the commit"))
	return []ui.KeyGroup{
		{Title: "Writes and stores", Keys: []key.Binding{ui.Relabel(k.NewPost, "n", "new post (author, title; enter creates it)"),
			ui.Relabel(k.Author, "a", "show the next author's feed"), ui.Relabel(k.Policy, "p", "write policy: "+demo.PolicyList(" → ")),
			ui.Relabel(k.Repair, "r", "reconcile: repair every feed by difference"), ui.Relabel(k.Rebuild, "b", "rebuild every feed from PostgreSQL")}},
		{Title: "Faults (f opens the menu)", Keys: faults},
		{Title: "Load", Keys: []key.Binding{ui.Relabel(k.Load, "l", "start or stop writing at the chosen rate"), ui.Relabel(k.Faster, "+/-", "change the rate")}},
		{Title: "Panes (below 120×36)", Keys: []key.Binding{ui.Relabel(k.NextPane, "tab/shift+tab", "next / previous pane"), ui.Relabel(k.Pane, "1-5", "Stores, Trace, Faults, Load, Log")}},
	}
}

func (m *labScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case ui.LabStartedMsg:
		if msg.Err == nil && m.sh.Session.Ready() {
			return m.labUp()
		}
	case serviceMsg:
		return m.serviceBuilt(msg)
	case ui.FrameMsg:
		return m.frame(msg)
	case labRefreshMsg:
		if !msg.checked && m.refresh != nil && m.refresh.snap.Author == msg.snap.Author {
			// Keep the last check's drift and counts until the next one.
			msg.drift, msg.driftErr, msg.status = m.refresh.drift, m.refresh.driftErr, m.refresh.status
			msg.checked = m.refresh.checked
		}
		m.refresh, m.refreshBusy = &msg, false
	case postDoneMsg:
		return m.postDone(msg)
	case labFaultMsg:
		return m.faultDone(msg.FaultResult)
	case faultSupportMsg:
		m.unavailable = msg.unavailable
	case labRepairMsg:
		return m.repaired(msg.RepairResult)
	case loadDoneMsg:
		if m.load != nil && msg.id == m.load.id {
			m.load.running, m.load.result, m.load.err, m.load.stopped = false, msg.res, msg.err, m.sh.Now
			if msg.err != nil {
				m.setStatus(ui.StatusBad, "The load stopped: %s", safetext.Visible(ui.DescribeErr(msg.err)))
			} else if msg.res != nil {
				m.setStatus(ui.StatusInfo, "Load stopped: %d writes attempted, %d acknowledged, %d failed, %d unknown, %d with a stale feed.",
					msg.res.Attempted, msg.res.Acknowledged, msg.res.Failed, msg.res.Unknown, msg.res.ProjectionErrors)
			}
		}
	case tea.KeyPressMsg:
		return m.key(msg)
	default:
		if m.mode == labForm {
			return m.updateInputs(msg)
		}
	}
	return nil
}

// labUp builds the write path for the current policy and looks at the
// stores once both answer.
func (m *labScreen) labUp() tea.Cmd {
	s := m.sh.Session
	return tea.Batch(buildService(s.Ctx, s.Stores, m.sh.EngineOptions(m.policy)), checkFaultSupport(s.Lab))
}

func (m *labScreen) serviceBuilt(msg serviceMsg) tea.Cmd {
	if m.relay != nil {
		m.relay()
	}
	m.svc, m.relay, m.policy = msg.svc, msg.relay, msg.policy
	m.svc.SetCrashPoint(m.crash)
	var cmd tea.Cmd
	if m.load != nil && m.load.running {
		// A load runs over one PostService: restart it on the new one.
		rate := m.load.rate
		m.load.cancel()
		cmd = m.startLoad(rate)
	}
	return tea.Batch(cmd, m.refreshNow())
}

// frame takes in the engine's events (trace, log, load ticks) and reads the
// stores about once a second while the screen is shown.
func (m *labScreen) frame(msg ui.FrameMsg) tea.Cmd {
	for _, ev := range msg.Events {
		switch ev := ev.(type) {
		case ui.TraceMsg:
			m.trace.add(ev.Ev)
		case ui.LogMsg:
			m.logTotal++
			m.logs = append(m.logs, ev)
			if len(m.logs) > logKeep {
				m.logs = slices.Delete(m.logs, 0, len(m.logs)-logKeep)
			}
		case loadTickMsg:
			if m.load != nil && ev.id == m.load.id {
				m.load.ticks = append(m.load.ticks, ev.tick)
				if len(m.load.ticks) > 600 {
					m.load.ticks = m.load.ticks[1:]
				}
			}
		}
	}
	if m.svc != nil && m.svc.Breaker() != nil {
		m.breaker = m.svc.Breaker().State()
	}
	if m.visible && msg.At.Sub(m.lastRefresh) >= refreshEvery {
		return m.refreshNow()
	}
	return nil
}

// refreshNow reads the stores unless a read is still running.
func (m *labScreen) refreshNow() tea.Cmd {
	s := m.sh.Session
	if !s.Ready() || m.svc == nil || m.refreshBusy {
		return nil
	}
	// The drift check reads every row and member of the author: under
	// load, every few seconds is enough.
	check := m.load == nil || !m.load.running || m.sh.Now.Sub(m.lastCheck) >= checkEveryUnderLoad
	if check {
		m.lastCheck = m.sh.Now
	}
	m.refreshBusy, m.lastRefresh = true, m.sh.Now
	return refreshLab(s.Ctx, s.Reads, m.svc, m.authorID(), check)
}

// grid reports whether every pane fits at once.
func (m *labScreen) grid() bool { return m.width >= 120 && m.height >= 34 }

// split reports whether the stores fit above one other pane.
func (m *labScreen) split() bool { return !m.grid() && m.height >= 26 }

func repairWord(rebuild bool) string {
	if rebuild {
		return "Rebuild"
	}
	return "Reconcile"
}

// faultDone reports a fault change this screen asked for.
func (m *labScreen) faultDone(r ui.FaultResult) tea.Cmd {
	if !m.faultBusy {
		return nil
	}
	m.faultBusy = false
	if r.Err != nil {
		m.setStatus(ui.StatusBad, "%s", safetext.Visible(ui.DescribeErr(r.Err)))
	} else {
		m.setStatus(ui.StatusGood, "%s done.", r.What)
	}
	if s := m.sh.Session; s.Ready() {
		return tea.Batch(checkFaultSupport(s.Lab), m.refreshNow())
	}
	return nil
}

// repaired reports a reconcile or rebuild this screen asked for.
func (m *labScreen) repaired(r ui.RepairResult) tea.Cmd {
	m.repairBusy, m.lastRepair = false, &r
	if r.Err != nil {
		m.setStatus(ui.StatusBad, "%s failed: %s", repairWord(r.Rebuild), safetext.Visible(ui.DescribeErr(r.Err)))
	} else {
		m.setStatus(ui.StatusGood, "%s: before %d missing, %d unexpected, %d duplicates; after %d, %d, %d (%s).",
			repairWord(r.Rebuild), r.Before.Missing, r.Before.Unexpected, r.Before.Duplicates,
			r.After.Missing, r.After.Unexpected, r.After.Duplicates, ui.Ms(r.Took))
	}
	return m.refreshNow()
}
