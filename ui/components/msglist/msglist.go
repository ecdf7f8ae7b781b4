// Package msglist is the message list: a virtual list over a folder (or the
// unified Inbox, or search results) that holds only the rows paged in so far
// and draws only the rows on screen. It asks its owner for the next page
// with MoreRequestedMsg when the cursor nears the end of what is loaded.
package msglist

import (
	"fmt"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
)

// OpenedMsg says the user opened the selected message (Enter or a click on
// the selected row).
type OpenedMsg struct{ Message store.Message }

// MoreRequestedMsg asks the owner for the rows after the last one (the
// owner keeps the store's cursor: only it knows the order). The owner
// answers with AppendRows (or AppendThreads) and drops answers it no longer
// wants.
type MoreRequestedMsg struct{}

// Model is the message list.
type Model struct {
	c     *common.Common
	rows  []store.Message // every row paged in, in the owner's order
	view  []item          // what is shown: rows, minus collapsed thread members, plus expanded threads
	count map[store.ThreadID]int
	// heads says rows are threads from the store (one row each, count
	// from the store); else the thread view groups the rows paged in.
	heads    bool
	children map[store.ThreadID][]store.Message // expanded threads, oldest first
	cursor   int                                // index into view
	offset   int                                // first view index on screen
	width    int
	height   int
	more     bool // the store may hold rows after the last one
	loading  bool // a page is on its way
	loaded   bool // the first page arrived
	threaded bool
	// ShowAccount adds an account column (unified Inbox, search).
	showAccount  bool
	accountNames map[store.AccountID]string
	// showTo shows recipients instead of senders (Sent, Drafts).
	showTo  bool
	focused bool
	now     func() time.Time
	loc     *time.Location
}

var _ common.Component[Model] = (*Model)(nil)

// New returns an empty list. now and loc decide how dates are written
// (today: time, this year: month-day, else the full date).
func New(c *common.Common, now func() time.Time, loc *time.Location) Model {
	return Model{c: c, now: now, loc: loc, count: map[store.ThreadID]int{}, children: map[store.ThreadID][]store.Message{}}
}

// Init does nothing.
func (m Model) Init() tea.Cmd { return nil }

// SetSize sets the size in cells.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.scroll()
}

// Focus and Blur mark whether keys go to the list.
func (m *Model) Focus() { m.focused = true }
func (m *Model) Blur()  { m.focused = false }

// Reset empties the list for a new source; it shows "loading" until SetRows.
func (m *Model) Reset(showAccount, showTo bool, accountNames map[store.AccountID]string) {
	m.rows, m.view, m.count, m.heads = nil, nil, map[store.ThreadID]int{}, false
	m.children = map[store.ThreadID][]store.Message{}
	m.cursor, m.offset, m.more, m.loading, m.loaded = 0, 0, false, true, false
	m.showAccount, m.showTo, m.accountNames = showAccount, showTo, accountNames
}

// SetRows replaces the rows with a fresh first page; the cursor stays on the
// same message when it is still there. more says whether the store may hold
// further rows.
func (m *Model) SetRows(rows []store.Message, more bool) {
	sel, had := m.Selected()
	m.rows, m.more, m.loading, m.loaded, m.heads = rows, more, false, true, false
	clear(m.children)
	m.rebuild()
	m.cursor = 0
	if had {
		m.selectID(sel.ID)
	}
	m.scroll()
}

// AppendRows adds the next page.
func (m *Model) AppendRows(rows []store.Message, more bool) {
	m.rows = append(m.rows, rows...)
	m.more, m.loading = more, false
	m.rebuild()
}

// Loading reports whether a page is on its way.
func (m Model) Loading() bool { return m.loading }

// Len is the number of rows shown.
func (m Model) Len() int { return len(m.view) }

// Rows returns the rows paged in (shared: do not modify).
func (m Model) Rows() []store.Message { return m.rows }

// Threaded reports the thread view.
func (m Model) Threaded() bool { return m.threaded }

// SetThreaded switches the thread view: one row per thread (its newest
// message) with the number of its messages paged in.
func (m *Model) SetThreaded(on bool) {
	sel, had := m.Selected()
	m.threaded = on
	m.rebuild()
	if had {
		m.selectThreadOf(sel)
	}
	m.scroll()
}

// Selected returns the message under the cursor.
func (m Model) Selected() (store.Message, bool) {
	if m.cursor < len(m.view) {
		return m.at(m.view[m.cursor]), true
	}
	return store.Message{}, false
}

func (m *Model) selectID(id store.MessageID) bool {
	for vi, it := range m.view {
		if m.at(it).ID == id {
			m.cursor = vi
			return true
		}
	}
	return false
}

func (m *Model) selectThreadOf(msg store.Message) {
	if m.selectID(msg.ID) || msg.Thread == 0 {
		return
	}
	for vi, it := range m.view {
		if m.at(it).Thread == msg.Thread {
			m.cursor = vi
			return
		}
	}
}

// Replace updates a row in place (new flags after an action).
func (m *Model) Replace(msg store.Message) {
	for i := range m.rows {
		if m.rows[i].ID == msg.ID {
			m.rows[i] = msg
		}
	}
	for _, kids := range m.children {
		for i := range kids {
			if kids[i].ID == msg.ID {
				kids[i] = msg
			}
		}
	}
}

// Remove drops rows (moved or deleted); the cursor stays on the row that
// took the place of the first removed one.
func (m *Model) Remove(ids ...store.MessageID) {
	gone := map[store.MessageID]bool{}
	for _, id := range ids {
		gone[id] = true
	}
	kept := m.rows[:0]
	for _, r := range m.rows {
		if !gone[r.ID] {
			kept = append(kept, r)
		}
	}
	m.rows = kept
	for t, kids := range m.children {
		m.children[t] = slices.DeleteFunc(kids, func(r store.Message) bool { return gone[r.ID] })
	}
	m.rebuild()
	m.scroll()
}

// Move moves the cursor by d rows and returns a Cmd asking for more rows
// when the cursor nears the end of what is loaded.
func (m *Model) Move(d int) tea.Cmd {
	m.cursor = max(0, min(m.cursor+d, len(m.view)-1))
	m.scroll()
	return m.maybeMore()
}

func (m *Model) maybeMore() tea.Cmd {
	if !m.more || m.loading || len(m.rows) == 0 || m.cursor+2*max(m.height, 10) < len(m.view) {
		return nil
	}
	m.loading = true
	return func() tea.Msg { return MoreRequestedMsg{} }
}

func (m *Model) scroll() {
	if m.height <= 0 {
		return
	}
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+m.height {
		m.offset = m.cursor - m.height + 1
	}
	m.offset = max(0, min(m.offset, len(m.view)-m.height))
}

// Update handles moving, opening and the wheel.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k := m.c.Keys
	page := max(m.height-1, 1)
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Up):
			return m, m.Move(-1)
		case key.Matches(msg, k.Down):
			return m, m.Move(1)
		case key.Matches(msg, k.PageUp):
			m.offset = max(0, m.offset-page)
			return m, m.Move(-page)
		case key.Matches(msg, k.PageDown):
			m.offset += page
			return m, m.Move(page)
		case key.Matches(msg, k.Top):
			return m, m.Move(-len(m.view))
		case key.Matches(msg, k.Bottom):
			return m, m.Move(len(m.view))
		case key.Matches(msg, k.Open):
			return m, m.open()
		case key.Matches(msg, k.ToggleThread):
			return m, m.toggleThread()
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			return m, m.Move(-3)
		case tea.MouseWheelDown:
			return m, m.Move(3)
		}
	}
	return m, nil
}

// Click selects the row at y (relative to the list's top); a click on the
// row already selected opens it (or, on a thread, opens or closes it).
func (m *Model) Click(y int) tea.Cmd {
	i := m.offset + y
	if y < 0 || i >= len(m.view) {
		return nil
	}
	if i == m.cursor {
		return m.open()
	}
	m.cursor = i
	return m.maybeMore()
}

// open opens the selected message, or expands or collapses the selected
// thread of several messages.
func (m *Model) open() tea.Cmd {
	sel, ok := m.Selected()
	if !ok {
		return nil
	}
	if m.isHead(m.cursor) {
		return m.toggleThread()
	}
	return func() tea.Msg { return OpenedMsg{Message: sel} }
}

// ShortHelp lists the list's main keys.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	return []key.Binding{k.Open, k.ToggleRead, k.Flag, k.Delete, k.Archive}
}

// FullHelp lists the list's keys.
func (m Model) FullHelp() [][]key.Binding {
	k := m.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, m.ShortHelp(), {k.Thread, k.ToggleThread, k.Sort, k.Move, k.Copy}}
}

// Position is "cursor/loaded" with a "+" when more rows exist, for the
// title line.
func (m Model) Position() string {
	if len(m.view) == 0 {
		return "0"
	}
	more := ""
	if m.more {
		more = "+"
	}
	return fmt.Sprintf("%d/%d%s", m.cursor+1, len(m.view), more)
}
