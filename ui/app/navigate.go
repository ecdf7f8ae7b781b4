package app

import (
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/components/sidebar"
)

// onFolders takes fresh folders and counts; the first time it opens the
// unified Inbox.
func (m *Model) onFolders(msg FoldersLoadedMsg) tea.Cmd {
	if msg.Req != m.foldersReq {
		return nil // a newer read is on its way
	}
	if msg.Err != nil {
		m.status.SetError(m.c.P.T("tui.err.store", common.Clean(msg.Err.Error())))
		return nil
	}
	m.accounts, m.accountIDs = msg.Accounts, msg.IDs
	// The counts of this read when they came first, else the last ones
	// until they come.
	for i := range m.accounts {
		m.accounts[i].Unread = m.unread[m.accounts[i].Name]
	}
	m.sidebar.SetAccounts(m.accounts, m.searchText)
	if !m.hasEntry {
		return m.openEntry(sidebar.Entry{Kind: sidebar.KindUnified})
	}
	m.sidebar.SetActive(m.entry)
	return nil
}

// onUnread shows the unread counts read with the folders.
func (m *Model) onUnread(msg UnreadLoadedMsg) {
	if msg.Req != m.foldersReq {
		return // a newer read is on its way
	}
	if msg.Err != nil {
		m.status.SetError(m.c.P.T("tui.err.store", common.Clean(msg.Err.Error())))
		return
	}
	m.unread = msg.Unread
	for i := range m.accounts {
		m.accounts[i].Unread = m.unread[m.accounts[i].Name]
	}
	m.sidebar.SetAccounts(m.accounts, m.searchText)
	if m.hasEntry {
		m.sidebar.SetActive(m.entry)
	}
}

// resolve turns a sidebar entry into the folders (or search) to list.
func (m *Model) resolve(e sidebar.Entry) source {
	switch e.Kind {
	case sidebar.KindFolder:
		return source{folders: []store.FolderID{e.Folder.ID}, order: m.order, threads: m.threads}
	case sidebar.KindSearch:
		return source{search: m.search, order: m.order}
	}
	src := source{order: m.order, threads: m.threads}
	for _, a := range m.accounts {
		if e.Kind == sidebar.KindAccount && a.Name != e.Account {
			continue
		}
		for _, f := range a.Folders {
			if f.Role == "inbox" {
				src.folders = append(src.folders, f.ID)
			}
		}
	}
	return src
}

// openEntry shows a sidebar entry in the list, reading its first page.
func (m *Model) openEntry(e sidebar.Entry) tea.Cmd {
	if e.Kind == sidebar.KindSearch && m.search == nil {
		return nil
	}
	m.entry, m.hasEntry = e, true
	m.sidebar.SetActive(e)
	showTo := e.Kind == sidebar.KindFolder && (e.Folder.Role == "sent" || e.Folder.Role == "drafts")
	multi := e.Kind == sidebar.KindUnified || e.Kind == sidebar.KindSearch
	m.list.Reset(multi && len(m.accounts) > 1, showTo, m.accountNames())
	m.setFocus(paneList)
	return m.reloadList()
}

// reloadList reads the first page of the list's source again; rows paged
// in before are replaced and pages still on their way are dropped.
func (m *Model) reloadList() tea.Cmd {
	if m.d.Store == nil || !m.hasEntry {
		return nil
	}
	m.listGen = m.next()
	return loadPageCmd(m.ctx, m.d.Store, m.listGen, m.resolve(m.entry), nil)
}

// loadMore reads the page after the last one (the store's cursor kept by
// onPage).
func (m *Model) loadMore() tea.Cmd {
	if m.d.Store == nil || !m.hasEntry {
		return nil
	}
	after := m.listNext
	return loadPageCmd(m.ctx, m.d.Store, m.listGen, m.resolve(m.entry), &after)
}

func (m *Model) onPage(msg PageLoadedMsg) tea.Cmd {
	if msg.Gen != m.listGen {
		return nil // for a source or reload that is no longer shown
	}
	m.firstPage = true
	var counts tea.Cmd
	if m.countsAfterPage { // the first page is in: the sidebar's counts now
		m.countsAfterPage = false
		counts = m.loadUnread()
	}
	if msg.Err != nil {
		m.status.SetError(m.c.P.T("tui.err.store", common.Clean(msg.Err.Error())))
		m.list.AppendRows(nil, false)
		return counts
	}
	m.listNext = pageCursor{msg: msg.Next, thread: msg.NextThread}
	switch {
	case msg.Heads != nil && msg.Append:
		m.list.AppendThreads(msg.Heads, msg.More)
	case msg.Heads != nil:
		m.list.SetThreads(msg.Heads, msg.More)
	case msg.Append:
		m.list.AppendRows(msg.Rows, msg.More)
	default:
		m.list.SetRows(msg.Rows, msg.More)
	}
	return counts
}

// openMessage shows a message in the reader, reads its body, and marks it
// read through the offline queue.
func (m *Model) openMessage(msg store.Message) tea.Cmd {
	m.reader.Open(msg)
	m.setFocus(paneReader)
	m.bodyReq = m.next()
	cmds := []tea.Cmd{loadBodyCmd(m.ctx, m.d.Store, m.bodyReq, msg.ID)}
	if !msg.Flags.Has(store.FlagSeen) {
		cmds = append(cmds, m.setFlag(msg, store.FlagSeen, true))
	}
	return tea.Batch(cmds...)
}

func (m *Model) onBody(msg BodyLoadedMsg) {
	if msg.Req != m.bodyReq || msg.Message != m.reader.Message().ID {
		return
	}
	switch {
	case msg.NoBody:
		m.reader.SetNoBody()
	case msg.Err != nil:
		m.reader.SetFailed(m.c.P.T("tui.err.body", common.Clean(msg.Err.Error())))
	default:
		m.reader.SetParsed(msg.Parsed)
	}
}

// refresh asks every engine to sync now and rereads folders and the list.
func (m *Model) refresh() tea.Cmd {
	for _, e := range m.d.Engines {
		e.Kick()
	}
	if len(m.d.Engines) == 0 {
		m.status.SetNotice(m.c.P.T("tui.status.refresh_offline"))
	} else {
		m.status.SetNotice(m.c.P.T("tui.status.refreshing"))
	}
	return tea.Batch(m.reloadFolders(), m.reloadList())
}

// onEvent shows an engine event and rereads what it changed.
func (m *Model) onEvent(ev mailsync.Event) tea.Cmd {
	m.status, _ = m.status.Update(ev)
	switch ev := ev.(type) {
	case mailsync.NewMail:
		return tea.Batch(m.notifyCmd(ev), m.reloadFolders(), m.reloadIfShallow())
	case mailsync.FolderSynced:
		s := ev.Summary
		if s.New+s.Updated+s.Expunged == 0 && !s.Reset {
			return nil
		}
		return tea.Batch(m.reloadFolders(), m.reloadIfShallow())
	case mailsync.FoldersChanged, mailsync.OpFinished:
		return m.reloadFolders()
	case mailsync.Online:
		if ev.Online { // back online: what waits in the outbox leaves
			return m.flushOutbox(ev.Account)
		}
	case mailsync.Indexed:
		// Bodies become searchable only once indexed (after their
		// download): a search on screen is asked again so that it sees them.
		if ev.Count > 0 && m.hasEntry && m.entry.Kind == sidebar.KindSearch {
			return m.reloadIfShallow()
		}
	}
	return nil
}

// reloadIfShallow rereads the list's first page unless the user has paged
// deeper (then the rows stay as they are until the next open or refresh).
func (m *Model) reloadIfShallow() tea.Cmd {
	if len(m.list.Rows()) > pageSize || m.list.Loading() {
		return nil
	}
	return m.reloadList()
}

// notifyCmd sends the desktop notification off the UI goroutine.
func (m *Model) notifyCmd(ev mailsync.NewMail) tea.Cmd {
	notify := m.d.Notify
	if notify == nil || ev.Count <= 0 {
		return nil
	}
	title := m.c.P.T("tui.notify.title")
	body := m.c.P.T("tui.status.new_mail", ev.Count, common.Clean(ev.Account), common.Clean(ev.Folder))
	return func() tea.Msg {
		notify(title, body)
		return nil
	}
}

func (m *Model) accountNames() map[store.AccountID]string {
	out := make(map[store.AccountID]string, len(m.accountIDs))
	for i, id := range m.accountIDs {
		out[id] = m.accounts[i].Name
	}
	return out
}

// accountOf returns the index of the account a message belongs to.
func (m *Model) accountOf(id store.AccountID) (int, bool) {
	for i, a := range m.accountIDs {
		if a == id {
			return i, true
		}
	}
	return 0, false
}

// roleFolder returns the account's folder with a role (trash, archive…).
func (m *Model) roleFolder(acct store.AccountID, role store.Role) (store.Folder, bool) {
	if i, ok := m.accountOf(acct); ok {
		for _, f := range m.accounts[i].Folders {
			if f.Role == role {
				return f, true
			}
		}
	}
	return store.Folder{}, false
}
