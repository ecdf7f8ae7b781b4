// Package sidebar is the left pane: the unified Inbox across accounts, each
// account with its folders as a tree with unread counts, and the virtual
// folder of the last search.
package sidebar

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
)

// Kind is what a sidebar entry stands for.
type Kind int

const (
	KindUnified Kind = iota // the Inbox of every account, merged
	KindAccount             // an account heading (selecting it opens its Inbox)
	KindFolder              // one folder
	KindSearch              // the results of the last search
)

// Entry is one line of the sidebar.
type Entry struct {
	Kind    Kind
	Account string       // account name (KindAccount, KindFolder)
	Folder  store.Folder // KindFolder
	Depth   int          // tree depth of a folder
	Unread  int          // unread messages (folders; the sum for KindUnified)
	Query   string       // KindSearch
}

// Key identifies an entry across reloads.
func (e Entry) Key() string {
	switch e.Kind {
	case KindAccount:
		return "a:" + e.Account
	case KindFolder:
		return fmt.Sprintf("f:%d", e.Folder.ID)
	case KindSearch:
		return "s:"
	}
	return "u:"
}

// Account is one account's folders as the store has them.
type Account struct {
	Name    string
	Folders []store.Folder // ordered by raw name, parents before children
	Unread  map[store.FolderID]int
}

// SelectedMsg says the user chose an entry (Enter or a click).
type SelectedMsg struct{ Entry Entry }

// Model is the sidebar.
type Model struct {
	c       *common.Common
	entries []Entry
	cursor  int
	offset  int
	active  string // Key of the entry the list shows
	width   int
	height  int
	focused bool
}

var _ common.Component[Model] = (*Model)(nil)

// New returns an empty sidebar.
func New(c *common.Common) Model { return Model{c: c} }

// Init does nothing.
func (m Model) Init() tea.Cmd { return nil }

// SetSize sets the size in cells.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.scroll()
}

// Focus and Blur mark whether keys go to the sidebar.
func (m *Model) Focus() { m.focused = true }
func (m *Model) Blur()  { m.focused = false }

// SetAccounts rebuilds the entries; the cursor stays on the same entry when
// it still exists. query is the last search ("" for none).
func (m *Model) SetAccounts(accts []Account, query string) {
	cur := ""
	if m.cursor < len(m.entries) {
		cur = m.entries[m.cursor].Key()
	}
	var es []Entry
	total := 0
	for _, a := range accts {
		for _, f := range a.Folders {
			if f.Role == "inbox" {
				total += a.Unread[f.ID]
			}
		}
	}
	es = append(es, Entry{Kind: KindUnified, Unread: total})
	if query != "" {
		es = append(es, Entry{Kind: KindSearch, Query: query})
	}
	for _, a := range accts {
		es = append(es, Entry{Kind: KindAccount, Account: a.Name})
		es = append(es, tree(a)...)
	}
	m.entries = es
	m.cursor = 0
	for i, e := range es {
		if e.Key() == cur {
			m.cursor = i
		}
	}
	m.scroll()
}

// tree orders an account's folders depth-first, the Inbox first, children
// under their parents.
func tree(a Account) []Entry {
	children := map[store.FolderID][]store.Folder{}
	known := map[store.FolderID]bool{}
	for _, f := range a.Folders {
		known[f.ID] = true
	}
	var roots []store.Folder
	for _, f := range a.Folders {
		if f.Parent != 0 && known[f.Parent] {
			children[f.Parent] = append(children[f.Parent], f)
		} else {
			roots = append(roots, f)
		}
	}
	// Inbox first, then the rest in store order (by raw name).
	for i, f := range roots {
		if f.Role == "inbox" && i > 0 {
			copy(roots[1:i+1], roots[:i])
			roots[0] = f
			break
		}
	}
	var out []Entry
	var walk func(fs []store.Folder, depth int)
	walk = func(fs []store.Folder, depth int) {
		for _, f := range fs {
			out = append(out, Entry{Kind: KindFolder, Account: a.Name, Folder: f, Depth: depth, Unread: a.Unread[f.ID]})
			if depth < 16 {
				walk(children[f.ID], depth+1)
			}
		}
	}
	walk(roots, 0)
	return out
}

// Entries returns the entries in display order.
func (m Model) Entries() []Entry { return m.entries }

// Selected returns the entry under the cursor.
func (m Model) Selected() (Entry, bool) {
	if m.cursor < len(m.entries) {
		return m.entries[m.cursor], true
	}
	return Entry{}, false
}

// SetActive marks the entry the list shows and moves the cursor to it.
func (m *Model) SetActive(e Entry) {
	m.active = e.Key()
	for i, x := range m.entries {
		if x.Key() == m.active {
			m.cursor = i
		}
	}
	m.scroll()
}

// Update moves the cursor and reports a choice with SelectedMsg.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k := m.c.Keys
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Up):
			m.move(-1)
		case key.Matches(msg, k.Down):
			m.move(1)
		case key.Matches(msg, k.PageUp):
			m.move(-max(m.height-1, 1))
		case key.Matches(msg, k.PageDown):
			m.move(max(m.height-1, 1))
		case key.Matches(msg, k.Top):
			m.move(-len(m.entries))
		case key.Matches(msg, k.Bottom):
			m.move(len(m.entries))
		case key.Matches(msg, k.Open):
			return m, m.choose()
		}
	case tea.MouseWheelMsg:
		if msg.Button == tea.MouseWheelUp {
			m.move(-3)
		} else if msg.Button == tea.MouseWheelDown {
			m.move(3)
		}
	}
	return m, nil
}

// Click selects the entry on row y (relative to the sidebar's top) and
// chooses it.
func (m *Model) Click(y int) tea.Cmd {
	i := m.offset + y
	if y < 0 || i >= len(m.entries) {
		return nil
	}
	m.cursor = i
	return m.choose()
}

func (m *Model) choose() tea.Cmd {
	e, ok := m.Selected()
	if !ok {
		return nil
	}
	return func() tea.Msg { return SelectedMsg{Entry: e} }
}

func (m *Model) move(d int) {
	m.cursor = max(0, min(m.cursor+d, len(m.entries)-1))
	m.scroll()
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
	m.offset = max(0, min(m.offset, len(m.entries)-m.height))
}

// Label is how an entry is named on screen (sanitised, localised roles).
func (m Model) Label(e Entry) string {
	p := m.c.P
	switch e.Kind {
	case KindUnified:
		return p.T("tui.sidebar.unified")
	case KindAccount:
		return common.Clean(e.Account)
	case KindSearch:
		return p.T("tui.sidebar.search", common.Clean(e.Query))
	}
	return FolderName(m.c, e.Folder)
}

// FolderName is a folder's short display name: the localised name of its
// role, else the last component of its decoded name, sanitised.
func FolderName(c *common.Common, f store.Folder) string {
	switch f.Role {
	case "inbox", "sent", "drafts", "trash", "junk", "archive", "all", "flagged":
		return c.P.T("tui.role." + string(f.Role))
	}
	name := f.Name
	if f.Delim != "" {
		if i := strings.LastIndex(name, f.Delim); i >= 0 && i+len(f.Delim) < len(name) {
			name = name[i+len(f.Delim):]
		}
	}
	return common.Clean(name)
}

// View draws the sidebar, exactly width × height cells.
func (m Model) View() string {
	st := m.c.Styles
	lines := make([]string, 0, m.height)
	for i := m.offset; i < len(m.entries) && len(lines) < m.height; i++ {
		e := m.entries[i]
		indent := ""
		switch e.Kind {
		case KindFolder:
			indent = strings.Repeat(" ", 2+2*min(e.Depth, 4))
		case KindUnified, KindSearch:
			indent = " "
		}
		count := ""
		if e.Unread > 0 {
			count = fmt.Sprint(e.Unread)
		}
		nameW := max(m.width-len(indent)-len(count)-2, 1)
		line := indent + common.Fit(m.Label(e), nameW) + " " + count + " "
		line = common.Fit(line, m.width)
		style := st.Folder
		switch {
		case i == m.cursor && m.focused:
			style = st.FolderSelected
		case e.Key() == m.active:
			style = st.FolderActive
		case e.Kind == KindAccount:
			style = st.Account
		case e.Unread > 0:
			style = st.Unread
		}
		lines = append(lines, style.Render(line))
	}
	return common.Block(lines, m.width, m.height)
}

// ShortHelp lists the sidebar's main keys.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	return []key.Binding{k.Up, k.Down, k.Open}
}

// FullHelp lists the sidebar's keys.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }
