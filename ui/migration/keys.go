package migration

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/ui/i18n"
)

// keyMap is the wizard's keys; the last line of the view shows the ones
// of the current step.
type keyMap struct {
	Up, Down, Next, Back, Field, Toggle, All, Pause, Stop, Hide, Again key.Binding
}

func newKeyMap(p *i18n.Printer) keyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], p.T(help)))
	}
	return keyMap{
		Up:     b("mig.key.up", "up", "k"),
		Down:   b("mig.key.down", "down", "j"),
		Next:   b("mig.key.next", "enter"),
		Back:   b("mig.key.back", "esc"),
		Field:  b("mig.key.field", "tab", "shift+tab"),
		Toggle: b("mig.key.toggle", "space"),
		All:    b("mig.key.all", "a"),
		Pause:  b("mig.key.pause", "p"),
		Stop:   b("mig.key.stop", "s"),
		Hide:   b("mig.key.hide", "esc"),
		Again:  b("mig.key.again", "r"),
	}
}

func matches(k tea.KeyPressMsg, b ...key.Binding) bool { return key.Matches(k, b...) }

// hints are the keys shown for the current step.
func (m Model) hints() []key.Binding {
	k := m.keys
	switch m.step {
	case stepPrepare:
		return []key.Binding{k.Up, k.Down, k.Next, k.Back}
	case stepConnect:
		return []key.Binding{k.Field, k.Next, k.Back}
	case stepPlanning, stepConnFail:
		return []key.Binding{k.Next, k.Back}
	case stepPlan:
		return []key.Binding{k.Up, k.Down, k.Toggle, k.All, k.Next, k.Back}
	case stepRun:
		return []key.Binding{k.Pause, k.Stop, k.Hide}
	}
	return []key.Binding{k.Again, k.Next}
}
