// Package picker is a filterable list to choose one item from: the folder
// for move, copy and jump.
package picker

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/ui/components/common"
)

// Item is one choice. Label is shown (already sanitised by the caller) and
// filtered on; Value is handed back.
type Item struct {
	Label string
	Value any
}

// PickedMsg reports the chosen item for the purpose the picker was opened with.
type PickedMsg struct {
	Purpose string
	Item    Item
}

// CancelledMsg reports that the picker was dismissed.
type CancelledMsg struct{ Purpose string }

// Model is the picker.
type Model struct {
	c       *common.Common
	purpose string
	title   string
	items   []Item
	shown   []int
	filter  string
	cursor  int
	offset  int
	width   int
	height  int
}

var _ common.Component[Model] = (*Model)(nil)

// New returns a picker titled title over items; purpose comes back in
// PickedMsg and CancelledMsg.
func New(c *common.Common, purpose, title string, items []Item) Model {
	m := Model{c: c, purpose: purpose, title: title, items: items}
	m.refilter()
	return m
}

// Init does nothing.
func (m Model) Init() tea.Cmd { return nil }

// SetSize sets the size in cells.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Purpose is what the picker was opened for.
func (m Model) Purpose() string { return m.purpose }

// Select puts the cursor on item i (an index into the items given to New),
// when no filter hides it.
func (m *Model) Select(i int) {
	for si, ii := range m.shown {
		if ii == i {
			m.cursor = si
			return
		}
	}
}

// Filter is the text typed so far.
func (m Model) Filter() string { return m.filter }

func (m *Model) refilter() {
	m.shown = m.shown[:0]
	f := strings.ToLower(m.filter)
	for i, it := range m.items {
		if f == "" || strings.Contains(strings.ToLower(it.Label), f) {
			m.shown = append(m.shown, i)
		}
	}
	m.cursor = max(0, min(m.cursor, len(m.shown)-1))
}

// Update moves (arrows, ctrl+n/p), filters by typed text, chooses on Enter
// and cancels on Esc.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch k.String() {
	case "esc", "ctrl+c":
		p := m.purpose
		return m, func() tea.Msg { return CancelledMsg{Purpose: p} }
	case "enter":
		if m.cursor < len(m.shown) {
			it, p := m.items[m.shown[m.cursor]], m.purpose
			return m, func() tea.Msg { return PickedMsg{Purpose: p, Item: it} }
		}
	case "up", "ctrl+p", "ctrl+k":
		m.cursor = max(0, m.cursor-1)
	case "down", "ctrl+n", "ctrl+j", "tab":
		m.cursor = min(len(m.shown)-1, m.cursor+1)
	case "backspace":
		if r := []rune(m.filter); len(r) > 0 {
			m.filter = string(r[:len(r)-1])
			m.refilter()
		}
	default:
		if k.Text != "" && !k.Mod.Contains(tea.ModCtrl) && !k.Mod.Contains(tea.ModAlt) {
			m.filter += k.Text
			m.refilter()
		}
	}
	return m, nil
}

// headLines are the lines above the items: the title and the filter.
const headLines = 2

// scrolled is the first item on screen: the cursor kept in view.
func (m Model) scrolled() int {
	return common.InView(max(m.cursor, 0), m.offset, m.height-headLines) // no match: the top
}

// Click selects the item on line y of the picker (0: its title); a click
// on the item already selected chooses it, as Enter does.
func (m *Model) Click(y int) tea.Cmd {
	i := m.scrolled() + y - headLines
	if y < headLines || i >= len(m.shown) {
		return nil
	}
	m.offset = m.scrolled()
	if i == m.cursor {
		it, p := m.items[m.shown[i]], m.purpose
		return func() tea.Msg { return PickedMsg{Purpose: p, Item: it} }
	}
	m.cursor = i
	return nil
}

// View draws the title, the filter line and the items.
func (m Model) View() string {
	st := m.c.Styles
	lines := []string{st.DialogTitle.Render(common.Fit(" "+m.title, m.width)),
		common.Fit(" "+m.c.P.T("tui.picker.filter")+" "+common.Clean(m.filter)+"_", m.width)}
	rows := max(m.height-headLines, 1)
	m.offset = m.scrolled()
	if len(m.shown) == 0 {
		lines = append(lines, st.Empty.Render(common.Fit("   "+m.c.P.T("tui.picker.none"), m.width)))
	}
	for i := m.offset; i < len(m.shown) && i < m.offset+rows; i++ {
		cur, style := "   ", st.Folder
		if i == m.cursor {
			cur, style = " > ", st.FolderSelected
		}
		lines = append(lines, style.Render(common.Fit(cur+m.items[m.shown[i]].Label, m.width)))
	}
	return common.Block(lines, m.width, m.height)
}

// ShortHelp lists the picker's keys.
func (m Model) ShortHelp() []key.Binding { return []key.Binding{m.c.Keys.Open, m.c.Keys.Cancel} }

// FullHelp lists the picker's keys.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
