// Package homescreen is the first screen: what the lab is, where to go, and
// how far the learner has got. It asks for another screen with ui.Navigate,
// which the app carries out, so it imports no other screen.
package homescreen

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cqrslab/internal/tui/ui"
)

type menuItem struct {
	title, blurb string
	to           ui.ScreenID
}

var menu = []menuItem{
	{"Learn", "step through CreatePost against real PostgreSQL and Redis", ui.ScreenLearn},
	{"Lab", "write posts, break Redis on purpose, run load, repair the feed", ui.ScreenLab},
	{"Quiz", "the try-it prompts of both chapters, graded with feedback", ui.ScreenQuiz},
}

// HomeScreen is the first screen: what the lab is, where to go, and how far
// the learner has got.
type HomeScreen struct {
	sh            *ui.Shared
	keys          ui.HomeKeys
	width, height int
	cursor        int
	Note          string
}

func NewHomeScreen(sh *ui.Shared) *HomeScreen {
	return &HomeScreen{sh: sh, keys: ui.DefaultHomeKeys()}
}

func (h *HomeScreen) SetSize(w, ht int)   { h.width, h.height = w, ht }
func (h *HomeScreen) Typing() bool        { return false }
func (h *HomeScreen) MinSize() (int, int) { return ui.MinWidth, ui.MinHeight }
func (h *HomeScreen) ShortHelp() []key.Binding {
	return []key.Binding{h.keys.Up, h.keys.Open, ui.Relabel(h.keys.Learn, "1/2/3", "open directly")}
}

func (h *HomeScreen) FullHelp() []ui.KeyGroup {
	return []ui.KeyGroup{{Title: "Home", Keys: []key.Binding{h.keys.Up, h.keys.Open, h.keys.Learn, h.keys.Lab, h.keys.Quiz}}}
}

func (h *HomeScreen) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, h.keys.Up):
		h.cursor = (h.cursor + len(menu) - 1) % len(menu)
		h.Note = ""
	case key.Matches(k, h.keys.Down):
		h.cursor = (h.cursor + 1) % len(menu)
		h.Note = ""
	case key.Matches(k, h.keys.Open):
		return ui.Navigate(menu[h.cursor].to)
	case key.Matches(k, h.keys.Learn):
		h.cursor = 0
		return ui.Navigate(ui.ScreenLearn)
	case key.Matches(k, h.keys.Lab):
		h.cursor = 1
		return ui.Navigate(ui.ScreenLab)
	case key.Matches(k, h.keys.Quiz):
		h.cursor = 2
		return ui.Navigate(ui.ScreenQuiz)
	}
	return nil
}

func (h *HomeScreen) View() string {
	st, w := h.sh.St, h.width
	var b strings.Builder
	b.WriteString(st.Title.Render("cqrslab") + "  " + st.Dim.Render("synchronous CQRS with two databases") + "\n\n")
	b.WriteString(ui.WrapText("CreatePost commits a post to PostgreSQL (the source of truth), then in the same "+
		"request adds it to a Redis sorted set (the feed). GetFeed reads Redis only.", w) + "\n\n")
	for i, it := range menu {
		cursor, name := "  ", st.Item.Render(fmt.Sprintf("%-6s", it.title))
		if i == h.cursor {
			cursor, name = st.Accent.Render("> "), st.Selected.Render(fmt.Sprintf("%-6s", it.title))
		}
		b.WriteString(ui.Cut(fmt.Sprintf("%s%s  %s", cursor, name, st.Dim.Render(it.blurb)), w) + "\n")
	}
	b.WriteString("\n" + st.Heading.Render("Your progress") + "\n")
	for _, l := range h.progressLines() {
		b.WriteString(ui.Cut("  "+l, w) + "\n")
	}
	if h.Note != "" {
		b.WriteString("\n" + ui.WrapText(h.Note, w) + "\n")
	}
	return b.String()
}

// progressLines say where the learner is in each part.
func (h *HomeScreen) progressLines() []string {
	st, sh := h.sh.St, h.sh
	learn := "not started"
	if n := len(sh.Pages); n > 0 && sh.Prog != nil {
		if i, ok := sh.Prog.LessonPage(ui.LessonID, sh.PageIDs()); ok {
			l := sh.Prog.Lessons[ui.LessonID]
			learn = fmt.Sprintf("page %d of %d: %s", i+1, n, sh.Pages[i].Title)
			if l.Done {
				learn = fmt.Sprintf("read to the end (%d pages); reopens at page %d", n, i+1)
			}
		}
	}
	quizLine := "not started"
	if sh.Bank != nil && sh.Prog != nil {
		answered, passed := 0, 0
		for _, q := range sh.Bank.Questions() {
			if _, p, n := sh.Prog.Best(q.ID); n > 0 {
				answered++
				if p {
					passed++
				}
			}
		}
		quizLine = fmt.Sprintf("%d of %d questions answered, %d passed", answered, len(sh.Bank.Questions()), passed)
	}
	labLine := "not running; it starts when Learn's live walk or the Lab needs it"
	switch sh.Session.Phase {
	case ui.LabStarting:
		labLine = st.Warn.Render("starting…")
	case ui.LabUp:
		labLine = st.Good.Render(fmt.Sprintf("up (%s)", sh.Session.Info.Provider))
	case ui.LabFailed:
		labLine = st.Bad.Render("could not start") + " (open Lab to see why)"
	case ui.LabStopping:
		labLine = st.Warn.Render("stopping…")
	}
	return []string{
		st.Accent.Render("Learn ") + " " + learn,
		st.Accent.Render("Quiz  ") + " " + quizLine,
		st.Accent.Render("Lab   ") + " " + labLine,
	}
}
