package app

import (
	"context"
	"errors"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/components/confirm"
	"github.com/magpie-mail/magpie/ui/components/dirpicker"
	"github.com/magpie-mail/magpie/ui/components/picker"
	"github.com/magpie-mail/magpie/ui/components/prompt"
	"github.com/magpie-mail/magpie/ui/components/sidebar"
)

// Purposes of dialogs: what a picker, prompt or confirm was opened for.
const (
	actMove      = "move"
	actCopy      = "copy"
	actJump      = "jump"
	actSearch    = "search"
	actExpunge   = "expunge"
	actSave      = "save"
	actOverwrite = "overwrite"
)

// pendingAction remembers what a dialog was opened for, with copies of the
// values the action needs.
type pendingAction struct {
	msg  store.Message
	path string // overwrite: the file
	att  attachmentRef
}

// OpAppliedMsg reports an operation recorded in the offline queue (and
// applied to the local rows), or why it could not be.
type OpAppliedMsg struct {
	Account string
	Folder  store.FolderID
	Op      store.Op
	Err     error
}

// enqueueCmd records op in the store's offline queue; the engine of the
// account is kicked when it succeeds (onOpApplied).
func enqueueCmd(ctx context.Context, st *store.Store, acct string, op store.Op) tea.Cmd {
	op.UIDs = append([]store.UID(nil), op.UIDs...)
	return func() tea.Msg {
		if st == nil {
			return OpAppliedMsg{Account: acct, Folder: op.Folder, Op: op, Err: errors.New("app: no store")}
		}
		done, err := st.EnqueueOp(ctx, op)
		return OpAppliedMsg{Account: acct, Folder: op.Folder, Op: done, Err: err}
	}
}

func (m *Model) enqueue(msg store.Message, op store.Op) tea.Cmd {
	name := ""
	if i, ok := m.accountOf(msg.Account); ok {
		name = m.accounts[i].Name
	}
	op.Folder, op.UIDs = msg.Folder, []store.UID{msg.UID}
	return enqueueCmd(m.ctx, m.d.Store, name, op)
}

// setFlag sets or clears a flag: shown at once, queued for the server.
func (m *Model) setFlag(msg store.Message, f store.Flags, on bool) tea.Cmd {
	kind := store.OpFlagsAdd
	upd := msg
	if on {
		upd.Flags |= f
	} else {
		upd.Flags &^= f
		kind = store.OpFlagsRemove
	}
	m.list.Replace(upd)
	if m.reader.Message().ID == msg.ID {
		m.reader.SetFlags(upd.Flags)
	}
	return m.enqueue(msg, store.Op{Kind: kind, Flags: f})
}

// moveTo moves (or copies) a message to another folder of its account.
func (m *Model) moveTo(msg store.Message, target store.FolderID, copyOnly bool) tea.Cmd {
	if copyOnly {
		return m.enqueue(msg, store.Op{Kind: store.OpCopy, Target: target})
	}
	return tea.Batch(m.removeShown(msg), m.enqueue(msg, store.Op{Kind: store.OpMove, Target: target}))
}

// removeShown drops a message from the list and, when the reader shows it,
// opens the message that took its place.
func (m *Model) removeShown(msg store.Message) tea.Cmd {
	m.list.Remove(msg.ID)
	if m.focus != paneReader || m.reader.Message().ID != msg.ID {
		return m.list.Move(0)
	}
	if next, ok := m.list.Selected(); ok {
		return tea.Batch(m.list.Move(0), m.openMessage(next))
	}
	m.setFocus(paneList)
	return nil
}

// delete moves a message to Trash; in Trash (or without one), or when
// forever is asked, it deletes permanently after a confirmation.
func (m *Model) delete(msg store.Message, forever bool) tea.Cmd {
	trash, ok := m.roleFolder(msg.Account, "trash")
	if !forever && ok && trash.ID != msg.Folder {
		m.status.SetNotice(m.c.P.T("tui.done.trashed"))
		return m.moveTo(msg, trash.ID, false)
	}
	m.pending = pendingAction{msg: msg}
	q := m.c.P.T("tui.confirm.expunge", common.Clean(msg.Subject))
	return m.ask(actExpunge, q)
}

// archive moves a message to the account's Archive folder.
func (m *Model) archive(msg store.Message) tea.Cmd {
	arch, ok := m.roleFolder(msg.Account, "archive")
	if !ok {
		m.status.SetError(m.c.P.T("tui.err.no_archive"))
		return nil
	}
	if arch.ID == msg.Folder {
		return nil
	}
	m.status.SetNotice(m.c.P.T("tui.done.archived"))
	return m.moveTo(msg, arch.ID, false)
}

func (m *Model) ask(purpose, question string) tea.Cmd {
	m.confirm = confirm.New(m.c, purpose, question)
	m.modal = modalConfirm
	m.layout()
	return nil
}

// askFolder opens the picker of the message's account's other folders.
func (m *Model) askFolder(msg store.Message, purpose string) tea.Cmd {
	i, ok := m.accountOf(msg.Account)
	if !ok {
		return nil
	}
	var items []picker.Item
	for _, f := range m.accounts[i].Folders {
		if f.ID != msg.Folder {
			items = append(items, picker.Item{Label: folderPath(m, f), Value: f.ID})
		}
	}
	title := m.c.P.T("tui.picker.move")
	if purpose == actCopy {
		title = m.c.P.T("tui.picker.copy")
	}
	m.pending = pendingAction{msg: msg}
	m.picker = picker.New(m.c, purpose, title, items)
	m.modal = modalPicker
	m.layout()
	return nil
}

// folderPath is a folder's full decoded name, its role localised.
func folderPath(m *Model, f store.Folder) string {
	if f.Role != "" {
		return sidebar.FolderName(m.c, f)
	}
	return common.Clean(f.Name)
}

// askJump opens the picker of every folder of every account.
func (m *Model) askJump() tea.Cmd {
	items := []picker.Item{{Label: m.c.P.T("tui.sidebar.unified"), Value: sidebar.Entry{Kind: sidebar.KindUnified}}}
	for _, e := range m.sidebar.Entries() {
		if e.Kind == sidebar.KindFolder {
			items = append(items, picker.Item{Label: common.Clean(e.Account) + " / " + folderPath(m, e.Folder), Value: e})
		}
	}
	m.picker = picker.New(m.c, actJump, m.c.P.T("tui.picker.jump"), items)
	m.modal = modalPicker
	m.layout()
	return nil
}

// askSearch opens the search prompt with the last query.
func (m *Model) askSearch() tea.Cmd {
	m.prompt = prompt.New(m.c, actSearch, m.c.P.T("tui.search.title"), m.c.P.T("tui.search.hint"), m.searchText)
	m.modal = modalPrompt
	m.layout()
	return nil
}

// runSearch parses a query and shows its results as the search folder.
func (m *Model) runSearch(text string) tea.Cmd {
	q, err := store.ParseQuery(text)
	if err != nil {
		var qe *store.QueryError
		if errors.As(err, &qe) {
			m.status.SetError(m.c.P.T("tui.err.query", qe.Pos+1, common.Clean(qe.Msg)))
		} else {
			m.status.SetError(m.c.P.T("tui.err.query", 0, common.Clean(err.Error())))
		}
		return nil
	}
	if text == "" {
		m.search, m.searchText = nil, ""
		m.sidebar.SetAccounts(m.accounts, "")
		return m.openEntry(sidebar.Entry{Kind: sidebar.KindUnified})
	}
	m.search, m.searchText = &q, text
	m.sidebar.SetAccounts(m.accounts, text)
	return m.openEntry(sidebar.Entry{Kind: sidebar.KindSearch, Query: text})
}

// onDialog carries out what a dialog was opened for.
func (m *Model) onDialog(msg tea.Msg) tea.Cmd {
	p := m.pending
	switch msg := msg.(type) {
	case picker.PickedMsg:
		switch msg.Purpose {
		case actMove, actCopy:
			if id, ok := msg.Item.Value.(store.FolderID); ok {
				m.status.SetNotice(m.c.P.T("tui.done."+msg.Purpose, msg.Item.Label))
				return m.moveTo(p.msg, id, msg.Purpose == actCopy)
			}
		case actJump:
			if e, ok := msg.Item.Value.(sidebar.Entry); ok {
				return m.openEntry(e)
			}
		case actSort:
			if o, ok := msg.Item.Value.(listOrder); ok {
				return m.setOrder(o)
			}
		}
	case prompt.SubmittedMsg:
		switch msg.Purpose {
		case actSearch:
			return m.runSearch(msg.Value)
		case actSave:
			return checkSaveCmd(msg.Value, p.att)
		}
	case dirpicker.SubmittedMsg:
		if msg.Purpose == actSave {
			return checkSaveCmd(msg.Dir, p.att)
		}
	case confirm.AnsweredMsg:
		if !msg.Yes {
			return nil
		}
		switch msg.Purpose {
		case actExpunge:
			m.status.SetNotice(m.c.P.T("tui.done.expunged"))
			return tea.Batch(m.removeShown(p.msg), m.enqueue(p.msg, store.Op{Kind: store.OpExpunge}))
		case actOverwrite:
			return saveCmd(m.ctx, m.d.Store, p.att, p.path, true)
		}
	}
	return nil
}

// onOpApplied kicks the account's engine and rereads the counts; a failure
// is shown and the list reread so it shows the store's truth.
func (m *Model) onOpApplied(msg OpAppliedMsg) tea.Cmd {
	if msg.Err != nil {
		m.status.SetError(m.c.P.T("tui.err.op", common.Clean(msg.Err.Error())))
		return tea.Batch(m.reloadFolders(), m.reloadList())
	}
	if e := m.d.Engines[msg.Account]; e != nil {
		e.Kick()
	}
	return m.reloadFolders()
}
