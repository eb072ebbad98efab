// Package learnscreen is the lesson screen: one page per step of
// CreatePost, stepped for real against the lab. Its replies are its own
// message types, so a reply another screen asked for never lands here.
package learnscreen

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"cqrslab/demo"
	"cqrslab/demo/experiment"
	"cqrslab/demo/lab"
	"cqrslab/internal/tui/ui"
	"cqrslab/lessons"
)

// The Learn screen's replies, each its own type so that a read, a fault
// or a repair the Lab screen asked for never lands here.
type (
	LearnStoresMsg struct{ Snap ui.StoreSnapshot }
	LearnFeedMsg   struct {
		ui.FeedResult
		Asked time.Time // when this GetFeed was asked
	}
	LearnFaultMsg  struct{ ui.FaultResult }
	LearnRepairMsg struct{ ui.RepairResult }
)

// LearnScreen is the lesson: one page per step of CreatePost (and pages on
// the failure modes and repairs), each with the seed's code, the page's
// text, and three panels saying what PostgreSQL holds, what Redis holds and
// what GetFeed returns. With the lab running, enter runs CreatePost for
// real, one step at a time, and the panels show both stores as they are.
type LearnScreen struct {
	sh            *ui.Shared
	keys          learnKeys
	width, height int

	page      int
	shownPage int // the page whose text the viewport holds (-1: none yet)
	text      viewport.Model
	md        map[ui.MarkdownKey]string
	machine   map[int]string // the "On your machine" section each page was rendered with
	showHint  bool
	showMe    bool

	Svc           *demo.PostService // the seed policy: the lesson's subject
	eng           *learnEngine      // Svc's renewable Redis client, its GetFeed, its log
	healedAt      time.Time         // the heal whose first fresh GetFeed is awaited
	feedCut       time.Time         // GetFeed replies asked before this are dropped
	lastHeal      time.Time
	claims        []Claim              // the seed's claims and what showed them
	claimsUnsaved bool                 // a claim was met: save the progress file
	demoBusy      bool                 // x is measuring
	spike         *spikeRun            // x on the budgeted page: the latency-spike run going now
	spikes        int                  // runs started, to tell their messages apart
	spikeReports  []*experiment.Report // this session's last complete run
	spikeAt       time.Time
	rollbackSvc   *demo.PostService // the rollback policy, for claim (c)
	feedAskedAt   time.Time         // when the GetFeed running now was asked
	Walk          *Walk
	walks         int
	PendingWalk   bool // start a walk as soon as the lab is up

	Snap      *ui.StoreSnapshot
	snapBusy  bool // a read of the stores is running
	snapAgain bool // and another was asked for meanwhile
	feedBusy  bool // the same for GetFeed
	feedAgain bool

	Status     string
	statusKind ui.StatusKind
	// failedOn is the page (from 1; 0: none) where the lab's start failed:
	// that page shows the failure where the panels go, the others keep
	// their text and say it in one line.
	failedOn   int
	lastWarn   string // the write path's newest warning
	FaultBusy  bool
	RepairBusy bool

	HA HAWalk // chapter two's step-through on the ha lab (learn_ha.go)
}

func NewLearnScreen(sh *ui.Shared) *LearnScreen {
	return &LearnScreen{sh: sh, keys: defaultLearnKeys(), text: viewport.New(), md: map[ui.MarkdownKey]string{},
		width: 80, height: 22, shownPage: -1}
}

func (l *LearnScreen) Typing() bool        { return false }
func (l *LearnScreen) MinSize() (int, int) { return ui.LiveMinWidth, ui.LiveMinHeight }

// Init renders the first page.
func (l *LearnScreen) Init() tea.Cmd { return l.WantMarkdown() }

// Opened is called when the screen is shown.
func (l *LearnScreen) Opened() tea.Cmd {
	return tea.Batch(l.WantMarkdown(), l.refresh())
}

// Resume moves to the page the progress file remembers, by the page's ID.
// A file that remembers an index (written before page IDs) is migrated
// once and saved.
func (l *LearnScreen) Resume() tea.Cmd {
	prog := l.sh.Prog
	if prog == nil {
		return nil
	}
	ids := l.sh.PageIDs()
	var save tea.Cmd
	if prog.MigrateLesson(ui.LessonID, ids) {
		save = l.sh.SaveProgressNow()
	}
	if i, ok := prog.LessonPage(ui.LessonID, ids); ok {
		l.page = i
	}
	return tea.Batch(save, l.WantMarkdown())
}

// Resized and Restyled re-render the page's text for the new width or
// style.
func (l *LearnScreen) Resized() tea.Cmd  { return l.WantMarkdown() }
func (l *LearnScreen) Restyled() tea.Cmd { return l.WantMarkdown() }

func (l *LearnScreen) current() lessons.Page {
	if len(l.sh.Pages) == 0 {
		return lessons.Page{Title: "The lesson could not be loaded"}
	}
	return l.sh.Pages[l.page]
}

func (l *LearnScreen) markdownKey() ui.MarkdownKey {
	p := l.current()
	return ui.MarkdownKey{Page: l.page, Width: max(20, l.textWidth()), Style: l.sh.St.Glamour,
		Hint: l.showHint && p.Hint != "", ShowMe: l.showMe && p.ShowMe != ""}
}

// pageMarkdown is what the text area shows, as markdown: the hint and
// "show me" when asked for (at the top, where the learner is looking when
// they ask), the page's body, and what the lesson says each store holds
// after the page's step (the live panels show the real thing during a
// walk; these words are the lesson's claim, always there to read).
func (l *LearnScreen) pageMarkdown(k ui.MarkdownKey) string {
	p := l.current()
	if l.sh.PageErr != nil {
		return "The lesson's pages could not be loaded:\n\n    " + l.sh.PageErr.Error()
	}
	var b strings.Builder
	if k.Hint {
		fmt.Fprintf(&b, "**Hint:** %s\n\n", p.Hint)
	}
	if k.ShowMe {
		if cmd, ok := p.ShowMeCommand(); ok {
			fmt.Fprintf(&b, "**Show me:** in another terminal, while this lab runs: `%s`\n\n", cmd)
		} else {
			fmt.Fprintf(&b, "**Show me:** %s\n\n", p.ShowMe)
		}
	}
	b.WriteString(p.Body)
	if sec := l.machine[l.page]; sec != "" {
		b.WriteString("\n\n" + sec)
	}
	if a := p.After; !a.IsZero() {
		b.WriteString("\n\n### What the stores hold after this step\n\n")
		fmt.Fprintf(&b, "- **PostgreSQL holds:** %s\n- **Redis holds:** %s\n- **GetFeed returns:** %s\n", a.Postgres, a.Redis, a.GetFeed)
	}
	return b.String()
}

// WantMarkdown shows the page's text if it is rendered, else asks for it.
func (l *LearnScreen) WantMarkdown() tea.Cmd {
	k := l.markdownKey()
	l.forgetIfMachineChanged() // pageMarkdown appends the section it keeps
	if out, ok := l.md[k]; ok {
		l.setText(k, out)
		return nil
	}
	if k.Page != l.shownPage { // another page: no stale text while this one renders
		l.text.SetContent(l.sh.St.Dim.Render("…"))
	}
	return ui.RenderPage(k, l.pageMarkdown(k))
}

// setText shows a rendered page; the scroll position is kept when it is
// the same page again (re-rendered for a new width, or a hint opened).
func (l *LearnScreen) setText(k ui.MarkdownKey, out string) {
	same := k.Page == l.shownPage
	l.text.SetContent(out)
	if !same {
		l.text.GotoTop()
	}
	l.shownPage = k.Page
}

func (l *LearnScreen) SetSize(w, h int) {
	l.width, l.height = w, h
	l.layoutText()
}

func (l *LearnScreen) ShortHelp() []key.Binding {
	k := l.keys
	if l.HAActive() {
		return l.haHelp()
	}
	b := []key.Binding{ui.Relabel(k.Forward, "→", "read on"), ui.Relabel(k.Back, "←", "back"),
		ui.Relabel(k.Step, "enter", l.stepLabel())}
	s := l.sh.Session
	if s.Phase == ui.LabUp {
		if l.redisDown() {
			b = append(b, k.Mend)
		} else {
			b = append(b, k.Break)
		}
		b = append(b, k.Repair)
		switch {
		case l.Spiking():
			return []key.Binding{ui.Relabel(k.Demo, "esc", "cancel the measurement"), ui.Relabel(k.PageDown, "space/↓", "scroll")}
		case l.current().ID == ClaimsPage:
			b = append(b, k.Demo)
		case l.current().ID == SpikePage:
			b = append(b, ui.Relabel(k.Demo, "x", "measure the spike"))
		}
	}
	b = append(b, k.Hint, k.ShowMe)
	if s.Phase == ui.LabUp {
		b = append(b, ui.Relabel(k.Copy, "y", "copy psql"))
	}
	if l.text.TotalLineCount() > l.text.Height() {
		b = append(b, ui.Relabel(k.PageDown, "space/↓", "scroll"))
	}
	return b
}

func (l *LearnScreen) FullHelp() []ui.KeyGroup {
	k := l.keys
	return []ui.KeyGroup{
		{Title: "Reading", Keys: []key.Binding{
			ui.Relabel(k.Forward, "→", "read on: a screen down; at the page's end, the next page"),
			ui.Relabel(k.Back, "←", "back: a screen up; at the page's top, the previous page"),
			ui.Relabel(k.Next, "n / p", "next / previous page now, from wherever you are"),
			ui.Relabel(k.ScrollDown, "↓/↑ j/k", "scroll the text a line"),
			ui.Relabel(k.PageDown, "space / b", "a screen down / up (also pgdn / pgup)"),
			ui.Relabel(k.Top, "g / G", "top / end of the page (also home / end)"),
			ui.Relabel(k.Copy, "y", "copy the psql and redis-cli commands, and save them to a file"),
			k.Hint, k.ShowMe}},
		{Title: "Running CreatePost for real (starts the lab the first time)", Keys: []key.Binding{
			ui.Relabel(k.Step, "enter", "start CreatePost, then run its next step"),
			ui.Relabel(k.Break, "f", "break Redis (its proxy goes down): the next ZADD fails"),
			ui.Relabel(k.Mend, "h", "heal Redis (end every fault)"),
			ui.Relabel(k.Repair, "r", "repair the feed from PostgreSQL (the reconciler)"),
			ui.Relabel(k.Demo, "x", "on the claims page: race GetFeed against SQL, then seed against rollback with Redis down"),
			ui.Relabel(k.Demo, "x", "on the budgeted page: the latency-spike experiment, seed then budgeted (esc cancels)")}},
	}
}

// copyConnections copies the commands that reach the lab's stores and
// saves them to a file, saying where: the learner pastes them in another
// terminal to look at the stores while the walk is paused.
func (l *LearnScreen) copyConnections() tea.Cmd {
	if l.sh.Session.Phase != ui.LabUp {
		l.SetStatus(ui.StatusInfo, "The lab is not running: press enter to start it, then y copies its psql and redis-cli commands.")
		return nil
	}
	cmd, path, err := ui.CopyConnections(l.sh)
	if err != nil {
		l.SetStatus(ui.StatusWarn, "Copied the psql and redis-cli commands to the clipboard (OSC 52); saving them failed: %v", err)
		return cmd
	}
	l.SetStatus(ui.StatusGood, "Saved in %s · psql and redis-cli copied too, where the terminal allows OSC 52", path)
	return cmd
}

// stepLabel says what enter does now.
func (l *LearnScreen) stepLabel() string {
	s := l.sh.Session
	if l.chapterTwo() {
		return l.haStepLabel()
	}
	switch {
	case s.Phase == ui.LabStarting:
		return "(lab starting)"
	case s.Phase == ui.LabFailed:
		return "try the lab again"
	case s.Phase != ui.LabUp:
		return "start the lab and CreatePost"
	case l.Walk == nil || l.Walk.Done:
		return "run CreatePost step by step"
	case l.Walk.Waiting != "":
		return "run " + string(l.Walk.Waiting)
	}
	return "(step running)"
}

// redisDown reports whether a fault has Redis's proxy down.
func (l *LearnScreen) redisDown() bool {
	return slices.ContainsFunc(l.sh.Session.Faults, func(f lab.Fault) bool { return f.Kind == lab.FaultDown })
}

func (l *LearnScreen) SetStatus(kind ui.StatusKind, format string, args ...any) {
	l.Status, l.statusKind = fmt.Sprintf(format, args...), kind
}

// SetPage shows page i and remembers it in the progress file.
func (l *LearnScreen) SetPage(i int) tea.Cmd {
	if len(l.sh.Pages) == 0 {
		return nil
	}
	i = max(0, min(i, len(l.sh.Pages)-1))
	if i != l.page {
		l.showHint, l.showMe = false, false
		if l.statusKind == ui.StatusBad && l.sh.Session.Phase == ui.LabFailed {
			l.Status = "" // the page's own default says it, for this page's lab
		}
	}
	l.page = i
	l.layoutText()
	l.text.GotoTop()
	done := i == len(l.sh.Pages)-1
	if l.sh.Prog != nil && l.sh.Prog.Lessons[ui.LessonID].Done {
		done = true
	}
	return tea.Batch(l.WantMarkdown(), l.sh.SaveLessonPlace(i, done))
}

func (l *LearnScreen) PageIndex(id string) int {
	for i, p := range l.sh.Pages {
		if p.ID == id {
			return i
		}
	}
	return l.page
}

// Update handles a message; a claim met on the way is saved to the
// progress file with it.
func (l *LearnScreen) Update(msg tea.Msg) tea.Cmd {
	cmd := l.update(msg)
	if l.claimsUnsaved {
		l.claimsUnsaved = false
		return tea.Batch(cmd, l.sh.SaveProgressNow())
	}
	return cmd
}

func (l *LearnScreen) update(msg tea.Msg) tea.Cmd {
	if cmd, ok := l.haUpdate(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case ui.MarkdownMsg:
		l.md[msg.Key] = msg.Out
		if msg.Key == l.markdownKey() {
			l.setText(msg.Key, msg.Out)
		}
	case ui.LabStartedMsg:
		return tea.Batch(l.labStarted(msg), l.haStarted(msg))
	case ui.FrameMsg:
		for _, ev := range msg.Events {
			switch ev := ev.(type) {
			case ui.LogMsg:
				if ev.Level >= slog.LevelWarn {
					l.lastWarn = ev.Text
				}
			case spikeProgressMsg:
				l.spikeProgress(ev)
			}
		}
	case WalkPausedMsg:
		return l.walkPaused(msg)
	case WalkStepMsg:
		return l.walkStep(msg)
	case WalkDoneMsg:
		return l.walkDone(msg)
	case WalkNextErr:
		l.SetStatus(ui.StatusBad, "%s", msg.Error())
	case LearnStoresMsg:
		snap := msg.Snap
		if l.Snap != nil { // keep the last GetFeed until the next one comes
			snap.Feed, snap.FeedErr = l.Snap.Feed, l.Snap.FeedErr
		}
		l.Snap, l.snapBusy = &snap, false
		l.walkClaims()
		if l.snapAgain {
			l.snapAgain = false
			return l.refresh()
		}
	case LearnFeedMsg:
		if msg.Asked.Before(l.feedCut) {
			return nil // asked before the heal, on the old pool: a fresh one is running
		}
		l.feedBusy = false
		if l.Snap == nil {
			l.Snap = &ui.StoreSnapshot{Author: msg.Author}
		}
		l.Snap.Feed, l.Snap.FeedErr = msg.Feed, msg.Err
		l.staleClaim(msg)
		if !l.healedAt.IsZero() && !msg.Asked.Before(l.healedAt) {
			l.feedTiming(msg.Err)
		}
		if l.feedAgain {
			l.feedAgain = false
			return l.refresh()
		}
	case ClaimsDemoMsg:
		return l.claimsDemoDone(msg)
	case SpikeDoneMsg:
		return l.spikeDone(msg)
	case LearnFaultMsg:
		return l.faultDone(msg.FaultResult)
	case LearnRepairMsg:
		return l.repaired(msg.RepairResult)
	case ui.LessonSavedMsg:
		if msg.Err != nil {
			l.SetStatus(ui.StatusWarn, "Your place in the lesson was not saved: %v", msg.Err)
		}
	case tea.KeyPressMsg:
		return l.key(msg)
	}
	return nil
}

func (l *LearnScreen) key(k tea.KeyPressMsg) tea.Cmd {
	keys := l.keys
	if l.Spiking() {
		switch {
		case k.String() == "esc":
			l.stopSpike()
			return nil
		case key.Matches(k, keys.Step, keys.Break, keys.Mend, keys.Repair, keys.Demo):
			// The lab is under the spike: a walk or a fault now would
			// measure something else. Reading keys still work.
			l.SetStatus(ui.StatusInfo, "The spike is being measured: esc cancels it; reading keys still work.")
			return nil
		}
	}
	if l.HAActive() {
		if cmd, done := l.haKey(k); done {
			return cmd
		}
	}
	switch {
	case key.Matches(k, keys.Forward):
		// → reads on: it scrolls while the page has more below, and turns
		// the page only at its end, so no line is skipped by accident.
		// While the page is still rendering there is no end to be at: a
		// second → then would turn past a page never shown.
		if l.shownPage != l.page {
			return nil
		}
		if !l.text.AtBottom() {
			l.text.PageDown()
			return nil
		}
		return l.SetPage(l.page + 1)
	case key.Matches(k, keys.Back):
		if !l.text.AtTop() {
			l.text.PageUp()
			return nil
		}
		return l.SetPage(l.page - 1)
	case key.Matches(k, keys.Prev):
		return l.SetPage(l.page - 1)
	case key.Matches(k, keys.Next):
		return l.SetPage(l.page + 1)
	case key.Matches(k, keys.PageUp):
		l.text.PageUp()
	case key.Matches(k, keys.PageDown):
		l.text.PageDown()
	case key.Matches(k, keys.ScrollUp):
		l.text.ScrollUp(1)
	case key.Matches(k, keys.ScrollDown):
		l.text.ScrollDown(1)
	case key.Matches(k, keys.Top):
		l.text.GotoTop()
	case key.Matches(k, keys.Bottom):
		l.text.GotoBottom()
	case key.Matches(k, keys.Hint):
		l.showHint = !l.showHint
		l.text.GotoTop()
		return l.WantMarkdown()
	case key.Matches(k, keys.ShowMe):
		l.showMe = !l.showMe
		l.text.GotoTop()
		return l.WantMarkdown()
	case key.Matches(k, keys.Copy):
		return l.copyConnections()
	case key.Matches(k, keys.Step):
		return l.step()
	case key.Matches(k, keys.Break):
		return l.breakRedis()
	case key.Matches(k, keys.Mend):
		return l.mendRedis()
	case key.Matches(k, keys.Repair):
		return l.repair()
	case key.Matches(k, keys.Demo) && l.current().ID == ClaimsPage:
		return l.runClaimsDemo()
	case key.Matches(k, keys.Demo) && l.current().ID == SpikePage:
		return l.runSpike()
	}
	return nil
}
