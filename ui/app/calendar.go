package app

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/ui/components/calview"
)

// The calendar view (calview) takes the whole body when open: the member
// opens it with L and leaves with esc or q. It reads the store's calendar
// cache only.

func (m *Model) calendarKey() key.Binding {
	return m.c.Keys.Calendar
}

func (m *Model) openCalendar() tea.Cmd {
	opts := calview.DefaultOptions(m.c.P)
	opts.WeekStart = m.d.Config.Calendar.WeekStart
	if l := m.d.Config.Calendar.Lunar; l != nil {
		opts.Lunar = *l
	}
	v := calview.New(m.c, opts, m.now, m.loc)
	m.cal = &v
	m.cal.SetSize(m.width, max(m.height-2, 1))
	def, name := m.calendarDefaults()
	m.cal.SetDefaults(def, name)
	if m.d.Store == nil {
		return nil
	}
	return tea.Batch(m.cal.Load(m.ctx, m.d.Store, m.accountIDs), calview.AddressesCmd(m.ctx, m.d.Store), m.flushQueuedCmd())
}

// onCalendar routes keys and results to the open calendar view.
func (m *Model) onCalendar(msg tea.Msg) tea.Cmd {
	if _, ok := msg.(calview.ClosedMsg); ok {
		m.cal = nil
		return nil
	}
	if m.cal == nil {
		return nil
	}
	v, cmd := m.cal.Update(msg)
	m.cal = &v
	if cmd != nil {
		c := cmd() // the view's Cmds only build messages; settle them at once
		if _, closed := c.(calview.ClosedMsg); closed {
			m.cal = nil
			return nil
		}
		cmd = func() tea.Msg { return c }
	}
	return tea.Batch(cmd, m.cal.Load(m.ctx, m.d.Store, m.accountIDs))
}
