package app

import (
	"context"
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/outbox"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/components/composer"
	"github.com/magpie-mail/magpie/ui/components/outboxview"
)

// The outbox while the app runs: due mail (offline, scheduled) is sent in
// the background — at start, every outbox.DefaultInterval, and when an
// account comes back online — for every account of the config, those the
// setup wizard adds included; what happened is said in the status bar.
// Key O opens the outbox panel (outboxview).

// OutboxFlushedMsg carries the reports of one background flush.
type OutboxFlushedMsg struct {
	Reports []outbox.Report
	// Waiting is, per account, how many messages are left unsent.
	Waiting map[string]int
}

// OutboxCountMsg carries how many messages are not sent yet (the title
// line shows it).
type OutboxCountMsg struct{ N int }

// countOutbox reads how many messages wait in the outbox.
func (m *Model) countOutbox() tea.Cmd {
	st, ctx := m.d.Store, m.ctx
	if st == nil {
		return nil
	}
	return func() tea.Msg {
		list, err := st.Outbox(ctx, 0)
		if err != nil {
			return nil
		}
		return OutboxCountMsg{N: len(list)}
	}
}

// outboxTickMsg is the background flush's timer; stale generations are dropped.
type outboxTickMsg struct{ gen uint64 }

// OutboxLoadedMsg carries the outbox's messages for the panel.
type OutboxLoadedMsg struct {
	Req   uint64
	Items []outboxview.Item
	Err   error
}

// OutboxActedMsg reports an action on an outbox message.
type OutboxActedMsg struct {
	Action outboxview.Action
	At     time.Time
	Err    error
	// Draft is the draft an edited message became (ActEdit), to open.
	Draft   store.DraftID
	Reopen  *message.Outgoing
	Account string
}

// canSend reports whether this app sends mail (it has a store and a dialer).
func (m *Model) canSend() bool { return m.d.Store != nil && m.d.Dialer != nil }

func (m *Model) outboxEvery() time.Duration {
	if m.obEvery > 0 {
		return m.obEvery
	}
	return outbox.DefaultInterval
}

// startOutbox begins the background sending: a flush now, and ticks after.
func (m *Model) startOutbox() tea.Cmd {
	if !m.canSend() {
		return nil
	}
	return m.flushOutbox("")
}

// flushOutbox flushes one account's outbox (name) or every account's ("")
// in a Cmd, unless a flush is running already (it then runs again when
// that one ends, for everything).
func (m *Model) flushOutbox(name string) tea.Cmd {
	if !m.canSend() {
		return nil
	}
	if m.obBusy {
		m.obAgain = true
		return nil
	}
	var accts []account.Account
	for _, a := range m.d.Config.Accounts {
		if name == "" || a.Name == name {
			accts = append(accts, a)
		}
	}
	m.obBusy = true
	ctx, ob := m.ctx, m.outbox()
	return func() tea.Msg {
		out := OutboxFlushedMsg{Waiting: map[string]int{}}
		for _, a := range accts {
			rep, err := ob.Flush(ctx, a)
			if err != nil && rep.ConnErr == nil {
				rep.ConnErr = err
			}
			out.Reports = append(out.Reports, rep)
			if id, err := ob.Store.Account(ctx, a.Name); err == nil {
				list, _ := ob.Store.Outbox(ctx, id)
				out.Waiting[a.Name] = len(list)
			}
		}
		return out
	}
}

// tickCmd is tea.Tick that gives up when ctx ends (the app quit), so no
// goroutine waits on a timer after the program.
func tickCmd(ctx context.Context, d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return nil
		case at := <-t.C:
			return fn(at)
		}
	}
}

// outboxMsg handles the outbox's messages; ok reports that msg was one.
func (m *Model) outboxMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case outboxTickMsg:
		if msg.gen != m.obTick {
			return nil, true
		}
		return m.flushOutbox(""), true
	case OutboxCountMsg:
		m.obCount = msg.N
		return nil, true
	case OutboxFlushedMsg:
		m.obBusy = false
		cmds := []tea.Cmd{m.reloadOutbox(), m.countOutbox()}
		if m.obAgain {
			m.obAgain = false
			cmds = append(cmds, m.flushOutbox(""))
		} else if m.obEvery >= 0 { // negative: no timer (tests run Cmds synchronously)
			m.obTick = m.next()
			gen := m.obTick
			cmds = append(cmds, tickCmd(m.ctx, m.outboxEvery(), func(time.Time) tea.Msg { return outboxTickMsg{gen: gen} }))
		}
		sent := false
		for _, rep := range msg.Reports {
			m.reportFlush(rep, msg.Waiting[rep.Account])
			for _, o := range rep.Outcomes {
				if o.SentCopy {
					kick(m.d.Engines[rep.Account]) // upload the Sent copy now
					sent = true
				}
			}
		}
		if sent { // the Sent copies are in the store: a list of Sent shows them
			cmds = append(cmds, m.reloadFolders(), m.reloadIfShallow())
		}
		return tea.Batch(cmds...), true
	case OutboxLoadedMsg:
		if m.obView != nil && msg.Req == m.obReq {
			if msg.Err != nil {
				m.status.SetError(m.c.P.T("store.read_failed", common.Clean(msg.Err.Error())))
			}
			m.obView.SetItems(msg.Items)
		}
		return nil, true
	case outboxview.ActionMsg:
		return m.outboxAction(msg), true
	case outboxview.ClosedMsg:
		m.obView = nil
		return nil, true
	case OutboxActedMsg:
		return m.onOutboxActed(msg), true
	}
	return nil, false
}

// reportFlush says in the status bar what a background flush did: each
// message sent or refused, and an unreachable server once per change.
func (m *Model) reportFlush(rep outbox.Report, waiting int) {
	p := m.c.P
	for _, o := range rep.Outcomes {
		subj := common.Clean(o.Subject)
		if o.Err == nil {
			m.status.SetNotice(p.T("tui.status.bg_sent", common.Clean(rep.Account), subj))
			continue
		}
		m.status.SetError(p.T("tui.status.bg_failed", common.Clean(rep.Account), subj, outboxview.Problem(p, o.Err)))
	}
	if m.obDown == nil {
		m.obDown = map[string]string{}
	}
	if rep.ConnErr == nil {
		delete(m.obDown, rep.Account)
		return
	}
	d := account.Diagnose(rep.ConnErr)
	why := p.T("diag."+string(d.Problem), d.Endpoint.Addr())
	switch {
	case errors.Is(rep.ConnErr, outbox.ErrNoSMTP):
		why = p.T("compose.no_smtp", common.Clean(rep.Account))
	case d.Problem == account.ProblemUnknown:
		why = common.Clean(rep.ConnErr.Error())
	}
	if m.obDown[rep.Account] == why {
		return
	}
	m.obDown[rep.Account] = why
	m.status.SetError(p.T("tui.status.bg_unreachable", common.Clean(rep.Account), waiting, why))
}

// openOutbox shows the outbox panel over the panes.
func (m *Model) openOutbox() tea.Cmd {
	v := outboxview.New(m.c, m.now, m.loc)
	v.SetSize(m.width, max(m.height-2, 1))
	m.obView = &v
	return m.reloadOutbox()
}

// reloadOutbox reads the outbox for the panel, when it is open.
func (m *Model) reloadOutbox() tea.Cmd {
	if m.obView == nil || m.d.Store == nil {
		return nil
	}
	m.obReq = m.next()
	req, ctx, st := m.obReq, m.ctx, m.d.Store
	names := map[store.AccountID]string{}
	for i, id := range m.accountIDs {
		if i < len(m.accounts) {
			names[id] = m.accounts[i].Name
		}
	}
	cfgNames := make([]string, len(m.d.Config.Accounts))
	for i, a := range m.d.Config.Accounts {
		cfgNames[i] = a.Name
	}
	return func() tea.Msg {
		out := OutboxLoadedMsg{Req: req}
		for _, n := range cfgNames {
			if id, err := st.Account(ctx, n); err == nil {
				names[id] = n
			}
		}
		list, err := st.Outbox(ctx, 0)
		if err != nil {
			out.Err = err
			return out
		}
		for _, o := range list {
			out.Items = append(out.Items, outboxview.Item{ID: o.ID, Account: names[o.Account], From: fromHeader(o),
				Rcpts: o.Rcpts, Subject: o.Subject, State: o.State, NotBefore: o.NotBefore, Updated: o.Updated,
				Attempts: o.Attempts, Err: outbox.StoredError(o.Reason)})
		}
		return out
	}
}

// fromHeader is the From address of an outgoing message (the envelope
// sender differs for a group identity).
func fromHeader(o store.Outgoing) string {
	if p, err := message.Parse(o.Raw); err == nil && len(p.From) > 0 {
		return p.From[0].Addr
	}
	return o.From
}

// outboxKeyPress routes a key to the open panel.
func (m *Model) outboxKeyPress(k tea.KeyPressMsg) tea.Cmd {
	v, cmd := m.obView.Update(k)
	m.obView = &v
	if cmd == nil {
		return nil
	}
	msg := cmd() // the panel's Cmds only build messages: settle them at once
	_, next := m.Update(msg)
	return next
}

// outboxAction carries out what the member asked in the panel.
func (m *Model) outboxAction(a outboxview.ActionMsg) tea.Cmd {
	if m.d.Store == nil {
		return nil
	}
	acct, _ := m.d.Config.Account(a.Account)
	ctx, ob := m.ctx, m.outbox()
	return func() tea.Msg {
		out := OutboxActedMsg{Action: a.Action, At: a.At, Account: a.Account}
		switch a.Action {
		case outboxview.ActRetry:
			out.Err = ob.Retry(ctx, a.ID)
		case outboxview.ActReschedule:
			out.Err = ob.Reschedule(ctx, a.ID, a.At)
		case outboxview.ActEdit, outboxview.ActToDrafts:
			if ob.Dialer == nil {
				ob = &outbox.Outbox{Store: ob.Store} // stay local: the draft goes up at the next start
			}
			out.Draft, out.Err = ob.ToDraft(ctx, acct, a.ID)
			if out.Err == nil && a.Action == outboxview.ActEdit {
				out.Reopen, out.Err = reopenDraft(ctx, ob.Store, out.Draft)
			}
		}
		return out
	}
}

func reopenDraft(ctx context.Context, st *store.Store, id store.DraftID) (*message.Outgoing, error) {
	list, err := st.Drafts(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, d := range list {
		if d.ID == id {
			return message.Reopen(d.Raw)
		}
	}
	return nil, store.ErrNotFound
}

// onOutboxActed says how an action went, reloads the panel, sends at once
// what is due, and opens the composer on an edited message.
func (m *Model) onOutboxActed(msg OutboxActedMsg) tea.Cmd {
	p := m.c.P
	if msg.Err != nil {
		if errors.Is(msg.Err, store.ErrClaimed) {
			m.status.SetError(p.T("outboxview.act_claimed"))
		} else {
			m.status.SetError(p.T("outboxview.act_failed", common.Clean(msg.Err.Error())))
		}
		return m.reloadOutbox()
	}
	cmds := []tea.Cmd{m.reloadOutbox(), m.countOutbox()}
	switch msg.Action {
	case outboxview.ActRetry:
		m.status.SetNotice(p.T("outboxview.done.retry"))
		cmds = append(cmds, m.flushOutbox(msg.Account))
	case outboxview.ActReschedule:
		if msg.At.IsZero() || !msg.At.After(m.now()) {
			m.status.SetNotice(p.T("outboxview.done.reschedule_now"))
			cmds = append(cmds, m.flushOutbox(msg.Account))
		} else {
			m.status.SetNotice(p.T("outboxview.done.reschedule", msg.At.In(m.loc).Format("2006-01-02 15:04")))
		}
	case outboxview.ActToDrafts:
		m.status.SetNotice(p.T("outboxview.done.to_drafts"))
		kick(m.d.Engines[msg.Account])
		cmds = append(cmds, m.reloadFolders())
	case outboxview.ActEdit:
		m.obView = nil
		kick(m.d.Engines[msg.Account])
		senders := m.d.Config.Senders()
		start := composer.Start{Senders: senders, Message: *msg.Reopen, DraftID: msg.Draft,
			Reply: len(msg.Reopen.InReplyTo) > 0}
		start.Message.Draft = false
		for i, s := range senders {
			if s.Account.Name == msg.Account && strings.EqualFold(s.Identity.Address, msg.Reopen.From.Addr) {
				start.From = i
			}
		}
		cmds = append(cmds, m.openComposerNoSignature(start))
	}
	return tea.Batch(cmds...)
}
