// Package prompt is a one-line text input with a title: the search query
// and the folder to save an attachment into.
package prompt

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/ui/components/common"
)

// SubmittedMsg reports the text entered for a purpose.
type SubmittedMsg struct {
	Purpose string
	Value   string
}

// CancelledMsg reports that the prompt was dismissed.
type CancelledMsg struct{ Purpose string }

// Model is the prompt.
type Model struct {
	c       *common.Common
	purpose string
	title   string
	hint    string
	value   []rune
	width   int
	height  int
}

var _ common.Component[Model] = (*Model)(nil)

// New returns a focused prompt with an initial value.
func New(c *common.Common, purpose, title, hint, value string) Model {
	return Model{c: c, purpose: purpose, title: title, hint: hint, value: []rune(value)}
}

// Init does nothing (the cursor is drawn virtually).
func (m Model) Init() tea.Cmd { return nil }

// SetSize sets the size in cells.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
}

// Value is the text entered so far.
func (m Model) Value() string { return string(m.value) }

// Purpose is what the prompt was opened for.
func (m Model) Purpose() string { return m.purpose }

// Update edits the text at its end (typing, paste, backspace, ctrl+u,
// ctrl+w); Enter submits, Esc cancels.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		m.value = append(m.value, []rune(oneLine(msg.Content))...)
	case tea.KeyPressMsg:
		switch msg.String() {
		case "enter":
			v, p := string(m.value), m.purpose
			return m, func() tea.Msg { return SubmittedMsg{Purpose: p, Value: v} }
		case "esc", "ctrl+c":
			p := m.purpose
			return m, func() tea.Msg { return CancelledMsg{Purpose: p} }
		case "backspace", "ctrl+h":
			if len(m.value) > 0 {
				m.value = m.value[:len(m.value)-1]
			}
		case "ctrl+u":
			m.value = nil
		case "ctrl+w":
			v := []rune(strings.TrimRight(string(m.value), " "))
			if i := strings.LastIndexByte(string(v), ' '); i >= 0 {
				m.value = []rune(string(v)[:i+1])
			} else {
				m.value = nil
			}
		default:
			if msg.Text != "" && !msg.Mod.Contains(tea.ModCtrl) && !msg.Mod.Contains(tea.ModAlt) {
				m.value = append(m.value, []rune(oneLine(msg.Text))...)
			}
		}
	}
	return m, nil
}

// oneLine drops control characters from typed or pasted text.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// field is the input line: the end of the text when it is wider than the
// space, and a block cursor.
func (m Model) field() string {
	w := max(m.width-4, 1)
	v := string(m.value) + "_"
	if vw := ansi.StringWidth(v); vw > w {
		v = ansi.TruncateLeft(v, vw-w, "")
	}
	return "> " + v
}

// View draws the title, the input and the hint.
func (m Model) View() string {
	st := m.c.Styles
	lines := []string{
		st.DialogTitle.Render(common.Fit(" "+m.title, m.width)),
		" " + m.field(),
		st.HelpSep.Render(common.Fit(" "+m.hint, m.width)),
	}
	return common.Block(lines, m.width, m.height)
}

// ShortHelp lists the prompt's keys.
func (m Model) ShortHelp() []key.Binding { return []key.Binding{m.c.Keys.Open, m.c.Keys.Cancel} }

// FullHelp lists the prompt's keys.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
