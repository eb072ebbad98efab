package labscreen

import (
	"charm.land/bubbles/v2/key"

	"cqrslab/demo/lab"
	"cqrslab/internal/tui/ui"
)

// labKeys are the Lab screen's keys. Faults have a menu of their own (f,
// then a letter), so that the letters of the fault kinds do not take over
// the screen's other keys.
type labKeys struct {
	NewPost, Author, Faults, Policy, Crash key.Binding
	Repair, Rebuild, Load, Faster, Slower  key.Binding
	NextPane, PrevPane, Pane               key.Binding
	Retry                                  key.Binding
	Copy                                   key.Binding // y: the psql and redis-cli commands

	// In the form.
	Submit, SwitchField, Cancel key.Binding
	// In the fault menu.
	HealAll, CloseMenu key.Binding
}

func defaultLabKeys() labKeys {
	return labKeys{
		NewPost:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new post")),
		Author:   key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "author")),
		Faults:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "faults")),
		Policy:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "policy")),
		Crash:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "crash point")),
		Repair:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reconcile")),
		Rebuild:  key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "rebuild")),
		Load:     key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "load")),
		Faster:   key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+/-", "rate")),
		Slower:   key.NewBinding(key.WithKeys("-", "_")),
		NextPane: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		PrevPane: key.NewBinding(key.WithKeys("shift+tab")),
		Pane:     key.NewBinding(key.WithKeys("1", "2", "3", "4", "5"), key.WithHelp("1-5", "pane")),
		Retry:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start the lab again")),
		Copy:     key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy psql")),

		Submit:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "create the post")),
		SwitchField: key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "author/title")),
		Cancel:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),

		HealAll:   key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "heal all")),
		CloseMenu: key.NewBinding(key.WithKeys("esc", "f"), key.WithHelp("esc", "close")),
	}
}

// faultChoice is one entry of the fault menu: the key, the fault it
// injects, and a few words for a learner.
type faultChoice struct {
	key   string
	fault lab.Fault
	label string
	// done is what the fault did, said once it is in ("" for the spec).
	done string
}

// faultChoices are the faults the Lab screen offers, in the order the
// lesson meets them: the kinds the lab's fault registry gives a menu key.
var faultChoices = func() []faultChoice {
	var out []faultChoice
	for _, k := range lab.FaultCatalog() {
		if k.MenuKey != "" {
			out = append(out, faultChoice{k.MenuKey, k.MenuFault, k.MenuLabel, k.MenuDone})
		}
	}
	return out
}()

// menu is the fault menu of this lab: the choices its topology has (the
// running lab's, else the one it will start with), so an ha lab lists its
// failover kinds and not the single-Redis kinds it refuses, and a single
// lab the reverse.
func (m *LabScreen) menu() []faultChoice {
	t := m.topology()
	var out []faultChoice
	for _, c := range faultChoices {
		if lab.TopologyOffers(t, c.fault.Kind) {
			out = append(out, c)
		}
	}
	return out
}

// topology is the running lab's topology, else the one it will start
// with: the fault menu and every hint about f follow it.
func (m *LabScreen) topology() lab.Topology {
	if s := m.sh.Session; s.Phase == ui.LabUp {
		return s.Info.Topology
	}
	return m.sh.Cfg.Lab.Topology
}

// faultsDo is what f leads to on this lab, for the screen's hints ("f
// breaks Redis"): on ha every kind the menu offers fails one Redis node
// (kill or isolate the primary, pause a replica), and Redis as a whole
// stays up.
func (m *LabScreen) faultsDo() string {
	if m.topology() == lab.TopologyHA {
		return "fails a Redis node"
	}
	return "breaks Redis"
}

// faultBindings are the menu's keys, for the help bar.
func (m *LabScreen) faultBindings() []key.Binding {
	var out []key.Binding
	for _, c := range m.menu() {
		out = append(out, key.NewBinding(key.WithKeys(c.key), key.WithHelp(c.key, string(c.fault.Kind))))
	}
	return out
}
