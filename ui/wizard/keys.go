package wizard

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/ui/i18n"
)

// keyMap holds the wizard's bindings with help in the user's language.
// Letters are bound only where no text field has the focus.
type keyMap struct {
	Up, Down      key.Binding
	Next, Back    key.Binding
	Cancel        key.Binding
	Field, Prev   key.Binding
	Cycle         key.Binding
	Edit          key.Binding
	Retype, Retry key.Binding
	Name          key.Binding
}

func newKeyMap(p *i18n.Printer) keyMap {
	b := func(helpKey, helpText string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, p.T(helpText)))
	}
	return keyMap{
		Up:     b("↑/k", "wizard.key.move", "up", "k"),
		Down:   b("↓/j", "wizard.key.move", "down", "j"),
		Next:   b("enter", "wizard.key.next", "enter"),
		Back:   b("esc", "wizard.key.back", "esc"),
		Cancel: b("ctrl+c", "wizard.key.cancel", "ctrl+c"),
		Field:  b("tab", "wizard.key.field", "tab", "down"),
		Prev:   b("shift+tab", "wizard.key.field", "shift+tab", "up"),
		Cycle:  b("←/→", "wizard.key.cycle", "left", "right", "space"),
		Edit:   b("e", "wizard.key.edit", "e"),
		Retype: b("enter", "wizard.key.retype", "enter"),
		Retry:  b("enter", "wizard.key.retry", "enter", "r"),
		Name:   b("tab", "wizard.key.name", "tab"),
	}
}

func keyMatches(msg tea.KeyPressMsg, b ...key.Binding) bool { return key.Matches(msg, b...) }

// stepHelp implements help.KeyMap for one step.
type stepHelp struct{ short []key.Binding }

func (h stepHelp) ShortHelp() []key.Binding  { return h.short }
func (h stepHelp) FullHelp() [][]key.Binding { return [][]key.Binding{h.short} }

var _ help.KeyMap = stepHelp{}

// KeyMap returns the bindings that work on the current step.
func (m Model) KeyMap() help.KeyMap {
	k := m.keys
	upDown := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", m.p.T("wizard.key.move")))
	var s []key.Binding
	switch m.step {
	case stepProvider:
		s = []key.Binding{upDown, k.Next}
	case stepAddress, stepPassword:
		s = []key.Binding{k.Next, k.Back}
	case stepDiscovering, stepProbing:
		s = []key.Binding{k.Back}
	case stepDiscovered:
		if m.discErr == nil {
			s = []key.Binding{k.Next, k.Edit, k.Back}
		} else {
			s = []key.Binding{k.Next, k.Back}
		}
	case stepManual:
		s = []key.Binding{k.Field, k.Cycle, k.Next, k.Back}
	case stepProbed:
		if m.report.OK() {
			s = []key.Binding{k.Next, k.Back}
		} else {
			s = []key.Binding{k.Retype, k.Back}
		}
	case stepSync:
		s = []key.Binding{upDown, k.Name, k.Next, k.Back}
	case stepSaveFailed:
		s = []key.Binding{k.Retry, k.Back}
	}
	if m.step != stepDone && m.step != stepSaving {
		s = append(s, k.Cancel)
	}
	return stepHelp{short: s}
}
