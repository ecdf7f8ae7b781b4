package app

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/components/sidebar"
)

// bodyTop is the first screen row of the panes (row 0 is the title).
const bodyTop = 1

// sidebarWidth grows a little on wide terminals.
func (m *Model) sidebarWidth() int {
	switch {
	case m.width >= 120:
		return 28
	case m.width >= 100:
		return 24
	}
	return max(min(22, m.width/3), 10)
}

// paneSize is the size of the right-hand pane (list, reader or dialog).
func (m *Model) paneSize() (int, int) {
	return max(m.width-m.sidebarWidth()-1, 1), max(m.height-2, 1)
}

// layout hands every component its size.
func (m *Model) layout() {
	if m.width == 0 {
		return
	}
	w, h := m.paneSize()
	m.sidebar.SetSize(m.sidebarWidth(), h)
	m.list.SetSize(w, h)
	m.reader.SetSize(w, h)
	m.status.SetSize(m.width, 1)
	m.help.SetSize(m.width, h)
	m.picker.SetSize(w, h)
	m.prompt.SetSize(w, h)
	m.confirm.SetSize(w, h)
	m.dirs.SetSize(w, h)
	if m.cal != nil {
		m.cal.SetSize(m.width, h)
	}
	if m.obView != nil {
		m.obView.SetSize(m.width, h)
	}
}

// View draws the title line, the panes (or a dialog in the right pane, or
// the help over both) and the status bar.
func (m *Model) View() tea.View {
	var s string
	switch {
	case m.width == 0:
		s = ""
	case m.wizardOn:
		s = common.Block(strings.Split(m.wizard.View(), "\n"), m.width, m.height)
	case m.migOn:
		s = m.mig.View()
	case m.composing != nil:
		s = m.composeView()
	case m.rulesOn:
		s = m.rulesScr.View()
	case m.needsSetup():
		s = m.setupView()
	default:
		s = strings.Join([]string{m.titleView(), m.bodyView(), m.status.View()}, "\n")
	}
	if m.d.Phases != nil && s != "" {
		m.d.Phases.Once("app: first view")
		if m.list.Len() > 0 {
			m.d.Phases.Once("app: first view with rows")
		}
	}
	v := tea.NewView(s)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "Magpie"
	return v
}

func (m *Model) bodyView() string {
	if m.modal == modalHelp {
		return m.help.View()
	}
	if m.cal != nil {
		return m.cal.View()
	}
	if m.obView != nil {
		return m.obView.View()
	}
	var right string
	switch {
	case m.modal == modalPicker:
		right = m.picker.View()
	case m.modal == modalPrompt:
		right = m.prompt.View()
	case m.modal == modalConfirm:
		right = m.confirm.View()
	case m.modal == modalDirs:
		right = m.dirs.View()
	case m.focus == paneReader:
		right = m.reader.View()
	default:
		right = m.list.View()
	}
	left := strings.Split(m.sidebar.View(), "\n")
	rows := strings.Split(right, "\n")
	sep := m.c.Styles.Border.Render("|")
	var b strings.Builder
	for i := range left {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(left[i])
		b.WriteString(sep)
		if i < len(rows) {
			b.WriteString(rows[i])
		}
	}
	return b.String()
}

// titleView names what the list shows and where the cursor is.
func (m *Model) titleView() string {
	st := m.c.Styles
	where := ""
	if m.hasEntry {
		where = m.sidebar.Label(m.entry)
		if m.entry.Kind == sidebar.KindFolder {
			where = common.Clean(m.entry.Account) + " / " + where
		}
	}
	right := m.list.Position()
	if m.list.Threaded() {
		right = m.c.P.T("tui.title.threads") + "  " + right
	}
	if o := m.orderTitle(); o != "" {
		right = o + "  " + right
	}
	if st := m.mig.Status(); st != "" { // a migration runs behind the mail
		right = st + "  " + right
	}
	if m.obCount > 0 { // mail not sent yet: O shows it
		right = m.c.P.T("tui.status.outbox_count", m.obCount) + "  " + right
	}
	if m.status.Offline() || len(m.d.Engines) == 0 {
		right = m.c.P.T("tui.title.offline") + "  " + right
	}
	left := " Magpie  " + where
	rw := ansi.StringWidth(right) + 1
	return st.Title.Render(common.Fit(left, max(m.width-rw, 0))) + st.TitleDim.Render(common.FitLeft(right+" ", min(rw, m.width)))
}

// setupView is shown when the config has no account. The setup wizard
// (ui/wizard) takes this place when it is wired in.
func (m *Model) setupView() string {
	st, p := m.c.Styles, m.c.P
	lines := []string{
		st.Title.Render(" Magpie"),
		"",
		" " + p.T("tui.setup.none"),
		"",
		"     magpie account add",
		"",
		st.TitleDim.Render(" " + p.T("tui.setup.quit", m.c.Keys.Quit.Help().Key)),
	}
	var out []string
	for _, l := range strings.Split(strings.Join(lines, "\n"), "\n") {
		out = append(out, strings.Split(ansi.Wrap(l, max(m.width, 1), ""), "\n")...)
	}
	return common.Block(out, m.width, m.height)
}
