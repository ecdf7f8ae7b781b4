package app

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/store"
)

// The background retry of calendar writes kept offline: while the app
// runs, a tick (the outbox's period) sends whatever is queued, so that a
// change made while the server was away reaches it once the server is
// back, not only at the next save or when the calendar view opens. An
// empty queue costs a store read and no request.

// calRetryTickMsg is the retry timer; stale generations are dropped.
type calRetryTickMsg struct{ gen uint64 }

// calRetriedMsg reports a background retry: how many writes were sent.
type calRetriedMsg struct{ sent int }

// armCalendarRetry starts the next retry tick (Run only: tests deliver
// calRetryTickMsg themselves).
func (m *Model) armCalendarRetry() tea.Cmd {
	if !m.calRetry || m.d.Store == nil || m.d.Calendars == nil {
		return nil
	}
	m.calRetryAt = m.next()
	gen := m.calRetryAt
	return tickCmd(m.ctx, m.outboxEvery(), func(time.Time) tea.Msg { return calRetryTickMsg{gen: gen} })
}

func (m *Model) onCalendarRetryTick(msg calRetryTickMsg) tea.Cmd {
	if msg.gen != m.calRetryAt || m.d.Store == nil || m.d.Calendars == nil {
		return nil
	}
	if m.calBusy { // the last retry still waits on a server: tick again later
		return m.armCalendarRetry()
	}
	m.calBusy = true
	w := m.calWriter()
	accts := append([]store.AccountID(nil), m.accountIDs...)
	return func() tea.Msg { return calRetriedMsg{sent: w.flushQueued(accts)} }
}

func (m *Model) onCalendarRetried(msg calRetriedMsg) tea.Cmd {
	m.calBusy = false
	cmds := []tea.Cmd{m.armCalendarRetry()}
	if msg.sent > 0 {
		cmds = append(cmds, m.onCalendarWritten(CalendarWrittenMsg{Done: "tui.cal.flushed"}))
	}
	return tea.Batch(cmds...)
}
