package msglist

import (
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/store"
)

// ExpandRequestedMsg asks the owner for the messages of a thread (oldest
// first); it answers with SetChildren, or drops the answer when the list
// has moved on.
type ExpandRequestedMsg struct{ Thread store.ThreadID }

// item is one line of the list: a row, or (child ≥ 0) a message of the
// expanded thread of that row.
type item struct {
	row   int
	child int
}

func (m Model) at(it item) store.Message {
	if it.child >= 0 {
		return m.children[m.rows[it.row].Thread][it.child]
	}
	return m.rows[it.row]
}

// SetThreads replaces the rows with a first page of threads from the store:
// each head is a thread's newest message, with the thread's size.
func (m *Model) SetThreads(heads []store.ThreadHead, more bool) {
	sel, had := m.Selected()
	m.rows, m.more, m.loading, m.loaded, m.heads = m.rows[:0], more, false, true, true
	clear(m.count)
	clear(m.children)
	m.addHeads(heads)
	m.rebuild()
	m.cursor = 0
	if had {
		m.selectThreadOf(sel)
	}
	m.scroll()
}

// AppendThreads adds the next page of threads.
func (m *Model) AppendThreads(heads []store.ThreadHead, more bool) {
	m.more, m.loading = more, false
	m.addHeads(heads)
	m.rebuild()
}

func (m *Model) addHeads(heads []store.ThreadHead) {
	for _, h := range heads {
		m.rows = append(m.rows, h.Message)
		m.count[h.Thread] = h.Count
	}
}

// rebuild lays out the view: every row; in the thread view of rows paged
// in (not from the store), only the first row of each thread; and under an
// expanded thread's row, its messages.
func (m *Model) rebuild() {
	m.view = m.view[:0]
	if !m.heads {
		clear(m.count)
	}
	for i, r := range m.rows {
		if m.threaded && !m.heads && r.Thread != 0 {
			m.count[r.Thread]++
			if m.count[r.Thread] > 1 {
				continue
			}
		}
		m.view = append(m.view, item{row: i, child: -1})
		if m.threaded {
			for c := range m.children[r.Thread] {
				m.view = append(m.view, item{row: i, child: c})
			}
		}
	}
	m.cursor = max(0, min(m.cursor, len(m.view)-1))
}

// isHead reports that view line vi is a thread of several messages.
func (m Model) isHead(vi int) bool {
	if !m.threaded || vi >= len(m.view) || m.view[vi].child >= 0 {
		return false
	}
	return m.count[m.rows[m.view[vi].row].Thread] > 1
}

// Expanded reports whether a thread shows its messages.
func (m Model) Expanded(t store.ThreadID) bool {
	_, ok := m.children[t]
	return ok
}

// toggleThread collapses the thread under the cursor, or asks for its
// messages to expand it.
func (m *Model) toggleThread() tea.Cmd {
	if !m.threaded || m.cursor >= len(m.view) {
		return nil
	}
	it := m.view[m.cursor]
	t := m.rows[it.row].Thread
	if m.Expanded(t) {
		m.Collapse(t)
		return nil
	}
	if !m.isHead(m.cursor) {
		return nil
	}
	return func() tea.Msg { return ExpandRequestedMsg{Thread: t} }
}

// SetChildren expands thread t with its messages (oldest first). It does
// nothing when the thread is no longer listed.
func (m *Model) SetChildren(t store.ThreadID, msgs []store.Message) {
	if !m.threaded {
		return
	}
	for _, it := range m.view {
		if it.child < 0 && m.rows[it.row].Thread == t {
			sel, _ := m.Selected()
			m.children[t] = msgs
			m.rebuild()
			m.selectID(sel.ID)
			m.scroll()
			return
		}
	}
}

// Collapse hides an expanded thread's messages; the cursor goes to the
// thread's row when it was on one of them.
func (m *Model) Collapse(t store.ThreadID) {
	if !m.Expanded(t) {
		return
	}
	onIt := m.cursor < len(m.view) && m.rows[m.view[m.cursor].row].Thread == t
	sel, _ := m.Selected()
	delete(m.children, t)
	m.rebuild()
	if onIt {
		for vi, it := range m.view {
			if it.child < 0 && m.rows[it.row].Thread == t {
				m.cursor = vi
				break
			}
		}
	} else {
		m.selectID(sel.ID)
	}
	m.scroll()
}

// CollapseSelected collapses the thread whose message is under the cursor
// (Back on a thread's message); it reports whether there was one.
func (m *Model) CollapseSelected() bool {
	if m.cursor >= len(m.view) || m.view[m.cursor].child < 0 {
		return false
	}
	m.Collapse(m.rows[m.view[m.cursor].row].Thread)
	return true
}
