// Package keymap is the one key map of Magpie's TUI: every binding with its
// help text in the user's language. The help overlay is generated from it.
package keymap

import (
	"charm.land/bubbles/v2/key"

	"github.com/magpie-mail/magpie/ui/i18n"
)

// KeyMap holds every binding. Vim keys and arrows both work.
type KeyMap struct {
	// Moving.
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Open, Back, FocusNext                   key.Binding
	NextMsg, PrevMsg                        key.Binding

	// Acting on the selected message.
	ToggleRead, Flag, Move, Copy, Delete, DeleteForever, Archive key.Binding

	// Writing: a new message, reply, reply to all, forward inline or as
	// an attachment.
	Compose, Reply, ReplyAll, Forward, ForwardAttached, EditDraft key.Binding

	// Reader: attachments.
	NextAttachment, SaveAttachment, OpenAttachment key.Binding

	// Views and the app.
	Search, Jump, Refresh, Thread, ToggleThread, Sort, Help, Quit key.Binding

	// Dialogs.
	Confirm, Cancel key.Binding

	// The migration wizard (邮箱搬家).
	Migrate key.Binding
	// The mail rules screen (邮件规则).
	Rules key.Binding

	// The calendar view, and answering an invitation shown in the reader.
	Calendar, Invite key.Binding
	// The outbox panel: mail not sent yet.
	Outbox key.Binding
}

// New returns the key map with help texts from p.
func New(p *i18n.Printer) KeyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], p.T(help)))
	}
	km := KeyMap{
		Up:        b("tui.key.up", "k", "up"),
		Down:      b("tui.key.down", "j", "down"),
		PageUp:    b("tui.key.pageup", "pgup", "ctrl+u", "ctrl+b"),
		PageDown:  b("tui.key.pagedown", "pgdown", "ctrl+d", "ctrl+f", "space"),
		Top:       b("tui.key.top", "g", "home"),
		Bottom:    b("tui.key.bottom", "G", "end"),
		Open:      b("tui.key.open", "enter", "l", "right"),
		Back:      b("tui.key.back", "esc", "h", "left"),
		FocusNext: b("tui.key.focus", "tab"),
		NextMsg:   b("tui.key.next", "n", "J"),
		PrevMsg:   b("tui.key.prev", "p", "K"),

		ToggleRead:    b("tui.key.read", "u"),
		Flag:          b("tui.key.flag", "F", "*"),
		Move:          b("tui.key.move", "m"),
		Copy:          b("tui.key.copy", "C"),
		Delete:        b("tui.key.delete", "d", "delete"),
		DeleteForever: b("tui.key.delete_forever", "D"),
		Archive:       b("tui.key.archive", "a"),

		Compose:         b("tui.key.compose", "w"),
		Reply:           b("tui.key.reply", "r"),
		ReplyAll:        b("tui.key.reply_all", "R"),
		Forward:         b("tui.key.forward", "f"),
		ForwardAttached: b("tui.key.forward_attach", "alt+f"),
		EditDraft:       b("tui.key.edit_draft", "e"),

		NextAttachment: b("tui.key.next_attachment", "A"),
		SaveAttachment: b("tui.key.save", "s"),
		OpenAttachment: b("tui.key.open_attachment", "o"),

		Search:  b("tui.key.search", "/"),
		Jump:    b("tui.key.jump", "c"),
		Refresh: b("tui.key.refresh", "ctrl+r", "f5"),
		Thread:  b("tui.key.thread", "t"),
		Sort:    b("tui.key.sort", "S"),

		ToggleThread: b("tui.key.toggle_thread", "z"),
		Help:         b("tui.key.help", "?"),
		Quit:         b("tui.key.quit", "q", "ctrl+c"),

		Confirm: b("tui.key.confirm", "y", "Y"),
		Cancel:  b("tui.key.cancel", "n", "N", "esc"),
	}
	km.PageUp.SetHelp("pgup/^u", p.T("tui.key.pageup"))
	km.PageDown.SetHelp("pgdn/space", p.T("tui.key.pagedown"))
	km.Up.SetHelp("k/up", p.T("tui.key.up"))
	km.Down.SetHelp("j/down", p.T("tui.key.down"))
	km.Open.SetHelp("enter/l", p.T("tui.key.open"))
	km.Back.SetHelp("esc/h", p.T("tui.key.back"))
	km.NextMsg.SetHelp("n/J", p.T("tui.key.next"))
	km.PrevMsg.SetHelp("p/K", p.T("tui.key.prev"))
	km.Refresh.SetHelp("^r/F5", p.T("tui.key.refresh"))
	km.Migrate = b("tui.key.migrate", "M")
	km.Rules = b("tui.key.rules", "I")
	km.Calendar = b("tui.cal.key.open", "L")
	km.Invite = b("tui.invite.key", "i")
	km.Outbox = b("tui.key.outbox", "O")
	return km
}

// ShortHelp is the one-line hint of the status bar.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Open, k.Search, k.Jump, k.Quit}
}

// FullHelp is the help overlay, in columns: moving, message, reader, app.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Open, k.Back, k.FocusNext},
		{k.NextMsg, k.PrevMsg, k.ToggleRead, k.Flag, k.Move, k.Copy, k.Delete, k.DeleteForever, k.Archive},
		{k.Compose, k.Reply, k.ReplyAll, k.Forward, k.ForwardAttached, k.EditDraft},
		{k.NextAttachment, k.SaveAttachment, k.OpenAttachment, k.Search, k.Jump, k.Refresh, k.Thread, k.ToggleThread, k.Sort, k.Help, k.Quit},
		{k.Migrate, k.Rules, k.Calendar, k.Invite, k.Outbox},
	}
}
