package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/outbox"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/outboxview"
)

// outboxJSON is one message not sent yet, in `magpie status --json`.
type outboxJSON struct {
	ID        int64    `json:"id"`
	State     string   `json:"state"` // queued, scheduled, sending, failed
	From      string   `json:"from"`
	To        []string `json:"to"` // every envelope recipient, Bcc included
	Subject   string   `json:"subject"`
	NotBefore *string  `json:"not_before"` // RFC 3339; null: as soon as possible
	Attempts  int      `json:"attempts"`
	// Problem says why it did not leave, worded for people; null: none.
	Problem *string `json:"problem"`
}

func outboxState(o store.Outgoing, now time.Time) string {
	switch {
	case o.State == store.OutFailed:
		return "failed"
	case o.State == store.OutSending:
		return "sending"
	case o.NotBefore.After(now):
		return "scheduled"
	}
	return "queued"
}

// headerFrom is the message's From address (the envelope sender differs
// when writing as a group).
func headerFrom(o store.Outgoing) string {
	if p, err := message.Parse(o.Raw); err == nil && len(p.From) > 0 {
		return p.From[0].Addr
	}
	return o.From
}

func (s *Session) outboxRow(o store.Outgoing) *outboxJSON {
	row := &outboxJSON{ID: int64(o.ID), State: outboxState(o, time.Now()), From: headerFrom(o), To: o.Rcpts,
		Subject: message.SanitizeLine(o.Subject), Attempts: o.Attempts}
	if !o.NotBefore.IsZero() {
		t := o.NotBefore.Format(time.RFC3339)
		row.NotBefore = &t
	}
	if err := outbox.StoredError(o.Reason); err != nil {
		w := outboxview.Problem(s.P, err)
		row.Problem = &w
	}
	return row
}

// printOutboxStatus lists every message not sent yet: queued, scheduled
// with its time, failed with why and what to do.
func (s *Session) printOutboxStatus(list []accountStatus) {
	p := s.P
	title := false
	for _, as := range list {
		for _, o := range as.outbox {
			if !title {
				fmt.Fprintln(s.Stdout, p.T("status.outbox_title"))
				title = true
			}
			name, subj := as.acct.Name, message.SanitizeLine(o.Subject)
			to := message.SanitizeLine(strings.Join(o.Rcpts, ", "))
			switch outboxState(o, time.Now()) {
			case "failed":
				fmt.Fprintln(s.Stdout, p.T("status.outbox_failed", name, subj, to,
					outboxview.Problem(p, outbox.StoredError(o.Reason)), p.T("status.outbox_fix_cli")))
			case "sending":
				fmt.Fprintln(s.Stdout, p.T("status.outbox_sending", name, subj, to))
			case "scheduled":
				fmt.Fprintln(s.Stdout, p.T("status.outbox_scheduled", name, o.NotBefore.Local().Format("2006-01-02 15:04"), subj, to))
			default:
				fmt.Fprintln(s.Stdout, p.T("status.outbox_queued", name, subj, to))
			}
		}
	}
}
