package app

import (
	"context"
	"errors"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/dustin/go-humanize"

	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/outbox"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/components/composer"
	"github.com/magpie-mail/magpie/ui/components/reader"
)

// composeKind is what the composer is opened for.
type composeKind int

const (
	composeNew composeKind = iota
	composeReply
	composeReplyAll
	composeForward
	composeForwardAttached
	composeDraft // reopen a message of the Drafts folder
)

// OriginalLoadedMsg carries the message a reply or forward starts from.
type OriginalLoadedMsg struct {
	Req     uint64
	Account store.AccountID // the mailbox the original is in
	Kind    composeKind
	ID      store.MessageID
	Raw     []byte
	Parsed  *message.Parsed
	Err     error
}

// AddressesLoadedMsg carries the store's addresses for completion.
type AddressesLoadedMsg struct {
	Gen  uint64
	List []store.KnownAddress
}

// ComposeSentMsg reports a send the composer asked for.
type ComposeSentMsg struct {
	Account string
	From    string
	At      time.Time // scheduled for; zero when sent at once
	Report  outbox.Report
	Err     error
}

// composeKey opens the composer for the keys that write mail.
func (m *Model) composeKey(k tea.KeyPressMsg) (tea.Cmd, bool) {
	km := m.c.Keys
	var kind composeKind
	switch {
	case key.Matches(k, km.Compose):
		return m.openComposer(composer.Start{Senders: m.d.Config.Senders()}), true
	case key.Matches(k, km.Reply):
		kind = composeReply
	case key.Matches(k, km.ReplyAll):
		kind = composeReplyAll
	case key.Matches(k, km.Forward):
		kind = composeForward
	case key.Matches(k, km.ForwardAttached):
		kind = composeForwardAttached
	case key.Matches(k, km.EditDraft):
		kind = composeDraft
	default:
		return nil, false
	}
	msg, ok := m.list.Selected()
	if m.focus == paneReader {
		msg, ok = m.reader.Message(), m.reader.State() != reader.StateEmpty
	}
	if !ok || m.d.Store == nil {
		return nil, true
	}
	m.bodyReq = m.next()
	return loadOriginalCmd(m.ctx, m.d.Store, m.bodyReq, kind, msg.ID, msg.Account), true
}

func loadOriginalCmd(ctx context.Context, st *store.Store, req uint64, kind composeKind, id store.MessageID, acct store.AccountID) tea.Cmd {
	return func() tea.Msg {
		out := OriginalLoadedMsg{Req: req, Kind: kind, ID: id, Account: acct}
		out.Raw, out.Err = st.Raw(ctx, id)
		if out.Err == nil {
			out.Parsed, out.Err = message.Parse(out.Raw)
		}
		return out
	}
}

// onOriginal prepares the reply or forward and opens the composer.
func (m *Model) onOriginal(msg OriginalLoadedMsg) tea.Cmd {
	if msg.Req != m.bodyReq {
		return nil
	}
	if msg.Err != nil {
		m.status.SetError(m.c.P.T("compose.open_failed", common.Clean(msg.Err.Error())))
		return nil
	}
	p := m.c.P
	senders := m.d.Config.Senders()
	own := make([]message.Address, len(senders))
	for i, s := range senders {
		own[i] = message.Address{Name: s.Name(), Addr: s.Identity.Address}
	}
	start := composer.Start{Senders: senders, Reply: true}
	var out message.Outgoing
	switch msg.Kind {
	case composeDraft:
		d, err := message.Reopen(msg.Raw)
		if err != nil {
			m.status.SetError(m.c.P.T("compose.open_failed", common.Clean(err.Error())))
			return nil
		}
		out, start.Reply = *d, len(d.InReplyTo) > 0
		out.Draft = false
		start.Message = out
		start.Replaces = msg.ID
		start.From = -1
		for i, s := range senders {
			if strings.EqualFold(s.Identity.Address, out.From.Addr) {
				start.From = i
			}
		}
		start.From = max(start.From, 0)
		// The reopened text carries its signature already.
		return m.openComposerNoSignature(start)
	case composeReply, composeReplyAll:
		name := ""
		if len(msg.Parsed.From) > 0 {
			name = msg.Parsed.From[0].String()
		}
		out = message.Reply(msg.Parsed, &message.ReplyOptions{All: msg.Kind == composeReplyAll, Own: own, Self: m.selfOf(msg.Account),
			Attribution: p.T("compose.reply_attribution", name, msg.Parsed.Date.In(m.loc).Format("2006-01-02 15:04"))})
	default:
		var err error
		out, err = message.Forward(msg.Parsed, msg.Raw, &message.ForwardOptions{
			AsAttachment: msg.Kind == composeForwardAttached,
			Labels: message.ForwardLabels{Banner: p.T("compose.forward_banner"), From: p.T("compose.forward_from"),
				Date: p.T("compose.forward_date"), To: p.T("compose.forward_to"), Cc: p.T("compose.forward_cc"),
				Subject: p.T("compose.forward_subject")}})
		if err != nil {
			m.status.SetError(m.c.P.T("compose.open_failed", common.Clean(err.Error())))
			return nil
		}
	}
	start.Message = out
	for i, s := range senders {
		if out.From.Addr != "" && s.Identity.Address == out.From.Addr {
			start.From = i
		}
	}
	return m.openComposer(start)
}

// selfOf is the identities of the account with store ID id (none when
// unknown: the reply then treats every identity as the member's own).
func (m *Model) selfOf(id store.AccountID) []message.Address {
	for i, aid := range m.accountIDs {
		if aid != id || i >= len(m.accounts) {
			continue
		}
		a, ok := m.d.Config.Account(m.accounts[i].Name)
		if !ok {
			return nil
		}
		var out []message.Address
		for _, idt := range a.Identities() {
			out = append(out, message.Address{Name: idt.Name, Addr: idt.Address})
		}
		return out
	}
	return nil
}

// openComposer shows the composer full-screen and loads the addresses to
// complete from.
func (m *Model) openComposer(s composer.Start) tea.Cmd {
	m.composeGen = m.next()
	editor := m.d.Config.Editor
	for _, v := range []string{"VISUAL", "EDITOR"} {
		if editor == "" {
			editor = os.Getenv(v)
		}
	}
	c := composer.New(m.c, s, composer.Options{Editor: editor, Gen: m.composeGen, AutosaveEvery: m.autosave})
	c.SetSize(m.width, m.height)
	m.composing = &c
	cmds := []tea.Cmd{c.Init()}
	if st := m.d.Store; st != nil {
		ctx, gen := m.ctx, m.composeGen
		cmds = append(cmds, func() tea.Msg {
			list, _ := st.Addresses(ctx, 2000)
			return AddressesLoadedMsg{Gen: gen, List: list}
		})
	}
	return tea.Batch(cmds...)
}

// openComposerNoSignature opens a reopened draft: its text has the
// signature in it already.
func (m *Model) openComposerNoSignature(s composer.Start) tea.Cmd {
	cmd := m.openComposer(s)
	m.composing.SetSignatureOff()
	return cmd
}

// quitComposing keeps the draft in the store (and queues its upload when
// the Drafts folder is known; nothing here dials) and quits. Local writes
// only: the app is leaving, and a kill a moment later still finds it.
func (m *Model) quitComposing() tea.Cmd {
	if m.d.Store != nil && (m.composing.Dirty() || m.composing.DraftID() != 0) {
		req := m.composing.DraftRequest()
		ob := &outbox.Outbox{Store: m.d.Store}
		ctx, cancel := context.WithTimeout(m.ctx, 5*time.Second)
		defer cancel()
		out := req.Message
		if id, err := ob.SaveDraft(ctx, req.Sender.Account, req.DraftID, &out); err == nil {
			if req.DraftID == 0 && req.Replaces != 0 {
				_ = m.d.Store.AdoptDraftCopy(ctx, id, req.Replaces)
			}
			_ = ob.UploadDraft(ctx, req.Sender.Account, id)
		}
	}
	return tea.Quit
}

// composeMsg routes what concerns the composer; ok reports that msg was
// consumed.
func (m *Model) composeMsg(msg tea.Msg) (tea.Cmd, bool) {
	if k, ok := msg.(tea.KeyPressMsg); ok && m.composing != nil && k.String() == "ctrl+c" {
		return m.quitComposing(), true
	}
	switch msg := msg.(type) {
	case OriginalLoadedMsg:
		return m.onOriginal(msg), true
	case composer.SendMsg:
		m.composing = nil
		return m.sendCmd(msg.Request), true
	case composer.SaveDraftMsg:
		return m.saveDraftCmd(msg), true
	case composer.ClosedMsg:
		m.composing = nil
		if msg.DraftID != 0 {
			m.status.SetNotice(m.c.P.T("compose.draft_saved"))
		}
		return nil, true
	case composer.DraftSavedMsg:
		if msg.Err != nil {
			m.status.SetError(m.c.P.T("compose.draft_failed", common.Clean(msg.Err.Error())))
		}
	case ComposeSentMsg:
		m.onSent(msg)
		// The Sent copy is in the store now: a list of Sent shows it.
		return tea.Batch(m.countOutbox(), m.reloadFolders(), m.reloadIfShallow()), true
	case AddressesLoadedMsg:
		if m.composing != nil && msg.Gen == m.composeGen {
			m.composing.SetKnown(msg.List)
		}
		return nil, true
	case tea.WindowSizeMsg:
		if m.composing != nil {
			m.composing.SetSize(msg.Width, msg.Height)
		}
		return nil, false
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		return nil, m.composing != nil // the panes are hidden: not theirs
	}
	if m.composing == nil {
		return nil, false
	}
	c, cmd := m.composing.Update(msg)
	m.composing = &c
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg, composer.DraftSavedMsg:
		return cmd, true
	}
	return cmd, cmd != nil
}

func (m *Model) outbox() *outbox.Outbox {
	return &outbox.Outbox{Store: m.d.Store, Dialer: m.d.Dialer}
}

// sendCmd queues the message and, unless scheduled, sends it; the draft
// it came from is discarded once queued. Without a dialer the message only
// waits in the outbox (a later Magpie or `magpie sync` sends it).
func (m *Model) sendCmd(r composer.Request) tea.Cmd {
	if m.d.Store == nil {
		return nil
	}
	ctx, ob, engine := m.ctx, m.outbox(), m.d.Engines[r.Sender.Account.Name]
	return func() tea.Msg {
		out := ComposeSentMsg{Account: r.Sender.Account.Name, From: r.Sender.Identity.Address, At: r.At}
		msg := r.Message
		msg.Draft = false
		for _, f := range r.Files {
			data, err := os.ReadFile(f.Path)
			if err != nil {
				out.Err = err
				return out
			}
			msg.Attachments = append(msg.Attachments, message.Part{Filename: f.Name, Data: data, ContentType: contentType(f.Name)})
		}
		if _, out.Err = ob.Queue(ctx, r.Sender.Account, &msg, r.At); out.Err != nil {
			return out
		}
		if r.DraftID != 0 {
			_ = ob.DiscardDraft(ctx, r.DraftID)
		} else if r.Replaces != 0 {
			_ = ob.Store.ExpungeMessage(ctx, r.Replaces)
		}
		if !r.At.IsZero() && r.At.After(time.Now()) {
			return out
		}
		if ob.Dialer == nil {
			out.Report.ConnErr = outbox.ErrNoDialer // said as "waits in the outbox"
			return out
		}
		out.Report, out.Err = ob.Flush(ctx, r.Sender.Account)
		kick(engine)
		return out
	}
}

func (m *Model) saveDraftCmd(msg composer.SaveDraftMsg) tea.Cmd {
	if m.d.Store == nil {
		return nil
	}
	ctx, ob, engine := m.ctx, m.outbox(), m.d.Engines[msg.Sender.Account.Name]
	r := msg.Request
	return func() tea.Msg {
		out := r.Message
		out.Draft = true
		for _, f := range r.Files {
			if data, err := os.ReadFile(f.Path); err == nil {
				out.Attachments = append(out.Attachments, message.Part{Filename: f.Name, Data: data, ContentType: contentType(f.Name)})
			}
		}
		id, err := ob.SaveDraft(ctx, r.Sender.Account, r.DraftID, &out)
		if err == nil && r.DraftID == 0 && r.Replaces != 0 {
			err = ob.Store.AdoptDraftCopy(ctx, id, r.Replaces)
		}
		if err == nil && msg.Upload && ob.Dialer != nil {
			if err = ob.UploadDraft(ctx, r.Sender.Account, id); err == nil {
				kick(engine)
			}
		}
		return composer.DraftSavedMsg{ID: id, Err: err}
	}
}

func kick(e *mailsync.Engine) {
	if e != nil {
		e.Kick()
	}
}

// onSent words the outcome of a send in the status bar.
func (m *Model) onSent(msg ComposeSentMsg) {
	p := m.c.P
	switch {
	case msg.Err != nil:
		m.status.SetError(p.T("compose.send_failed", common.Clean(msg.Err.Error())))
	case !msg.At.IsZero() && msg.At.After(m.now()):
		m.status.SetNotice(p.T("compose.scheduled", msg.At.In(m.loc).Format("2006-01-02 15:04")))
	case len(msg.Report.Outcomes) > 0 && msg.Report.Outcomes[len(msg.Report.Outcomes)-1].Err != nil:
		m.status.SetError(p.T("compose.send_failed", m.sendProblem(msg.Report.Outcomes[len(msg.Report.Outcomes)-1].Err)))
	case msg.Report.ConnErr != nil:
		m.status.SetError(p.T("compose.queued_offline"))
	default:
		m.status.SetNotice(p.T("compose.sent", msg.From))
	}
}

// sendProblem words why a message did not leave.
func (m *Model) sendProblem(err error) string {
	p := m.c.P
	var re *outbox.RejectedError
	var tl *outbox.TooLargeError
	switch {
	case errors.As(err, &tl):
		return p.T("send.err_too_large", humanize.IBytes(uint64(tl.Size)), humanize.IBytes(uint64(tl.Limit)))
	case errors.As(err, &re) && re.Stage == "recipient":
		return p.T("send.err_recipient", common.Clean(strings.Join(re.Recipients, ", ")), re.Code, common.Clean(re.Text))
	case errors.As(err, &re) && re.Stage == "sender":
		return p.T("send.err_sender", re.Code, common.Clean(re.Text))
	case errors.As(err, &re):
		return p.T("send.err_content", re.Code, common.Clean(re.Text))
	}
	return p.T("send.err_other", common.Clean(err.Error()))
}

// composeView is the composer full-screen.
func (m *Model) composeView() string { return m.composing.View() }

// contentType guesses a MIME type from a file name (application/octet-stream
// when unknown).
func contentType(name string) string {
	t := mime.TypeByExtension(strings.ToLower(filepath.Ext(name)))
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return t
}
