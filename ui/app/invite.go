package app

import (
	"context"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/outbox"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// sendRequest queues an iTIP REQUEST (iMIP, RFC 6047) from the account to
// the attendees of the stored event data; the outbox sends it while the
// app runs (or later, offline). It returns how many were invited.
func sendRequest(ctx context.Context, st *store.Store, p *i18n.Printer, acct account.Account, data string, attendees []string, now time.Time) (int, error) {
	req, err := calendar.Request(data)
	if err != nil {
		return 0, err
	}
	inv, err := calendar.ParseInvite(req, time.Local)
	if err != nil {
		return 0, err
	}
	m := &message.Outgoing{From: message.Address{Name: acct.DisplayName, Addr: acct.Email},
		Subject:  p.T("tui.invite.subject", inv.Summary),
		Text:     p.T("tui.invite.body", inv.Summary, inv.Start.Format("2006-01-02 15:04 MST"), inv.Location),
		Calendar: &message.CalendarPart{Method: "REQUEST", Data: req}, Date: now}
	for _, a := range attendees {
		m.To = append(m.To, message.Address{Addr: a})
	}
	ob := &outbox.Outbox{Store: st}
	if _, err := ob.Queue(ctx, acct, m, time.Time{}); err != nil {
		return 0, err
	}
	return len(attendees), nil
}
