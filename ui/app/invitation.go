package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/outbox"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/components/picker"
)

// Invitations (iMIP, RFC 6047; iTIP, RFC 5546): a message carrying a
// text/calendar part shows a card above its body; I answers it — accept,
// tentative or decline a REQUEST (a REPLY goes to the organizer from the
// identity the invitation was addressed to, and the event is stored in the
// chosen calendar), remove a CANCELled event, or apply a REPLY to an event
// the member organised.

const actInvite = "invite"

// InviteLoadedMsg carries the invitation found in the message shown.
type InviteLoadedMsg struct {
	Message   store.MessageID
	Account   string // the configured account the message belongs to
	Data      string // the iTIP text
	Invite    calendar.Invite
	Conflicts []string // the member's events at the same time
	Err       error
}

// InviteAnsweredMsg reports what answering did.
type InviteAnsweredMsg struct {
	Done string // message key for the status bar
	Err  error
}

// inviteAnswer is a picker choice.
type inviteAnswer struct {
	PartStat string // ACCEPTED, TENTATIVE, DECLINED for a REQUEST
	Calendar store.CalendarID
}

// inviteCheck looks for an iTIP part in the body just loaded.
func (m *Model) inviteCheck(msg BodyLoadedMsg) tea.Cmd {
	m.invite = nil
	if msg.Parsed == nil || m.d.Store == nil || msg.Message != m.reader.Message().ID {
		return nil
	}
	path := ""
	for _, a := range msg.Parsed.Attachments {
		if a.ContentType == "text/calendar" || a.ContentType == "application/ics" {
			path = a.PartPath
			break
		}
	}
	if path == "" {
		return nil
	}
	ctx, st, id, loc := m.ctx, m.d.Store, msg.Message, m.loc
	acct := m.accountNames()[m.reader.Message().Account]
	ids := append([]store.AccountID(nil), m.accountIDs...)
	return func() tea.Msg {
		out := InviteLoadedMsg{Message: id, Account: acct}
		raw, err := st.Raw(ctx, id)
		if err != nil {
			return nil
		}
		data, err := message.PartData(raw, path)
		if err != nil {
			return nil
		}
		out.Data = string(data)
		if out.Invite, err = calendar.ParseInvite(out.Data, loc); err != nil {
			return nil // not an iTIP message: the part stays an attachment
		}
		out.Conflicts, out.Err = conflicts(ctx, st, ids, out.Invite, loc)
		return out
	}
}

// conflicts lists the member's events overlapping inv (not inv itself).
func conflicts(ctx context.Context, st *store.Store, accts []store.AccountID, inv calendar.Invite, loc *time.Location) ([]string, error) {
	if inv.Start.IsZero() {
		return nil, nil
	}
	cals, err := calendarsOf(ctx, st, accts)
	if err != nil {
		return nil, err
	}
	var ids []store.CalendarID
	for _, c := range cals {
		if !c.Hidden {
			ids = append(ids, c.ID)
		}
	}
	end := inv.End
	if !end.After(inv.Start) {
		end = inv.Start.Add(time.Minute)
	}
	objs, err := st.CalObjects(ctx, ids, inv.Start, end)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range objs {
		if o.UID == inv.UID || o.State == store.CalPendingDelete {
			continue
		}
		_, series, err := calendar.Parse(o.Data, loc)
		if err != nil {
			continue
		}
		for _, s := range series {
			occs, _ := s.Expand(inv.Start, end)
			for _, oc := range occs {
				out = append(out, oc.Start.In(loc).Format("15:04")+"-"+oc.End.In(loc).Format("15:04")+" "+common.Clean(oc.Summary))
			}
		}
	}
	return out, nil
}

func calendarsOf(ctx context.Context, st *store.Store, accts []store.AccountID) ([]store.Calendar, error) {
	var out []store.Calendar
	for _, a := range accts {
		cals, err := st.Calendars(ctx, a)
		if err != nil {
			return nil, err
		}
		out = append(out, cals...)
	}
	return out, nil
}

// onInviteLoaded shows the card.
func (m *Model) onInviteLoaded(msg InviteLoadedMsg) {
	if msg.Message != m.reader.Message().ID {
		return // stale
	}
	m.invite = &msg
	m.reader.SetCard(m.inviteCard(msg))
}

// inviteCard words the card.
func (m *Model) inviteCard(msg InviteLoadedMsg) []string {
	p, inv := m.c.P, msg.Invite
	title := common.Clean(inv.Summary)
	kind := map[string]string{"REQUEST": "tui.invite.request", "CANCEL": "tui.invite.cancel", "REPLY": "tui.invite.reply"}[inv.Method]
	if kind == "" {
		kind = "tui.invite.request"
	}
	lines := []string{p.T(kind, title)}
	if !inv.Start.IsZero() {
		when := inv.Start.In(m.loc).Format("2006-01-02 15:04") + " - " + inv.End.In(m.loc).Format("15:04")
		if inv.AllDay {
			when = inv.Start.In(m.loc).Format("2006-01-02") + " " + p.T("calendar.all_day")
		}
		lines = append(lines, p.T("tui.invite.when", when, m.loc.String()))
	}
	if l := common.Clean(inv.Location); l != "" {
		lines = append(lines, p.T("tui.invite.where", l))
	}
	if inv.Organizer != "" {
		lines = append(lines, p.T("tui.invite.organizer", common.Clean(inv.Organizer)))
	}
	var att []string
	for _, a := range inv.Attendees {
		att = append(att, common.Clean(a.Addr)+" ("+p.T("tui.invite.ps."+strings.ToLower(a.PartStat))+")")
	}
	if len(att) > 0 {
		lines = append(lines, p.T("tui.invite.attendees", strings.Join(att, ", ")))
	}
	if inv.Method == "REQUEST" {
		if len(msg.Conflicts) > 0 {
			lines = append(lines, p.T("tui.invite.conflicts", strings.Join(msg.Conflicts, "; ")))
		} else if msg.Err == nil {
			lines = append(lines, p.T("tui.invite.no_conflicts"))
		}
	}
	hint := map[string]string{"REQUEST": "tui.invite.hint_request", "CANCEL": "tui.invite.hint_cancel", "REPLY": "tui.invite.hint_reply"}[inv.Method]
	if hint != "" {
		lines = append(lines, p.T(hint, m.c.Keys.Invite.Help().Key))
	}
	return lines
}

// askInvite opens the answers for the invitation shown.
func (m *Model) askInvite() tea.Cmd {
	inv := m.invite
	if inv == nil || inv.Message != m.reader.Message().ID {
		return nil
	}
	p := m.c.P
	var items []picker.Item
	switch inv.Invite.Method {
	case "REQUEST":
		var cals []store.Calendar
		if m.d.Store != nil {
			cals, _ = calendarsOf(m.ctx, m.d.Store, m.accountIDs)
		}
		for _, ps := range []string{"ACCEPTED", "TENTATIVE", "DECLINED"} {
			label := p.T("tui.invite.answer." + strings.ToLower(ps))
			placed := false
			for _, c := range cals {
				if c.ReadOnly || ps == "DECLINED" {
					continue
				}
				items = append(items, picker.Item{Label: label + " -> " + common.Clean(c.Name), Value: inviteAnswer{PartStat: ps, Calendar: c.ID}})
				placed = true
			}
			if !placed {
				items = append(items, picker.Item{Label: label, Value: inviteAnswer{PartStat: ps}})
			}
		}
	case "CANCEL":
		items = []picker.Item{{Label: p.T("tui.invite.answer.remove"), Value: inviteAnswer{}}}
	case "REPLY":
		items = []picker.Item{{Label: p.T("tui.invite.answer.apply"), Value: inviteAnswer{}}}
	default:
		return nil
	}
	m.picker = picker.New(m.c, actInvite, p.T("tui.invite.answer_title", common.Clean(inv.Invite.Summary)), items)
	m.layout()
	m.modal = modalPicker
	return nil
}

// onInviteDialog performs the picked answer.
func (m *Model) onInviteDialog(msg tea.Msg) (tea.Cmd, bool) {
	pk, ok := msg.(picker.PickedMsg)
	if !ok || pk.Purpose != actInvite || m.invite == nil || m.d.Store == nil {
		if c, ok := msg.(picker.CancelledMsg); ok && c.Purpose == actInvite {
			return nil, true
		}
		return nil, false
	}
	a, _ := pk.Item.Value.(inviteAnswer)
	w := m.calWriter()
	inv := *m.invite
	ids := append([]store.AccountID(nil), m.accountIDs...)
	return func() tea.Msg { defer w.lock()(); return w.answer(inv, a, ids) }, true
}

// answer sends the REPLY and updates the calendar.
func (w calWriter) answer(inv InviteLoadedMsg, a inviteAnswer, accts []store.AccountID) InviteAnsweredMsg {
	switch inv.Invite.Method {
	case "REQUEST":
		acct, ok := w.cfg.Account(inv.Account)
		if !ok {
			return InviteAnsweredMsg{Err: fmt.Errorf("app: invitation: account %q not configured", inv.Account)}
		}
		me := acct.Email
		for _, at := range inv.Invite.Attendees {
			if acct.Owns(at.Addr) {
				me = at.Addr
				break
			}
		}
		reply, err := calendar.Reply(inv.Data, me, a.PartStat, w.now)
		if err != nil {
			return InviteAnsweredMsg{Err: err}
		}
		from := message.Address{Name: acct.DisplayName, Addr: me}
		for _, id := range acct.Identities() {
			if strings.EqualFold(id.Address, me) && id.Name != "" {
				from.Name = id.Name
			}
		}
		out := &message.Outgoing{From: from, To: []message.Address{{Addr: inv.Invite.Organizer}},
			Subject:  w.p.T("tui.invite.reply_subject."+strings.ToLower(a.PartStat), inv.Invite.Summary),
			Text:     w.p.T("tui.invite.reply_body."+strings.ToLower(a.PartStat), me, inv.Invite.Summary),
			Calendar: &message.CalendarPart{Method: "REPLY", Data: reply}, Date: w.now}
		if _, err := (&outbox.Outbox{Store: w.st}).Queue(w.ctx, acct, out, time.Time{}); err != nil {
			return InviteAnsweredMsg{Err: err}
		}
		done := "tui.invite.done." + strings.ToLower(a.PartStat)
		obj, cal, found := w.findUID(accts, inv.Invite.UID)
		if found && !inv.Invite.RecurrenceID.IsZero() { // one occurrence of a series the member keeps
			return InviteAnsweredMsg{Done: done, Err: w.answerOccurrence(cal, obj, inv.Data, me, a.PartStat)}
		}
		if a.PartStat == "DECLINED" {
			if found {
				return InviteAnsweredMsg{Done: done, Err: w.deleteIn(cal, obj)}
			}
			return InviteAnsweredMsg{Done: done}
		}
		if a.Calendar == 0 {
			return InviteAnsweredMsg{Done: done}
		}
		stored, err := calendar.Stored(inv.Data, me, a.PartStat)
		if err != nil {
			return InviteAnsweredMsg{Err: err}
		}
		c, sy, _, err := w.open(a.Calendar)
		if err != nil {
			return InviteAnsweredMsg{Err: err}
		}
		href, base := calendar.HrefFor(c, inv.Invite.UID), store.CalObject{}
		if found && cal == a.Calendar {
			href, base = obj.Href, obj
		}
		err = sy.Save(w.ctx, c, href, base, stored)
		if errors.Is(err, calendar.ErrQueued) {
			err = nil // kept, sent later; the reply is queued anyway
		}
		return InviteAnsweredMsg{Done: done, Err: err}
	case "CANCEL":
		obj, cal, found := w.findUID(accts, inv.Invite.UID)
		if !found {
			return InviteAnsweredMsg{Done: "tui.invite.done.not_in_calendar"}
		}
		if !inv.Invite.RecurrenceID.IsZero() {
			return InviteAnsweredMsg{Done: "tui.invite.done.removed", Err: w.cancelOccurrence(cal, obj, inv.Data)}
		}
		return InviteAnsweredMsg{Done: "tui.invite.done.removed", Err: w.deleteIn(cal, obj)}
	case "REPLY":
		obj, cal, found := w.findUID(accts, inv.Invite.UID)
		if !found {
			return InviteAnsweredMsg{Done: "tui.invite.done.not_in_calendar"}
		}
		updated, changed, err := calendar.ApplyReply(obj.Data, inv.Data)
		if err != nil || !changed {
			return InviteAnsweredMsg{Done: "tui.invite.done.applied", Err: err}
		}
		c, sy, _, err := w.open(cal)
		if err == nil {
			err = sy.Save(w.ctx, c, obj.Href, obj, updated)
		}
		if errors.Is(err, calendar.ErrQueued) {
			err = nil
		}
		return InviteAnsweredMsg{Done: "tui.invite.done.applied", Err: err}
	}
	return InviteAnsweredMsg{}
}

// answerOccurrence applies the member's answer to an invitation for one
// occurrence to the series obj they keep: accepted or tentative, the
// occurrence becomes the series' override; declined, it leaves their copy.
func (w calWriter) answerOccurrence(cal store.CalendarID, obj store.CalObject, msg, me, partstat string) error {
	if partstat == "DECLINED" {
		return w.cancelOccurrence(cal, obj, msg)
	}
	stored, err := calendar.Stored(msg, me, partstat)
	if err != nil {
		return err
	}
	merged, err := calendar.MergeOccurrence(w.latest(cal, obj), stored, w.loc)
	if err != nil {
		return err
	}
	return w.saveIn(cal, obj, merged)
}

// cancelOccurrence removes the occurrences msg names from the series obj,
// or the whole object when nothing else is left of it.
func (w calWriter) cancelOccurrence(cal store.CalendarID, obj store.CalObject, msg string) error {
	updated, empty, err := calendar.CancelOccurrence(w.latest(cal, obj), msg, w.loc)
	if err != nil {
		return err
	}
	if empty {
		return w.deleteIn(cal, obj)
	}
	return w.saveIn(cal, obj, updated)
}

// latest is the member's version of obj: a change of theirs still queued
// for the server (an earlier answer made offline), else the synced one.
func (w calWriter) latest(cal store.CalendarID, obj store.CalObject) string {
	q, err := w.st.CalObjectsIn(w.ctx, cal, store.CalPending)
	if err == nil {
		for _, o := range q {
			if o.ConflictOf == obj.Href {
				return o.Data
			}
		}
	}
	return obj.Data
}

func (w calWriter) saveIn(cal store.CalendarID, obj store.CalObject, data string) error {
	c, sy, _, err := w.open(cal)
	if err != nil {
		return err
	}
	if err := sy.Save(w.ctx, c, obj.Href, obj, data); err != nil && !errors.Is(err, calendar.ErrQueued) {
		return err
	}
	return nil
}

// findUID finds the synced event with uid in the member's calendars.
func (w calWriter) findUID(accts []store.AccountID, uid string) (store.CalObject, store.CalendarID, bool) {
	cals, err := calendarsOf(w.ctx, w.st, accts)
	if err != nil {
		return store.CalObject{}, 0, false
	}
	for _, c := range cals {
		if o, err := w.st.CalObjectByUID(w.ctx, c.ID, uid); err == nil {
			return o, c.ID, true
		}
	}
	return store.CalObject{}, 0, false
}

func (w calWriter) deleteIn(cal store.CalendarID, obj store.CalObject) error {
	c, sy, _, err := w.open(cal)
	if err != nil {
		return err
	}
	if err := sy.Delete(w.ctx, c, obj); err != nil && !errors.Is(err, calendar.ErrQueued) {
		return err
	}
	return nil
}

// onInviteAnswered shows the outcome and rereads the card.
func (m *Model) onInviteAnswered(msg InviteAnsweredMsg) tea.Cmd {
	if msg.Err != nil {
		m.status.SetError(m.c.P.T("tui.invite.failed", common.Clean(msg.Err.Error())))
		return nil
	}
	if msg.Done != "" {
		m.status.SetNotice(m.c.P.T(msg.Done))
	}
	return nil
}
