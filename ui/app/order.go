package app

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/components/picker"
	"github.com/magpie-mail/magpie/ui/components/sidebar"
)

// actSort is the purpose of the sort picker.
const actSort = "sort"

// listOrder is how the list is sorted: by date, sender or subject, either
// way. The zero listOrder is oldest first; the list starts newest first.
type listOrder struct {
	by   store.SortField
	desc bool
}

// newestFirst is the list's order when Magpie starts.
func newestFirst() listOrder { return listOrder{by: store.SortDate, desc: true} }

// key names an order in the catalogue ("tui.sort.date_desc", …).
func (o listOrder) key() string {
	name := map[store.SortField]string{store.SortDate: "date", store.SortSender: "sender", store.SortSubject: "subject"}[o.by]
	if o.desc {
		return "tui.sort." + name + "_desc"
	}
	return "tui.sort." + name + "_asc"
}

// askSort opens the picker of the six orders, the current one selected.
func (m *Model) askSort() tea.Cmd {
	var items []picker.Item
	cur := 0
	for _, by := range []store.SortField{store.SortDate, store.SortSender, store.SortSubject} {
		for _, desc := range []bool{by == store.SortDate, by != store.SortDate} {
			o := listOrder{by: by, desc: desc}
			if o == m.order {
				cur = len(items)
			}
			items = append(items, picker.Item{Label: m.c.P.T(o.key()), Value: o})
		}
	}
	m.picker = picker.New(m.c, actSort, m.c.P.T("tui.picker.sort"), items)
	m.picker.Select(cur)
	m.modal = modalPicker
	m.layout()
	return nil
}

// setOrder sorts the list anew, from the store's first page.
func (m *Model) setOrder(o listOrder) tea.Cmd {
	m.order = o
	return m.reloadList()
}

// toggleThreads switches the thread view: the threads of the whole folder
// from the store (a search groups the rows it found).
func (m *Model) toggleThreads() tea.Cmd {
	m.threads = !m.threads
	m.list.SetThreaded(m.threads)
	if !m.hasEntry || m.entry.Kind == sidebar.KindSearch {
		return nil
	}
	return m.reloadList()
}

// orderTitle is the title line's word for a non-default order ("" for
// newest first).
func (m *Model) orderTitle() string {
	if m.order == newestFirst() {
		return ""
	}
	if m.threads && m.order.by != store.SortDate {
		return "" // threads run by date: the order does not apply
	}
	return m.c.P.T(m.order.key())
}

// ThreadLoadedMsg carries the messages of a thread the list asked to
// expand, already narrowed to the folders the list shows.
type ThreadLoadedMsg struct {
	Gen    uint64 // the list generation it was asked for
	Thread store.ThreadID
	Rows   []store.Message
	Err    error
}

// expandThread reads a thread (store.Thread) for the list.
func (m *Model) expandThread(t store.ThreadID) tea.Cmd {
	if m.d.Store == nil {
		return nil
	}
	return threadCmd(m.ctx, m.d.Store, m.listGen, t, m.resolve(m.entry))
}

func threadCmd(ctx context.Context, st *store.Store, gen uint64, t store.ThreadID, src source) tea.Cmd {
	in := map[store.FolderID]bool{}
	for _, f := range src.folders {
		in[f] = true
	}
	return func() tea.Msg {
		rows, err := st.Thread(ctx, t)
		out := ThreadLoadedMsg{Gen: gen, Thread: t, Err: err}
		for _, r := range rows {
			if len(in) == 0 || in[r.Folder] {
				out.Rows = append(out.Rows, r)
			}
		}
		return out
	}
}

func (m *Model) onThread(msg ThreadLoadedMsg) {
	if msg.Gen != m.listGen {
		return
	}
	if msg.Err != nil {
		m.status.SetError(m.c.P.T("tui.err.store", common.Clean(msg.Err.Error())))
		return
	}
	m.list.SetChildren(msg.Thread, msg.Rows)
}
