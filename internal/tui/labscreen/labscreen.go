// Package labscreen is the Lab screen: writes, faults, load, repair and the
// engine's trace and log. Its replies are its own message types, so a read
// or fault the Learn screen asked for never lands here.
package labscreen

import (
	"context"
	"fmt"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"cqrslab/demo"
	"cqrslab/demo/lab"
	"cqrslab/internal/safetext"
	"cqrslab/internal/tui/ui"
)

// labMode is what the Lab screen's keys do.
type labMode int

const (
	LabNormal    labMode = iota
	labForm              // typing a post
	labFaultMenu         // choosing a fault
)

// LabPane is one part of the Lab screen; below 120×34 one pane shows at a
// time, chosen with tab or its number.
type LabPane int

const (
	PaneStores LabPane = iota
	paneTrace
	paneFaults
	paneLoad
	paneLog
)

var PaneNames = []string{"Stores", "Trace", "Faults", "Load", "Log"}

var labAuthors = []string{"alice", "bob", "carol", "dave"}

// loadRates are the rates + and - step through.
var loadRates = []int{50, 100, 250, 500, 1000}

// LogKeep is how many log lines the log pane keeps.
const LogKeep = 200

// refreshEvery is how often the Lab screen reads both stores while shown;
// checkEveryUnderLoad how often it checks the drift while a load runs.
const (
	refreshEvery        = time.Second
	checkEveryUnderLoad = 5 * time.Second
)

// LabScreen is the free-play lab: create posts, watch both stores and the
// trace, break Redis in every way the lab can, switch the write policy,
// run load, and repair the feed.
type LabScreen struct {
	sh            *ui.Shared
	keys          labKeys
	width, height int
	Visible       bool

	Mode   labMode
	Pane   LabPane
	author int
	Title  textinput.Model
	who    textinput.Model
	field  int // 0 author, 1 title
	posts  int // posts created from the form, for default titles

	policy  demo.PolicyName
	Svc     *demo.PostService
	relay   context.CancelFunc
	crash   bool
	breaker string

	Refresh     *LabRefreshMsg
	refreshBusy bool
	lastRefresh time.Time
	lastCheck   time.Time

	Trace    *traceBook
	ext      externalWatch // the last look for other clients' writes
	extBusy  bool
	Logs     []ui.LogMsg
	LogTotal int

	Load     *LoadState
	loads    int
	rateIdx  int
	InFlight int // form posts still running

	repairBusy bool
	LastRepair *ui.RepairResult
	FaultBusy  bool
	// doneWords is what the menu's fault in flight did, in a learner's
	// words (the registry's MenuDone), said when it is in.
	doneWords   string
	Unavailable map[lab.FaultKind]string

	Status     string
	statusKind ui.StatusKind
}

// LoadState is a running (or finished) load.
type LoadState struct {
	Id      int
	Rate    int
	Started time.Time
	Cancel  context.CancelFunc
	Ticks   []demo.Tick
	Running bool
	stopped time.Time
	result  *demo.LoadResult
	err     error
}

func NewLabScreen(sh *ui.Shared) *LabScreen {
	m := &LabScreen{sh: sh, keys: defaultLabKeys(), Trace: newTraceBook(), policy: demo.PolicySeed, rateIdx: 3}
	m.who = textinput.New()
	m.who.Prompt, m.who.CharLimit = "", 64
	m.Title = textinput.New()
	m.Title.Prompt, m.Title.CharLimit = "", 400
	if !sh.Animate { // --no-animation: a steady cursor, as in the quiz
		for _, in := range []*textinput.Model{&m.who, &m.Title} {
			s := in.Styles()
			s.Cursor.Blink = false
			in.SetStyles(s)
		}
	}
	return m
}

func (m *LabScreen) Typing() bool        { return m.Mode == labForm }
func (m *LabScreen) Modal() bool         { return m.Mode != LabNormal }
func (m *LabScreen) MinSize() (int, int) { return ui.LiveMinWidth, ui.LiveMinHeight }
func (m *LabScreen) SetSize(w, h int) {
	m.width, m.height = w, h
	m.who.SetWidth(12)
	m.Title.SetWidth(max(10, w-40))
}

// Opened starts the lab if it is not running (the Lab screen is useless
// without it), and reads the stores when it is.
func (m *LabScreen) Opened() tea.Cmd {
	s := m.sh.Session
	switch s.Phase {
	case ui.LabOff:
		return s.Start(m.sh.Ctx, m.sh.Cfg, m.sh.Bus)
	case ui.LabUp:
		if m.Svc == nil {
			return m.labUp()
		}
		return m.refreshNow()
	}
	return nil
}

func (m *LabScreen) authorID() string { return labAuthors[m.author] }

func (m *LabScreen) setStatus(kind ui.StatusKind, format string, args ...any) {
	m.Status, m.statusKind = fmt.Sprintf(format, args...), kind
}

func (m *LabScreen) ShortHelp() []key.Binding {
	k := m.keys
	switch m.Mode {
	case labForm:
		return []key.Binding{k.Submit, k.SwitchField, k.Cancel}
	case labFaultMenu:
		return append(m.faultBindings(), k.HealAll, k.CloseMenu)
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

func (m *LabScreen) FullHelp() []ui.KeyGroup {
	k := m.keys
	var faults []key.Binding
	for _, c := range m.menu() {
		faults = append(faults, key.NewBinding(key.WithKeys(c.key), key.WithHelp("f "+c.key, c.label)))
	}
	faults = append(faults, ui.Relabel(k.HealAll, "f h", "heal every fault"), ui.Relabel(k.Crash, "c", "crash point: stop each write after the commit"))
	return []ui.KeyGroup{
		{Title: "Writes and stores", Keys: []key.Binding{ui.Relabel(k.NewPost, "n", "new post (author, title; enter creates it)"),
			ui.Relabel(k.Author, "a", "show the next author's feed"), ui.Relabel(k.Policy, "p", "write policy: "+demo.PolicyList(" → ")),
			ui.Relabel(k.Repair, "r", "reconcile: repair every feed by difference"), ui.Relabel(k.Rebuild, "b", "rebuild every feed from PostgreSQL")}},
		{Title: "Faults (f opens the menu)", Keys: faults},
		{Title: "Connections", Keys: []key.Binding{ui.Relabel(k.Copy, "y", "copy the psql and redis-cli commands, and save them to a file")}},
		{Title: "Load", Keys: []key.Binding{ui.Relabel(k.Load, "l", "start or stop writing at the chosen rate"), ui.Relabel(k.Faster, "+/-", "change the rate")}},
		{Title: fmt.Sprintf("Panes (below %d×%d)", gridWidth, gridHeight), Keys: []key.Binding{ui.Relabel(k.NextPane, "tab/shift+tab", "next / previous pane"), ui.Relabel(k.Pane, "1-5", "Stores, Trace, Faults, Load, Log")}},
	}
}

func (m *LabScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case ui.LabStartedMsg:
		if msg.Err == nil && m.sh.Session.Ready() {
			return m.labUp()
		}
	case ServiceMsg:
		return m.serviceBuilt(msg)
	case ui.FrameMsg:
		return m.frame(msg)
	case LabRefreshMsg:
		if !msg.checked && m.Refresh != nil && m.Refresh.Snap.Author == msg.Snap.Author {
			// Keep the last check's drift and counts until the next one.
			msg.Drift, msg.driftErr, msg.status = m.Refresh.Drift, m.Refresh.driftErr, m.Refresh.status
			msg.checked = m.Refresh.checked
		}
		m.Refresh, m.refreshBusy = &msg, false
	case ExternalLookMsg:
		m.extBusy = false
		for _, w := range m.ext.diff(msg, m.sh.Session.Own) {
			m.Trace.AddExternal(w)
		}
	case PostDoneMsg:
		return m.postDone(msg)
	case LabFaultMsg:
		return m.faultDone(msg.FaultResult)
	case faultSupportMsg:
		m.Unavailable = msg.unavailable
	case LabRepairMsg:
		return m.repaired(msg.RepairResult)
	case loadDoneMsg:
		if m.Load != nil && msg.id == m.Load.Id {
			m.Load.Running, m.Load.result, m.Load.err, m.Load.stopped = false, msg.res, msg.err, m.sh.Now
			if msg.err != nil {
				m.setStatus(ui.StatusBad, "The load stopped: %s", safetext.Visible(ui.DescribeErr(msg.err)))
			} else if msg.res != nil {
				m.setStatus(ui.StatusInfo, "Load stopped: %d writes attempted, %d acknowledged, %d failed, %d unknown, %d with a stale feed%s.",
					msg.res.Attempted, msg.res.Acknowledged, msg.res.Failed, msg.res.Unknown, msg.res.ProjectionErrors, notRun(msg.res))
			}
		}
	case tea.KeyPressMsg:
		return m.key(msg)
	default:
		if m.Mode == labForm {
			return m.updateInputs(msg)
		}
	}
	return nil
}

// labUp builds the write path for the current policy and looks at the
// stores once both answer.
func (m *LabScreen) labUp() tea.Cmd {
	s := m.sh.Session
	return tea.Batch(buildService(s.Ctx, s.Stores, m.sh.EngineOptions(m.policy)), checkFaultSupport(s.Lab))
}

func (m *LabScreen) serviceBuilt(msg ServiceMsg) tea.Cmd {
	if m.relay != nil {
		m.relay()
	}
	m.Svc, m.relay, m.policy = msg.Svc, msg.relay, msg.Policy
	m.Svc.SetCrashPoint(m.crash)
	var cmd tea.Cmd
	if m.Load != nil && m.Load.Running {
		// A load runs over one PostService: restart it on the new one.
		rate := m.Load.Rate
		m.Load.Cancel()
		cmd = m.startLoad(rate)
	}
	return tea.Batch(cmd, m.refreshNow())
}

// frame takes in the engine's events (trace, log, load ticks) and reads the
// stores about once a second while the screen is shown.
func (m *LabScreen) frame(msg ui.FrameMsg) tea.Cmd {
	for _, ev := range msg.Events {
		switch ev := ev.(type) {
		case ui.TraceMsg:
			m.Trace.Add(ev.Ev)
		case ui.LogMsg:
			m.LogTotal++
			m.Logs = append(m.Logs, ev)
			if len(m.Logs) > LogKeep {
				m.Logs = slices.Delete(m.Logs, 0, len(m.Logs)-LogKeep)
			}
		case loadTickMsg:
			if m.Load != nil && ev.id == m.Load.Id {
				m.Load.Ticks = append(m.Load.Ticks, ev.tick)
				if len(m.Load.Ticks) > 600 {
					m.Load.Ticks = m.Load.Ticks[1:]
				}
			}
		}
	}
	m.breaker = "" // only a policy with a breaker has a breaker line
	if m.Svc != nil && m.Svc.Breaker() != nil {
		m.breaker = m.Svc.Breaker().State()
	}
	if m.Visible && msg.At.Sub(m.lastRefresh) >= refreshEvery {
		return m.refreshNow()
	}
	return nil
}

// refreshNow reads the stores unless a read is still running.
func (m *LabScreen) refreshNow() tea.Cmd {
	s := m.sh.Session
	if !s.Ready() || m.Svc == nil || m.refreshBusy {
		return nil
	}
	// The drift check reads every row and member of the author: under
	// load, every few seconds is enough.
	check := m.Load == nil || !m.Load.Running || m.sh.Now.Sub(m.lastCheck) >= checkEveryUnderLoad
	if check {
		m.lastCheck = m.sh.Now
	}
	m.refreshBusy, m.lastRefresh = true, m.sh.Now
	var look tea.Cmd
	if !m.extBusy {
		m.extBusy = true
		look = lookExternal(s.Ctx, s.Reads, m.ext.authors)
	}
	return tea.Batch(refreshLab(s.Ctx, s.Reads, m.Svc, m.authorID(), check), look)
}

// gridWidth and gridHeight are the smallest window every pane fits in at
// once; the full help names them, so they are said in one place.
const gridWidth, gridHeight = 120, 34

// grid reports whether every pane fits at once.
func (m *LabScreen) grid() bool { return m.width >= gridWidth && m.height >= gridHeight }

// split reports whether the stores fit above one other pane.
func (m *LabScreen) split() bool { return !m.grid() && m.height >= 26 }

func repairWord(rebuild bool) string {
	if rebuild {
		return "Rebuild"
	}
	return "Reconcile"
}

// faultDone reports a fault change this screen asked for.
func (m *LabScreen) faultDone(r ui.FaultResult) tea.Cmd {
	if !m.FaultBusy {
		return nil
	}
	m.FaultBusy = false
	switch {
	case r.Err != nil:
		m.setStatus(ui.StatusBad, "%s", safetext.Visible(ui.DescribeErr(r.Err)))
	case m.doneWords != "":
		m.setStatus(ui.StatusGood, "%s", m.doneWords)
	default:
		m.setStatus(ui.StatusGood, "%s done.", r.What)
	}
	m.doneWords = ""
	if s := m.sh.Session; s.Ready() {
		return tea.Batch(checkFaultSupport(s.Lab), m.refreshNow())
	}
	return nil
}

// repaired reports a reconcile or rebuild this screen asked for.
func (m *LabScreen) repaired(r ui.RepairResult) tea.Cmd {
	m.repairBusy, m.LastRepair = false, &r
	if r.Err != nil {
		m.setStatus(ui.StatusBad, "%s failed: %s", repairWord(r.Rebuild), safetext.Visible(ui.DescribeErr(r.Err)))
	} else {
		m.setStatus(ui.StatusGood, "%s: before %d missing, %d unexpected, %d duplicates; after %d, %d, %d (%s).",
			repairWord(r.Rebuild), r.Before.Missing, r.Before.Unexpected, r.Before.Duplicates,
			r.After.Missing, r.After.Unexpected, r.After.Duplicates, ui.Ms(r.Took))
	}
	return m.refreshNow()
}
