// Package tui is the interactive lesson's root. With the packages under it
// it is the only code that imports Bubble Tea. One root model, App, owns
// the screen and composes the screens (homescreen, learnscreen, labscreen,
// quizscreen) through the one screen interface, ui.Component: each draws a
// string into the space the root gives it, and the root adds the help bar,
// which always lists the keys that work on the screen shown. Screens never
// import each other; a reply meant for another screen is a typed message
// that travels through the root.
package tui

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"cqrslab/internal/statedir"
	"cqrslab/internal/tui/homescreen"
	"cqrslab/internal/tui/labscreen"
	"cqrslab/internal/tui/learnscreen"
	"cqrslab/internal/tui/quizscreen"
	"cqrslab/internal/tui/ui"
	"cqrslab/lessons"
)

// App is the root model.
type App struct {
	sh    *ui.Shared
	keys  ui.AppKeys
	help  help.Model
	theme ui.Theme

	width, height  int // the area the screens draw in
	outerW, outerH int // the terminal's size (larger than width×height with Roomy)
	dark, noColor  bool

	active ui.ScreenID
	home   *homescreen.HomeScreen
	learn  *learnscreen.LearnScreen
	labs   *labscreen.LabScreen

	quiz *quizscreen.Quiz // made when first opened (it reads the lab results), then kept

	showHelp bool
	helpTop  int  // the full help's first line shown, when it is scrolled
	ticking  bool // a frame is scheduled
	quitting bool // tearing the lab down, then quitting
	helpRows int  // lines the help bar takes now

	stats *uiStats // nil unless CQRSLAB_TUI_STATS is set
}

// NewApp builds the root. It reads nothing from disk: Init does that in a Cmd.
func NewApp(cfg ui.Config) *App {
	if cfg.Theme == "" {
		cfg.Theme = ui.ThemeAuto
	}
	if cfg.StateDir == "" {
		cfg.StateDir = statedir.Dir()
	}
	pages, perr := lessons.Default()
	if cfg.Lesson != nil {
		pages, perr = lessons.Load(cfg.Lesson)
	}
	sh := &ui.Shared{
		Cfg: cfg, Ctx: context.Background(), Animate: !cfg.NoAnimation,
		Bus: ui.NewEventBus(8192), Session: ui.NewLabSession(), Pages: pages, PageErr: perr,
		Now: time.Now(),
	}
	a := &App{sh: sh, keys: ui.DefaultAppKeys(), help: help.New(), theme: cfg.Theme, dark: true,
		noColor: os.Getenv("NO_COLOR") != "", stats: newUIStats()}
	a.setSize(80, 24)
	a.restyle()
	a.home = homescreen.NewHomeScreen(sh)
	a.learn = learnscreen.NewLearnScreen(sh)
	a.labs = labscreen.NewLabScreen(sh)
	a.layout()
	return a
}

// WithContext makes the lab and everything it runs stop when ctx ends
// (SIGTERM), not only when the learner quits.
func (a *App) WithContext(ctx context.Context) *App {
	a.sh.Ctx = ctx
	return a
}

// Init asks the terminal for its background (for the auto theme) and reads
// the learner's progress.
func (a *App) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, ui.LoadAppProgress(a.sh.Cfg.StateDir), a.learn.Init())
}

func (a *App) restyle() {
	t := a.theme
	if t == ui.ThemeAuto {
		t = ui.ThemeLight
		if a.dark {
			t = ui.ThemeDark
		}
	}
	a.sh.St = ui.ThemeStyles(t, a.noColor)
	a.help.Styles = a.sh.St.Help
	if a.quiz != nil {
		a.quiz.ApplyStyles()
	}
}

// Update handles one message; every screen's work that needs I/O comes back
// as a Cmd. After each message the root re-lays out (the help bar's height
// depends on the keys that work now) and keeps the frame loop going while
// the lab is alive.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if a.stats != nil {
		start := time.Now()
		defer func() {
			a.stats.Updates++
			a.stats.UpdateDur += time.Since(start)
			if _, ok := msg.(tea.KeyPressMsg); ok && a.stats.keyAt.IsZero() {
				a.stats.keyAt = start
			}
			if f, ok := msg.(ui.FrameMsg); ok {
				a.stats.Frames++
				a.stats.Events += int64(len(f.Events))
				a.stats.sample(time.Now(), f.Dropped)
			}
		}()
	}
	cmd := a.update(msg)
	a.layout()
	return a, tea.Batch(cmd, a.keepTicking())
}

func (a *App) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.setSize(msg.Width, msg.Height)
		a.layout() // before asking for the text at the new width
		return a.learn.Resized()
	case tea.BackgroundColorMsg:
		a.dark = msg.IsDark()
		a.restyle()
		return a.learn.Restyled()
	case ui.AppProgressMsg:
		if a.sh.Prog == nil { // else the quiz, opened first, read it: one record
			a.sh.Store, a.sh.Prog = msg.Store, msg.Prog
		}
		if a.sh.Bank == nil {
			a.sh.Bank = msg.Bank
		}
		if len(msg.Notices) > 0 {
			a.home.Note = strings.Join(msg.Notices, " ")
		}
		return a.learn.Resume()
	case quizscreen.QuizLoadedMsg:
		if a.sh.Prog == nil {
			a.sh.Store, a.sh.Prog = msg.Store, msg.Prog
		}
		if a.sh.Bank == nil {
			a.sh.Bank = msg.Bank
		}
		a.quiz = quizscreen.NewQuiz(a.sh, msg.Bank, msg.Run, msg.Notices)
		a.active, a.home.Note = ui.ScreenQuiz, ""
		a.layout()
		return a.quiz.Init()
	case quizscreen.QuizLoadError:
		a.home.Note = msg.Error()
		return nil
	case ui.NavigateMsg:
		return a.open(msg.To)
	case ui.FrameMsg:
		return a.onFrame(msg)
	case ui.LabStartedMsg:
		cmd := a.sh.Session.Started(msg)
		return tea.Batch(cmd, a.learn.Update(msg), a.labs.Update(msg))
	case ui.LabClosedMsg:
		a.sh.Session.Phase = ui.LabOff
		if a.quitting {
			return tea.Quit
		}
		return a.learn.LabClosed() // chapter two may be switching to the ha lab
	case tea.KeyPressMsg:
		return a.key(msg)
	case tea.PasteMsg:
		// Pasted text is typing: it goes to the screen shown, never to a
		// form on a screen out of sight.
		return a.screen().Update(msg)
	}
	cmds := []tea.Cmd{a.learn.Update(msg), a.labs.Update(msg)}
	if a.quiz != nil {
		cmds = append(cmds, a.quiz.Update(msg))
	}
	return tea.Batch(cmds...)
}

// onFrame applies what the engine reported since the last frame.
func (a *App) onFrame(msg ui.FrameMsg) tea.Cmd {
	a.ticking = false
	a.sh.Now, a.sh.Dropped = msg.At, msg.Dropped
	a.sh.Frame++
	s := a.sh.Session
	for _, ev := range msg.Events {
		switch ev := ev.(type) {
		case ui.LabProgressMsg:
			s.Progress(ev.P)
		case ui.FaultEventMsg:
			s.Faults = ev.Ev.Active
		}
	}
	return tea.Batch(a.learn.Update(msg), a.labs.Update(msg))
}

// keepTicking schedules the next frame while the lab is live: every live
// thing on a screen (a walk, a load, a fault) runs on the lab.
func (a *App) keepTicking() tea.Cmd {
	if a.ticking || !a.sh.Session.Active() {
		return nil
	}
	a.ticking = true
	return a.sh.Bus.Frame()
}

func (a *App) key(k tea.KeyPressMsg) tea.Cmd {
	if a.quitting {
		return nil // already on the way out; the teardown ends the program
	}
	if key.Matches(k, a.keys.ForceQuit) {
		return a.quit()
	}
	scr := a.screen()
	if w, h := scr.MinSize(); a.width < w || a.height < h {
		if key.Matches(k, a.keys.Quit) {
			return a.quit()
		}
		return nil
	}
	if a.showHelp {
		switch {
		case key.Matches(k, a.keys.Quit):
			return a.quit()
		case key.Matches(k, a.keys.Help), key.Matches(k, a.keys.Home):
			a.showHelp = false
		case key.Matches(k, a.keys.ScrollDown):
			a.scrollHelp(1)
		case key.Matches(k, a.keys.ScrollUp):
			a.scrollHelp(-1)
		case key.Matches(k, a.keys.PageDown):
			a.scrollHelp(max(1, a.fullHelpRoom()-1))
		case key.Matches(k, a.keys.PageUp):
			a.scrollHelp(-max(1, a.fullHelpRoom()-1))
		case key.Matches(k, a.keys.Top):
			a.helpTop = 0
		case key.Matches(k, a.keys.Bottom):
			a.scrollHelp(len(a.fullHelpLines()))
		}
		return nil
	}
	if scr.Typing() {
		return scr.Update(k)
	}
	if m, ok := scr.(ui.Modal); ok && m.Modal() && key.Matches(k, a.keys.Home) {
		return scr.Update(k)
	}
	switch {
	case key.Matches(k, a.keys.Quit):
		if g, ok := scr.(ui.QuitGuard); ok && g.HoldQuit() {
			return scr.Update(k)
		}
		return a.quit()
	case key.Matches(k, a.keys.Help):
		a.showHelp, a.helpTop = true, 0
		return nil
	case key.Matches(k, a.keys.Home) && a.active != ui.ScreenHome:
		a.active = ui.ScreenHome
		return nil
	}
	return scr.Update(k)
}

// quit leaves the app, tearing the lab down first when there is one: the
// screen says so while the containers go, then the program ends.
func (a *App) quit() tea.Cmd {
	s := a.sh.Session
	switch s.Phase {
	case ui.LabStarting, ui.LabUp:
		a.quitting, a.showHelp = true, false
		return s.Stop()
	case ui.LabStopping:
		a.quitting = true
		return nil
	}
	return tea.Quit
}

func (a *App) open(to ui.ScreenID) tea.Cmd {
	a.showHelp = false
	switch to {
	case ui.ScreenQuiz:
		if a.quiz != nil {
			a.active = ui.ScreenQuiz
			return a.quiz.Init()
		}
		a.home.Note = "Opening the quiz…"
		return quizscreen.LoadQuiz(a.sh.Cfg.StateDir, a.sh.Prog == nil)
	case ui.ScreenLearn:
		a.active = ui.ScreenLearn
		return a.learn.Opened()
	case ui.ScreenLab:
		a.active = ui.ScreenLab
		return a.labs.Opened()
	}
	a.active = ui.ScreenHome
	return nil
}

func (a *App) screen() ui.Component {
	switch a.active {
	case ui.ScreenLearn:
		return a.learn
	case ui.ScreenLab:
		return a.labs
	case ui.ScreenQuiz:
		if a.quiz != nil {
			return a.quiz
		}
	}
	return a.home
}

// helpBindings are the active screen's keys plus the app's.
func (a *App) helpBindings() []key.Binding {
	scr := a.screen()
	b := append([]key.Binding{}, scr.ShortHelp()...)
	if scr.Typing() {
		return append(b, a.keys.ForceQuit)
	}
	if m, ok := scr.(ui.Modal); ok && m.Modal() {
		return append(b, a.keys.Help, a.keys.Quit) // esc belongs to the mode
	}
	if a.active != ui.ScreenHome {
		b = append(b, a.keys.Home)
	}
	return append(b, a.keys.Help, a.keys.Quit)
}

// layout gives the active screen the space the help bar leaves.
func (a *App) layout() {
	a.helpRows = len(ui.HelpLines(a.help, a.helpBindings(), a.width))
	h := max(1, a.height-a.helpRows-a.barGap())
	a.home.SetSize(a.width, h)
	a.learn.SetSize(a.width, h)
	a.labs.SetSize(a.width, h)
	if a.quiz != nil {
		a.quiz.SetSize(a.width, h)
	}
	a.labs.Visible = a.active == ui.ScreenLab
}

// View draws the screen.
func (a *App) View() tea.View {
	if a.stats != nil {
		start := time.Now()
		defer func() {
			d := time.Since(start)
			a.stats.Views++
			a.stats.ViewDur += d
			a.stats.MaxView = max(a.stats.MaxView, d)
			a.stats.keyAnswered()
		}()
	}
	v := tea.NewView(a.frame(a.render()))
	v.AltScreen = true
	v.WindowTitle = "cqrslab"
	return v
}

// setSize takes the terminal's size and leaves the screens the area inside
// the margins (none unless Roomy).
func (a *App) setSize(w, h int) {
	a.outerW, a.outerH = w, h
	if a.sh.Cfg.Roomy {
		w, h = w-2*ui.RoomyMarginX, h-2*ui.RoomyMarginY
	}
	a.width, a.height = max(0, w), max(0, h)
}

// frame puts the margins of the roomy layout around a rendered screen.
func (a *App) frame(s string) string {
	if !a.sh.Cfg.Roomy {
		return s
	}
	pad := strings.Repeat(" ", ui.RoomyMarginX)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = pad + l
	}
	top := strings.Repeat("\n", ui.RoomyMarginY)
	return top + strings.Join(lines, "\n")
}

func (a *App) render() string {
	st := a.sh.St
	if a.quitting {
		msg := st.Warn.Render(ui.Spinner(a.sh.Frame, a.sh.Animate) + " Stopping the lab… removing its containers and processes.")
		return msg + "\n\n" + st.Dim.Render("cqrslab ends as soon as nothing is left running.")
	}
	minW, minH := a.screen().MinSize()
	if a.width < minW || a.height < minH {
		quit := "q or ctrl+c quits."
		if a.active == ui.ScreenQuiz {
			quit = "q or ctrl+c quits; your quiz answers so far are saved."
		}
		msg := fmt.Sprintf("Make the window at least %d×%d (it is %d×%d).\n\n%s", minW, minH, a.width, a.height, quit)
		if a.sh.Cfg.Roomy {
			msg = fmt.Sprintf("Make the window at least %d×%d (it is %d×%d): the projector layout's margins take %d columns and %d lines; without --roomy, %d×%d is enough.\n\n%s",
				minW+2*ui.RoomyMarginX, minH+2*ui.RoomyMarginY, a.outerW, a.outerH, 2*ui.RoomyMarginX, 2*ui.RoomyMarginY, minW, minH, quit)
		}
		// Wrapped, so the numbers are read in a narrow window too.
		return ansi.Wordwrap(msg, max(20, a.width), "")
	}
	bar := strings.Join(ui.HelpLines(a.help, a.helpBindings(), a.width), "\n")
	body := a.screen().View()
	if a.showHelp {
		body, bar = a.fullHelpView()
	}
	return ui.Fit(body, a.width, a.height-a.helpRows-a.barGap()) + strings.Repeat("\n", 1+a.barGap()) + bar
}

// fullHelpLines are the lines of what ? shows: the screen's keys, grouped,
// then those that work everywhere.
func (a *App) fullHelpLines() []string {
	groups := append(a.screen().FullHelp(), ui.KeyGroup{Title: "Everywhere",
		Keys: []key.Binding{a.keys.Help, a.keys.Home, a.keys.Quit, a.keys.ForceQuit}})
	return strings.Split(strings.TrimRight(ui.FullHelp(a.sh.St, groups, a.width), "\n"), "\n")
}

// fullHelpRoom is how many of those lines fit under the title at once
// (one row is kept for the line that says more are below or above).
func (a *App) fullHelpRoom() int {
	return max(1, a.height-a.helpRows-a.barGap()-3)
}

// scrollHelp moves the full help by n lines, within its ends.
func (a *App) scrollHelp(n int) {
	a.helpTop = max(0, min(a.helpTop+n, len(a.fullHelpLines())-a.fullHelpRoom()))
}

// fullHelpView is the full help and its bar. Longer than the window (the
// Lab's keys at 80×24), it scrolls, and says so: a group cut off without a
// word would be keys the learner does not know they have.
func (a *App) fullHelpView() (body, bar string) {
	st := a.sh.St
	lines := a.fullHelpLines()
	head := st.Title.Render("All keys") + st.Dim.Render(" · ? or esc closes this") + "\n\n"
	keys := []key.Binding{ui.Relabel(a.keys.Help, "?/esc", "close"), a.keys.Quit}
	room := a.fullHelpRoom()
	if len(lines) <= room+1 {
		return head + strings.Join(lines, "\n"), a.help.ShortHelpView(keys)
	}
	top := min(a.helpTop, len(lines)-room)
	shown := lines[top : top+room]
	if below := len(lines) - top - room; below > 0 {
		shown = append(shown, st.Warn.Render(fmt.Sprintf("▼ %d more %s below · ↓ a line, space a page", below, ui.Pluralize(below, "line", "lines"))))
	} else {
		shown = append(shown, st.Good.Render("■ end of the keys")+st.Dim.Render(" · ↑ scrolls back"))
	}
	return head + strings.Join(shown, "\n"), a.help.ShortHelpView(append([]key.Binding{a.keys.ScrollUp, a.keys.PageDown}, keys...))
}

// barGap is the blank line the roomy layout puts between a screen and its
// help bar, so the keys read as apart from the lesson.
func (a *App) barGap() int {
	if a.sh.Cfg.Roomy {
		return 1
	}
	return 0
}
