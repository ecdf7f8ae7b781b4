package app

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// The start: the first frame is drawn from what the store holds before
// anything touches the network or writes. Run reads the folders and the
// first page before the program starts (preload), so that the first frame
// already shows a full page; what can wait (the unread counts and the
// outbox's flush here, the sync engines and draft uploads of the caller
// through Deps.Started) starts once that frame is on the terminal
// (startedMsg).

// startedMsg says the first frame is drawn: background work may start.
type startedMsg struct{}

// startedDelay is how long after the first View with its content Update
// lets background work start: six of bubbletea's frame periods (50 ms), so
// that the frame has been flushed (bubbletea draws on its own goroutine,
// not in Update, and says nothing when it has). Two periods were too few on
// a loaded machine, where that goroutine can wait its turn; starting the
// engines 50 ms after the first page costs the user nothing.
const startedDelay = 6 * time.Second / maxFPS

// startedFallback starts background work even when no first page ever
// comes (a store that fails to read): it must not wait forever.
const startedFallback = time.Second

// preload reads the folders and the first page of the list in place of
// the Cmds Init would send: two indexed reads of the local store, bounded
// by firstPageSize rows however big the folder. Results go through Update
// as the Cmds' would; what they ask next (the unread counts, which read
// every row of a big folder) waits until the first frame is drawn.
func (m *Model) preload() {
	if m.d.Store == nil || m.needsSetup() || m.d.StartMigration {
		return
	}
	folders := m.reloadFolders()
	msg, ok := folders().(FoldersLoadedMsg)
	if !ok { // not the start's lone folder read: let Init send it
		return
	}
	m.preloaded = true
	_, page := m.Update(msg)
	if page == nil {
		return
	}
	pm, ok := page().(PageLoadedMsg)
	if !ok { // not the page read: Init sends it
		m.preloadRest = page
		return
	}
	_, m.afterPreload = m.Update(pm)
}

// armStarted returns the Cmd that says the first frame is drawn, once:
// after the first Update that leaves a sized screen with its content (the
// first page read, or a screen that lists nothing).
func (m *Model) armStarted() tea.Cmd {
	if m.startArmed || m.width == 0 {
		return nil
	}
	if !m.needsSetup() && m.d.Store != nil && !m.firstPage {
		return nil
	}
	m.startArmed = true
	return tickCmd(m.ctx, startedDelay, func(time.Time) tea.Msg { return startedMsg{} })
}

// onStarted starts what waited for the first frame, once.
func (m *Model) onStarted() tea.Cmd {
	if m.started {
		return nil
	}
	m.started = true
	m.d.Phases.Mark("app: background started")
	if m.d.Started != nil {
		m.d.Started()
	}
	counts := m.afterPreload
	m.afterPreload = nil
	if m.needsSetup() {
		return counts
	}
	return tea.Batch(counts, m.startOutbox())
}
