package labscreen

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cqrslab/demo"
	"cqrslab/internal/safetext"
	"cqrslab/internal/tui/ui"
)

// The Lab screen's keys and what they start: posts, faults, policies,
// loads and repairs.

func (m *LabScreen) key(k tea.KeyPressMsg) tea.Cmd {
	switch m.Mode {
	case labForm:
		return m.keyForm(k)
	case labFaultMenu:
		return m.keyFaultMenu(k)
	}
	keys, s := m.keys, m.sh.Session
	if s.Phase == ui.LabFailed && key.Matches(k, keys.Retry) {
		return s.Start(m.sh.Ctx, m.sh.Cfg, m.sh.Bus)
	}
	if s.Phase != ui.LabUp || m.Svc == nil {
		return nil
	}
	switch {
	case key.Matches(k, keys.NewPost):
		m.Mode, m.field = labForm, 1
		m.posts++
		m.who.SetValue(m.authorID())
		m.Title.SetValue(fmt.Sprintf("Post %d from the lab", m.posts))
		m.Title.CursorEnd()
		m.who.Blur()
		return m.Title.Focus()
	case key.Matches(k, keys.Author):
		m.author = (m.author + 1) % len(labAuthors)
		m.Refresh = nil
		return m.refreshNow()
	case key.Matches(k, keys.Faults):
		m.Mode = labFaultMenu
		if !m.grid() {
			m.Pane = paneFaults
		}
	case key.Matches(k, keys.Policy):
		i := slices.Index(demo.Policies, m.policy)
		next := demo.Policies[(i+1)%len(demo.Policies)]
		m.setStatus(ui.StatusInfo, "Switching to the %s policy…", next)
		return buildService(s.Ctx, s.Stores, m.sh.EngineOptions(next))
	case key.Matches(k, keys.Copy):
		cmd, path, err := ui.CopyConnections(m.sh)
		if err != nil {
			m.setStatus(ui.StatusWarn, "Copied the psql and redis-cli commands to the clipboard (OSC 52); saving them failed: %v", err)
		} else {
			m.setStatus(ui.StatusGood, "Saved in %s · psql and redis-cli copied too, where the terminal allows OSC 52", path)
		}
		return cmd
	case key.Matches(k, keys.Crash):
		m.crash = !m.crash
		m.Svc.SetCrashPoint(m.crash)
		if m.crash {
			m.setStatus(ui.StatusWarn, "Crash point armed: each write stops right after the PostgreSQL commit, as if the process died.")
		} else {
			m.setStatus(ui.StatusInfo, "Crash point off.")
		}
	case key.Matches(k, keys.Repair), key.Matches(k, keys.Rebuild):
		if m.repairBusy {
			return nil
		}
		m.repairBusy = true
		rebuild := key.Matches(k, keys.Rebuild)
		m.setStatus(ui.StatusInfo, "%s running…", repairWord(rebuild))
		return ui.RepairFeeds(s.Ctx, s.Reads, s.Own, rebuild, func(r ui.RepairResult) tea.Msg { return LabRepairMsg{r} })
	case key.Matches(k, keys.Load):
		if m.Load != nil && m.Load.Running {
			m.Load.Cancel()
			m.setStatus(ui.StatusInfo, "Stopping the load; writes in flight finish first…")
			return nil
		}
		return m.startLoad(loadRates[m.rateIdx])
	case key.Matches(k, keys.Faster), key.Matches(k, keys.Slower):
		if key.Matches(k, keys.Faster) {
			m.rateIdx = min(m.rateIdx+1, len(loadRates)-1)
		} else {
			m.rateIdx = max(m.rateIdx-1, 0)
		}
		if m.Load != nil && m.Load.Running {
			m.Load.Cancel()
			return m.startLoad(loadRates[m.rateIdx])
		}
		m.setStatus(ui.StatusInfo, "Load rate: %d writes/s (l starts it).", loadRates[m.rateIdx])
	case key.Matches(k, keys.NextPane):
		m.Pane = (m.Pane + 1) % LabPane(len(PaneNames))
	case key.Matches(k, keys.PrevPane):
		m.Pane = (m.Pane + LabPane(len(PaneNames)) - 1) % LabPane(len(PaneNames))
	case key.Matches(k, keys.Pane):
		m.Pane = LabPane(k.String()[0] - '1')
	}
	return nil
}

func (m *LabScreen) startLoad(rate int) tea.Cmd {
	s := m.sh.Session
	m.loads++
	ctx, cancel := context.WithCancel(s.Ctx)
	m.Load = &LoadState{Id: m.loads, Rate: rate, Started: m.sh.Now, Cancel: cancel, Running: true}
	m.setStatus(ui.StatusInfo, "Load: %d writes/s under the %s policy, round-robin over the four authors.", rate, m.policy)
	return runLoad(ctx, m.Svc, m.loads, float64(rate), m.sh.Bus)
}

func (m *LabScreen) keyForm(k tea.KeyPressMsg) tea.Cmd {
	keys := m.keys
	switch {
	case key.Matches(k, keys.Cancel):
		m.Mode = LabNormal
		m.who.Blur()
		m.Title.Blur()
		return nil
	case key.Matches(k, keys.SwitchField):
		m.field = 1 - m.field
		if m.field == 0 {
			m.Title.Blur()
			return m.who.Focus()
		}
		m.who.Blur()
		return m.Title.Focus()
	case key.Matches(k, keys.Submit):
		s := m.sh.Session
		if s.Phase != ui.LabUp || m.Svc == nil {
			return nil
		}
		author, title := strings.TrimSpace(m.who.Value()), m.Title.Value()
		m.Mode = LabNormal
		m.who.Blur()
		m.Title.Blur()
		m.InFlight++
		m.setStatus(ui.StatusInfo, "Creating %q for %s…", safetext.Visible(title), safetext.Visible(author))
		return createPost(s.Ctx, m.Svc, author, title)
	}
	return m.updateInputs(k)
}

func (m *LabScreen) updateInputs(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	if m.field == 0 {
		m.who, cmd = m.who.Update(msg)
	} else {
		m.Title, cmd = m.Title.Update(msg)
	}
	return cmd
}

func (m *LabScreen) keyFaultMenu(k tea.KeyPressMsg) tea.Cmd {
	keys, s := m.keys, m.sh.Session
	switch {
	case key.Matches(k, keys.CloseMenu):
		m.Mode = LabNormal
		return nil
	case key.Matches(k, keys.HealAll):
		m.Mode, m.FaultBusy, m.doneWords = LabNormal, true, ""
		m.setStatus(ui.StatusInfo, "Healing every fault…")
		return ui.HealAll(s.Ctx, s.Lab, func(r ui.FaultResult) tea.Msg { return LabFaultMsg{r} })
	}
	for _, c := range m.menu() {
		if k.String() != c.key {
			continue
		}
		m.Mode = LabNormal
		if why, ok := m.Unavailable[c.fault.Kind]; ok {
			m.setStatus(ui.StatusBad, "%s is not available here: %s", c.fault.Kind, safetext.Visible(why))
			return nil
		}
		m.FaultBusy, m.doneWords = true, c.done
		m.setStatus(ui.StatusWarn, "Injecting %s: %s…", c.fault, c.label)
		return ui.InjectFault(s.Ctx, s.Lab, c.fault, "inject "+c.fault.String(), func(r ui.FaultResult) tea.Msg { return LabFaultMsg{r} })
	}
	return nil
}

func (m *LabScreen) postDone(msg PostDoneMsg) tea.Cmd {
	m.InFlight--
	title := safetext.Visible(msg.Title)
	switch {
	case demo.IsInvalidInput(msg.Err):
		m.setStatus(ui.StatusBad, "Refused, nothing written: %s", safetext.Visible(msg.Err.Error()))
	case msg.Err != nil:
		m.setStatus(ui.StatusBad, "CreatePost failed after %s: %s", ui.Ms(msg.took), safetext.Visible(ui.DescribeErr(msg.Err)))
	case msg.Res.ProjectionErr != nil:
		m.setStatus(ui.StatusWarn, "%q is in PostgreSQL; the ZADD failed (%s), so the feed is stale. (%s)", title,
			safetext.Visible(ui.BriefErr(msg.Res.ProjectionErr)), ui.Ms(msg.took))
	default:
		m.setStatus(ui.StatusGood, "%q written to PostgreSQL and Redis in %s.", title, ui.Ms(msg.took))
	}
	if i := slices.Index(labAuthors, msg.Author); i >= 0 && i != m.author {
		m.author = i
		m.Refresh = nil
	}
	return m.refreshNow()
}
