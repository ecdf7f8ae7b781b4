// Package helpview is the help overlay (?): every binding of the key map
// with its help text, generated from the key map itself.
package helpview

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/ui/components/common"
)

// ClosedMsg says the overlay was dismissed.
type ClosedMsg struct{}

// Model is the help overlay.
type Model struct {
	c      *common.Common
	keys   help
	width  int
	height int
}

type help interface{ FullHelp() [][]key.Binding }

var _ common.Component[Model] = (*Model)(nil)

// New returns the overlay for the bindings of km.
func New(c *common.Common, km help) Model { return Model{c: c, keys: km} }

// Init does nothing.
func (m Model) Init() tea.Cmd { return nil }

// SetSize sets the size in cells.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Update closes the overlay on ?, esc or q.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if key.Matches(k, m.c.Keys.Help, m.c.Keys.Back, m.c.Keys.Quit) {
			return m, func() tea.Msg { return ClosedMsg{} }
		}
	}
	return m, nil
}

// View lays the bindings out in as many columns as fit, exactly
// width × height cells.
func (m Model) View() string {
	st := m.c.Styles
	var items []string
	keyW := 0
	for _, col := range m.keys.FullHelp() {
		for _, b := range col {
			keyW = max(keyW, ansi.StringWidth(b.Help().Key))
		}
	}
	for _, col := range m.keys.FullHelp() {
		for _, b := range col {
			if !b.Enabled() {
				continue
			}
			h := b.Help()
			items = append(items, st.HelpKey.Render(common.Fit(h.Key, keyW))+"  "+st.HelpDesc.Render(h.Desc))
		}
	}
	colW := keyW + 2 + 24
	cols := max(1, min(3, (m.width-2)/colW))
	rows := (len(items) + cols - 1) / cols
	lines := []string{st.DialogTitle.Render(" " + m.c.P.T("tui.help.title")), ""}
	for r := 0; r < rows; r++ {
		var b strings.Builder
		b.WriteString(" ")
		for c := 0; c < cols; c++ {
			if i := c*rows + r; i < len(items) {
				b.WriteString(common.FitStyled(items[i], colW))
			}
		}
		lines = append(lines, b.String())
	}
	lines = append(lines, "", st.HelpSep.Render(" "+m.c.P.T("tui.help.close", m.c.Keys.Help.Help().Key)))
	return common.Block(lines, m.width, m.height)
}

// ShortHelp lists the close key.
func (m Model) ShortHelp() []key.Binding { return []key.Binding{m.c.Keys.Help} }

// FullHelp lists the close key.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
