// Package tui is the interactive lesson: the only package that imports
// Bubble Tea. One root model, App, owns the screen; the home, learn, lab
// and quiz screens are components that draw strings into the space
// the root gives them, and the root adds the help bar, which always lists
// the keys that work on the screen shown.
package tui

import (
	"context"
	"cqrslab/internal/tui/ui"
	"fmt"
	"os"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"cqrslab/internal/progress"
	"cqrslab/internal/statedir"
	"cqrslab/lessons"
	"cqrslab/quiz"
)

// screenID names a screen.
type screenID int

const (
	screenHome screenID = iota
	screenLearn
	screenLab
	screenQuiz
)

// navigateMsg asks the root to show another screen.
type navigateMsg struct{ to screenID }

func navigate(to screenID) tea.Cmd { return func() tea.Msg { return navigateMsg{to} } }

// component is one page of the app. Only the root returns a tea.View; a screen
// draws a string of exactly the size SetSize gave it.
type component interface {
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	// ShortHelp is the screen's keys that work right now, for the help bar.
	ShortHelp() []key.Binding
	// FullHelp is every key of the screen, for ?.
	FullHelp() []ui.KeyGroup
	// Typing reports whether a text field has the keys: then letters (q
	// and ? included) are text, and only ctrl+c is the app's.
	Typing() bool
	// MinSize is the smallest window the screen is laid out for.
	MinSize() (int, int)
}

// modal screens take esc for themselves while in a mode (a sub-menu), so
// esc leaves the mode instead of the screen.
type modal interface{ Modal() bool }

// shared is what every screen reads: one object passed by pointer instead
// of globals (soft-serve's common.Common).
type shared struct {
	cfg     Config
	ctx     context.Context
	st      ui.Styles
	now     time.Time // the last frame's time: views use it, never time.Now
	frame   int
	animate bool
	bus     *ui.EventBus
	session *labSession
	store   *progress.Store
	prog    *progress.Progress
	bank    *quiz.Bank
	pages   []lessons.Page
	pageErr error
	dropped int64 // events dropped because the bus was full
}

// App is the root model.
type App struct {
	sh    *shared
	keys  ui.AppKeys
	help  help.Model
	theme ui.Theme

	width, height  int // the area the screens draw in
	outerW, outerH int // the terminal's size (larger than width×height with Roomy)
	dark, noColor  bool

	active screenID
	home   *homeScreen
	learn  *learnScreen
	labs   *labScreen

	quiz *Quiz // made when first opened (it reads the lab results), then kept

	showHelp bool
	ticking  bool // a frame is scheduled
	quitting bool // tearing the lab down, then quitting
	helpRows int  // lines the help bar takes now

	stats *uiStats // nil unless CQRSLAB_TUI_STATS is set
}

// NewApp builds the root. It reads nothing from disk: Init does that in a Cmd.
func NewApp(cfg Config) *App {
	if cfg.Theme == "" {
		cfg.Theme = ui.ThemeAuto
	}
	if cfg.StateDir == "" {
		cfg.StateDir = statedir.Dir()
	}
	pages, perr := lessons.Default()
	sh := &shared{
		cfg: cfg, ctx: context.Background(), animate: !cfg.NoAnimation,
		bus: ui.NewEventBus(8192), session: newLabSession(), pages: pages, pageErr: perr,
		now: time.Now(),
	}
	a := &App{sh: sh, keys: ui.DefaultAppKeys(), help: help.New(), theme: cfg.Theme, dark: true,
		noColor: os.Getenv("NO_COLOR") != "", stats: newUIStats()}
	a.setSize(80, 24)
	a.restyle()
	a.home = newHomeScreen(sh)
	a.learn = newLearnScreen(sh)
	a.labs = newLabScreen(sh)
	a.layout()
	return a
}

// WithContext makes the lab and everything it runs stop when ctx ends
// (SIGTERM), not only when the learner quits.
func (a *App) WithContext(ctx context.Context) *App {
	a.sh.ctx = ctx
	return a
}

// Init asks the terminal for its background (for the auto theme) and reads
// the learner's progress.
func (a *App) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, loadAppProgress(a.sh.cfg.StateDir), a.learn.Init())
}

func (a *App) restyle() {
	t := a.theme
	if t == ui.ThemeAuto {
		t = ui.ThemeLight
		if a.dark {
			t = ui.ThemeDark
		}
	}
	a.sh.st = ui.ThemeStyles(t, a.noColor)
	a.help.Styles = a.sh.st.Help
	if a.quiz != nil {
		a.quiz.applyStyles()
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
	case appProgressMsg:
		if a.sh.prog == nil { // else the quiz, opened first, read it: one record
			a.sh.store, a.sh.prog = msg.store, msg.prog
		}
		if a.sh.bank == nil {
			a.sh.bank = msg.bank
		}
		if len(msg.notices) > 0 {
			a.home.note = strings.Join(msg.notices, " ")
		}
		return a.learn.Resume()
	case quizLoadedMsg:
		if a.sh.prog == nil {
			a.sh.store, a.sh.prog = msg.store, msg.prog
		}
		if a.sh.bank == nil {
			a.sh.bank = msg.bank
		}
		a.quiz = newQuiz(a.sh, msg.bank, msg.run, msg.notices)
		a.active, a.home.note = screenQuiz, ""
		a.layout()
		return a.quiz.Init()
	case quizLoadError:
		a.home.note = msg.Error()
		return nil
	case navigateMsg:
		return a.open(msg.to)
	case ui.FrameMsg:
		return a.onFrame(msg)
	case labStartedMsg:
		cmd := a.sh.session.started(msg)
		return tea.Batch(cmd, a.learn.Update(msg), a.labs.Update(msg))
	case labClosedMsg:
		a.sh.session.phase = labOff
		if a.quitting {
			return tea.Quit
		}
		return nil
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
	a.sh.now, a.sh.dropped = msg.At, msg.Dropped
	a.sh.frame++
	s := a.sh.session
	for _, ev := range msg.Events {
		switch ev := ev.(type) {
		case labProgressMsg:
			s.progress(ev.p)
		case faultEventMsg:
			s.faults = ev.ev.Active
		}
	}
	return tea.Batch(a.learn.Update(msg), a.labs.Update(msg))
}

// keepTicking schedules the next frame while the lab is live: every live
// thing on a screen (a walk, a load, a fault) runs on the lab.
func (a *App) keepTicking() tea.Cmd {
	if a.ticking || !a.sh.session.active() {
		return nil
	}
	a.ticking = true
	return a.sh.bus.Frame()
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
		}
		return nil
	}
	if scr.Typing() {
		return scr.Update(k)
	}
	if m, ok := scr.(modal); ok && m.Modal() && key.Matches(k, a.keys.Home) {
		return scr.Update(k)
	}
	switch {
	case key.Matches(k, a.keys.Quit):
		return a.quit()
	case key.Matches(k, a.keys.Help):
		a.showHelp = true
		return nil
	case key.Matches(k, a.keys.Home) && a.active != screenHome:
		a.active = screenHome
		return nil
	}
	return scr.Update(k)
}

// quit leaves the app, tearing the lab down first when there is one: the
// screen says so while the containers go, then the program ends.
func (a *App) quit() tea.Cmd {
	s := a.sh.session
	switch s.phase {
	case labStarting, labUp:
		a.quitting, a.showHelp = true, false
		return s.stop()
	case labStopping:
		a.quitting = true
		return nil
	}
	return tea.Quit
}

func (a *App) open(to screenID) tea.Cmd {
	a.showHelp = false
	switch to {
	case screenQuiz:
		if a.quiz != nil {
			a.active = screenQuiz
			return a.quiz.Init()
		}
		a.home.note = "Opening the quiz…"
		return loadQuiz(a.sh.cfg.StateDir, a.sh.prog == nil)
	case screenLearn:
		a.active = screenLearn
		return a.learn.Opened()
	case screenLab:
		a.active = screenLab
		return a.labs.Opened()
	}
	a.active = screenHome
	return nil
}

func (a *App) screen() component {
	switch a.active {
	case screenLearn:
		return a.learn
	case screenLab:
		return a.labs
	case screenQuiz:
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
	if m, ok := scr.(modal); ok && m.Modal() {
		return append(b, a.keys.Help, a.keys.Quit) // esc belongs to the mode
	}
	if a.active != screenHome {
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
	a.labs.visible = a.active == screenLab
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
	if a.sh.cfg.Roomy {
		w, h = w-2*roomyMarginX, h-2*roomyMarginY
	}
	a.width, a.height = max(0, w), max(0, h)
}

// frame puts the margins of the roomy layout around a rendered screen.
func (a *App) frame(s string) string {
	if !a.sh.cfg.Roomy {
		return s
	}
	pad := strings.Repeat(" ", roomyMarginX)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = pad + l
	}
	top := strings.Repeat("\n", roomyMarginY)
	return top + strings.Join(lines, "\n")
}

func (a *App) render() string {
	st := a.sh.st
	if a.quitting {
		msg := st.Warn.Render(ui.Spinner(a.sh.frame, a.sh.animate) + " Stopping the lab… removing its containers and processes.")
		return msg + "\n\n" + st.Dim.Render("cqrslab ends as soon as nothing is left running.")
	}
	minW, minH := a.screen().MinSize()
	if a.width < minW || a.height < minH {
		quit := "q or ctrl+c quits."
		if a.active == screenQuiz {
			quit = "q or ctrl+c quits; your quiz answers so far are saved."
		}
		msg := fmt.Sprintf("Make the window at least %d×%d (it is %d×%d).\n\n%s", minW, minH, a.width, a.height, quit)
		if a.sh.cfg.Roomy {
			msg = fmt.Sprintf("Make the window at least %d×%d (it is %d×%d): the projector layout's margins take %d columns and %d lines; without --roomy, %d×%d is enough.\n\n%s",
				minW+2*roomyMarginX, minH+2*roomyMarginY, a.outerW, a.outerH, 2*roomyMarginX, 2*roomyMarginY, minW, minH, quit)
		}
		// Wrapped, so the numbers are read in a narrow window too.
		return ansi.Wordwrap(msg, max(20, a.width), "")
	}
	bar := strings.Join(ui.HelpLines(a.help, a.helpBindings(), a.width), "\n")
	body := a.screen().View()
	if a.showHelp {
		groups := append(a.screen().FullHelp(), ui.KeyGroup{Title: "Everywhere",
			Keys: []key.Binding{a.keys.Help, a.keys.Home, a.keys.Quit, a.keys.ForceQuit}})
		body = st.Title.Render("All keys") + st.Dim.Render(" · ? or esc closes this") + "\n\n" + ui.FullHelp(st, groups, a.width)
		bar = a.help.ShortHelpView([]key.Binding{ui.Relabel(a.keys.Help, "?/esc", "close"), a.keys.Quit})
	}
	return ui.Fit(body, a.width, a.height-a.helpRows-a.barGap()) + strings.Repeat("\n", 1+a.barGap()) + bar
}

// barGap is the blank line the roomy layout puts between a screen and its
// help bar, so the keys read as apart from the lesson.
func (a *App) barGap() int {
	if a.sh.cfg.Roomy {
		return 1
	}
	return 0
}
