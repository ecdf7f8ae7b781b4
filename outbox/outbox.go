// Package outbox sends mail: it queues built messages in the store (so an
// offline or scheduled send survives restarts), hands them to the
// account's SMTP submission server (RFC 6409) through account.Dialer when
// they are due, files exactly one copy in Sent, and keeps drafts on the
// server's Drafts folder in step.
//
// Each message leaves once: a sender claims it in the store before the
// SMTP transaction, so a TUI and a `magpie sync --daemon` running at the
// same time never both send it. A failure never loses the message: it is
// kept queued (transient) or failed with its reason (refused for good).
//
// The package words nothing for people; its errors are typed for ui.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

// Outbox sends one store's queued mail. It is safe for concurrent use;
// Flush calls for the same account may overlap without sending twice.
type Outbox struct {
	Store  *store.Store
	Dialer *account.Dialer
	// Now is the clock (nil: time.Now); tests move it.
	Now func() time.Time
	// DetectWait bounds how long after a send Sent is searched for the
	// message when learning whether the server files sent mail itself
	// (0: 3 s). A server slower than that is still caught: the Sent copy's
	// APPEND looks for the message first (mailsync) and learns it then.
	DetectWait time.Duration
}

func (o *Outbox) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// TooLargeError means a message exceeds what the server (its SIZE, RFC
// 1870) or the provider accepts.
type TooLargeError struct {
	Size, Limit int64
	Provider    bool // the limit is the provider's published one, not the server's SIZE
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("outbox: message of %d bytes exceeds the limit of %d", e.Size, e.Limit)
}

// RejectedError means the server refused the message for good (a 5xx
// reply, RFC 5321 §4.2.1): a recipient (Recipients set), the sender, or
// the content.
type RejectedError struct {
	Stage      string   // "sender", "recipient" or "data"
	Recipients []string // refused recipients (Stage "recipient")
	Code       int
	Text       string
}

func (e *RejectedError) Error() string {
	if len(e.Recipients) > 0 {
		return fmt.Sprintf("outbox: server refused recipient %s: %d %s", strings.Join(e.Recipients, ", "), e.Code, e.Text)
	}
	return fmt.Sprintf("outbox: server refused the %s: %d %s", e.Stage, e.Code, e.Text)
}

// ErrNoSMTP means the account has no SMTP server configured.
var ErrNoSMTP = errors.New("outbox: account has no smtp server")

// CheckSize returns a *TooLargeError when size exceeds the provider's
// published limit (e.g. Exmail's 50 MB); nil otherwise. The composer and
// the command line warn with it before queuing.
func CheckSize(a account.Account, size int64) error {
	if limit := a.SendLimit(); limit > 0 && size > limit {
		return &TooLargeError{Size: size, Limit: limit, Provider: true}
	}
	return nil
}

// Queue builds m and puts it in the account's outbox, to leave at at (zero:
// at the next flush). m's Date and MessageID are filled in. Bcc goes into
// the envelope only. When From is one of a's mail groups, m.Sender is set
// to the member (RFC 5322 §3.6.2) unless given, and the envelope sender is
// a.EnvelopeFrom's.
func (o *Outbox) Queue(ctx context.Context, a account.Account, m *message.Outgoing, at time.Time) (store.OutboxID, error) {
	if a.SMTP.IsZero() {
		return 0, ErrNoSMTP
	}
	if m.Date.IsZero() {
		m.Date = o.now()
		if at.After(m.Date) {
			m.Date = at // a scheduled message is dated when it leaves
		}
	}
	if _, ok := a.GroupIdentity(m.From.Addr); ok && m.Sender.Addr == "" {
		m.Sender = message.Address{Name: a.DisplayName, Addr: a.Email}
	}
	raw, err := m.Build()
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	acct, err := o.Store.Account(ctx, a.Name)
	if err != nil {
		return 0, err
	}
	return o.Store.QueueOutgoing(ctx, store.Outgoing{
		Account: acct, From: a.EnvelopeFrom(m.From.Addr), Rcpts: m.Recipients(), MsgID: m.MessageID,
		Subject: m.Subject, Raw: raw, NotBefore: at,
	})
}
