package app

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/confirm"
	"github.com/magpie-mail/magpie/ui/components/dirpicker"
	"github.com/magpie-mail/magpie/ui/components/helpview"
	"github.com/magpie-mail/magpie/ui/components/picker"
	"github.com/magpie-mail/magpie/ui/components/prompt"
	"github.com/magpie-mail/magpie/ui/components/reader"
)

// settle applies a dialog's answer at once. The dialogs (picker, prompt,
// confirm, help) answer through a Cmd that only builds their result message;
// were it left to the event loop, a key typed right after Enter or Esc
// (type-ahead) would reach the closing dialog instead of the app.
func (m *Model) settle(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	switch msg.(type) {
	case picker.PickedMsg, picker.CancelledMsg, prompt.SubmittedMsg, prompt.CancelledMsg,
		confirm.AnsweredMsg, helpview.ClosedMsg, dirpicker.SubmittedMsg, dirpicker.CancelledMsg:
		_, next := m.Update(msg)
		return next
	}
	return func() tea.Msg { return msg }
}

// onKey sends a key to the open dialog, else handles the global keys, the
// message actions, and finally hands it to the focused pane.
func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	km := m.c.Keys
	if k.String() == "ctrl+c" {
		return m.quit()
	}
	var cmd tea.Cmd
	switch m.modal {
	case modalHelp:
		m.help, cmd = m.help.Update(k)
		return m.settle(cmd)
	case modalPicker:
		m.picker, cmd = m.picker.Update(k)
		return m.settle(cmd)
	case modalPrompt:
		m.prompt, cmd = m.prompt.Update(k)
		return m.settle(cmd)
	case modalConfirm:
		m.confirm, cmd = m.confirm.Update(k)
		return m.settle(cmd)
	case modalDirs:
		m.dirs, cmd = m.dirs.Update(k)
		return m.settle(cmd)
	}
	if m.needsSetup() {
		if key.Matches(k, km.Quit) {
			return tea.Quit
		}
		return nil
	}
	if m.cal != nil {
		return m.onCalendar(k)
	}
	if m.obView != nil {
		return m.outboxKeyPress(k)
	}
	m.status, _ = m.status.Update(k)
	switch {
	case key.Matches(k, m.calendarKey()):
		return m.openCalendar()
	case key.Matches(k, km.Help):
		m.modal = modalHelp
		return nil
	case key.Matches(k, km.Quit):
		if m.focus == paneReader && k.String() == "q" {
			m.setFocus(paneList)
			return nil
		}
		return m.quit()
	case key.Matches(k, km.FocusNext):
		m.setFocus((m.focus + 1) % 3)
		if m.focus == paneReader && m.reader.State() == reader.StateEmpty {
			m.setFocus(paneSidebar)
		}
		return nil
	case key.Matches(k, km.Search):
		return m.askSearch()
	case key.Matches(k, km.Jump):
		return m.askJump()
	case key.Matches(k, km.Refresh):
		return m.refresh()
	case key.Matches(k, km.Migrate):
		return m.openMigration()
	case key.Matches(k, km.Outbox):
		return m.openOutbox()
	case key.Matches(k, km.Rules):
		return m.openRules()
	case key.Matches(k, km.Invite) && m.invite != nil && m.focus != paneSidebar:
		return m.askInvite()
	}
	if cmd, ok := m.composeKey(k); ok {
		return cmd
	}
	if m.focus != paneSidebar {
		if cmd, ok := m.messageAction(k); ok {
			return cmd
		}
	}
	return m.paneKey(k)
}

// paneKey handles a key in the focused pane.
func (m *Model) paneKey(k tea.KeyPressMsg) tea.Cmd {
	km := m.c.Keys
	var cmd tea.Cmd
	switch m.focus {
	case paneSidebar:
		m.sidebar, cmd = m.sidebar.Update(k)
	case paneList:
		switch {
		case key.Matches(k, km.Back):
			if !m.list.CollapseSelected() {
				m.setFocus(paneSidebar)
			}
		case key.Matches(k, km.Thread):
			cmd = m.toggleThreads()
		case key.Matches(k, km.Sort):
			cmd = m.askSort()
		case key.Matches(k, km.NextMsg):
			cmd = m.list.Move(1)
		case key.Matches(k, km.PrevMsg):
			cmd = m.list.Move(-1)
		default:
			m.list, cmd = m.list.Update(k)
		}
	case paneReader:
		switch {
		case key.Matches(k, km.Back):
			m.setFocus(paneList)
		case key.Matches(k, km.NextMsg):
			return m.step(1)
		case key.Matches(k, km.PrevMsg):
			return m.step(-1)
		default:
			m.reader, cmd = m.reader.Update(k)
		}
	}
	return cmd
}

// step opens the next (d=1) or previous (d=-1) message of the list.
func (m *Model) step(d int) tea.Cmd {
	before, _ := m.list.Selected()
	more := m.list.Move(d)
	after, ok := m.list.Selected()
	if !ok || after.ID == before.ID {
		return more
	}
	return tea.Batch(more, m.openMessage(after))
}

// messageAction runs the action bound to k on the message in the reader
// (when it has focus) or under the list's cursor.
func (m *Model) messageAction(k tea.KeyPressMsg) (tea.Cmd, bool) {
	km := m.c.Keys
	msg, ok := m.list.Selected()
	if m.focus == paneReader {
		msg, ok = m.reader.Message(), m.reader.State() != reader.StateEmpty
	}
	switch {
	case key.Matches(k, km.ToggleRead):
		if ok {
			return m.setFlag(msg, store.FlagSeen, !msg.Flags.Has(store.FlagSeen)), true
		}
	case key.Matches(k, km.Flag):
		if ok {
			return m.setFlag(msg, store.FlagFlagged, !msg.Flags.Has(store.FlagFlagged)), true
		}
	case key.Matches(k, km.Move):
		if ok {
			return m.askFolder(msg, actMove), true
		}
	case key.Matches(k, km.Copy):
		if ok {
			return m.askFolder(msg, actCopy), true
		}
	case key.Matches(k, km.Delete):
		if ok {
			return m.delete(msg, false), true
		}
	case key.Matches(k, km.DeleteForever):
		if ok {
			return m.delete(msg, true), true
		}
	case key.Matches(k, km.Archive):
		if ok {
			return m.archive(msg), true
		}
	case m.focus == paneReader && key.Matches(k, km.SaveAttachment):
		return m.askSave(), true
	case m.focus == paneReader && key.Matches(k, km.OpenAttachment):
		return m.openAttachment(), true
	default:
		return nil, false
	}
	return nil, true
}

// setFocus moves the keyboard focus to a pane.
func (m *Model) setFocus(p pane) {
	m.focus = p
	m.sidebar.Blur()
	m.list.Blur()
	switch p {
	case paneSidebar:
		m.sidebar.Focus()
	case paneList:
		m.list.Focus()
	}
	m.layout()
}

// onClick focuses and acts on the pane under the pointer.
func (m *Model) onClick(ms tea.Mouse) tea.Cmd {
	if m.needsSetup() || ms.Button != tea.MouseLeft {
		return nil
	}
	y := ms.Y - bodyTop
	if y < 0 || ms.Y >= m.height-1 {
		return nil
	}
	if m.modal != modalNone {
		return m.onDialogClick(ms.X-m.sidebarWidth()-1, y)
	}
	if ms.X < m.sidebarWidth() {
		m.setFocus(paneSidebar)
		return m.sidebar.Click(y)
	}
	if m.focus == paneReader {
		if m.reader.Click(y) {
			return m.openAttachment()
		}
		return nil
	}
	m.setFocus(paneList)
	return m.list.Click(y)
}

// onDialogClick handles a click in the open dialog, at (x, y) from the
// right pane's top left (where dialogs are drawn): list rows select, and a
// second click chooses; the answers of a question answer; a click closes
// the help. Outside the dialog a click does nothing.
func (m *Model) onDialogClick(x, y int) tea.Cmd {
	switch m.modal {
	case modalHelp:
		m.modal = modalNone
		return nil
	case modalPicker:
		if x >= 0 {
			return m.picker.Click(y)
		}
	case modalDirs:
		if x >= 0 {
			return m.dirs.Click(y)
		}
	case modalConfirm:
		if x >= 0 {
			return m.confirm.Click(x, y)
		}
	}
	return nil
}

// onWheel scrolls the pane under the pointer.
func (m *Model) onWheel(msg tea.MouseWheelMsg) tea.Cmd {
	if m.modal != modalNone || m.needsSetup() {
		return nil
	}
	var cmd tea.Cmd
	switch {
	case msg.Mouse().X < m.sidebarWidth():
		m.sidebar, cmd = m.sidebar.Update(msg)
	case m.focus == paneReader:
		m.reader, cmd = m.reader.Update(msg)
	default:
		m.list, cmd = m.list.Update(msg)
	}
	return cmd
}
