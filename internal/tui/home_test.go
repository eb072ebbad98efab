package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func press(h *Home, key string) tea.Cmd {
	var msg tea.KeyPressMsg
	switch key {
	case "down":
		msg = tea.KeyPressMsg{Code: tea.KeyDown}
	case "enter":
		msg = tea.KeyPressMsg{Code: tea.KeyEnter}
	default:
		msg = tea.KeyPressMsg{Code: rune(key[0]), Text: key}
	}
	_, cmd := h.Update(msg)
	return cmd
}

func TestHomeShowsMenuAndKeys(t *testing.T) {
	h := NewHome()
	h.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	out := ansi.Strip(h.render())
	for _, want := range []string{"Learn", "Lab", "Quiz", "q quit", "> Learn"} {
		if !strings.Contains(out, want) {
			t.Errorf("home screen lacks %q:\n%s", want, out)
		}
	}
	press(h, "down")
	press(h, "enter")
	out = ansi.Strip(h.render())
	if !strings.Contains(out, "> Lab") || !strings.Contains(out, "cqrslab lab up") {
		t.Errorf("after down+enter:\n%s", out)
	}
	if cmd := press(h, "q"); cmd == nil {
		t.Fatal("q does not quit")
	} else if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("q does not quit")
	}
}

func TestHomeTooSmall(t *testing.T) {
	h := NewHome()
	h.Update(tea.WindowSizeMsg{Width: 40, Height: 10})
	if out := h.render(); !strings.Contains(out, "at least 60×16") {
		t.Errorf("small window message missing: %q", out)
	}
}
