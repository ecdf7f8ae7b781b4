package rules

import (
	"bytes"
	"context"
	"errors"
	"net/mail"
	"strings"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/outbox"
)

// Forwarder sends copies of messages on a client-side rule's behalf (the
// forward action where no server runs the rules). Forward queues one; Send
// pushes what was queued out now, best effort (what cannot leave stays
// queued for later).
type Forwarder interface {
	Forward(ctx context.Context, raw []byte, to string) error
	Send(ctx context.Context)
}

// ErrLoop means a forward was not made: the message was already redirected
// by this account (its Resent-From is one of the account's addresses), so
// forwarding it again could loop between two mailboxes.
var ErrLoop = errors.New("rules: message already redirected by this account")

// OutboxForwarder forwards through the account's outbox: the copy is a
// redirect (outbox.QueueRedirect) sent over the account's SMTP server.
type OutboxForwarder struct {
	Outbox  *outbox.Outbox
	Account account.Account
}

var _ Forwarder = OutboxForwarder{}

// Forward queues raw to be redirected to to, unless the account redirected
// it already (ErrLoop).
func (f OutboxForwarder) Forward(ctx context.Context, raw []byte, to string) error {
	if f.redirectedByUs(raw) {
		return ErrLoop
	}
	_, err := f.Outbox.QueueRedirect(ctx, f.Account, raw, []string{to})
	return err
}

// Send flushes the account's outbox (blocking, bounded by ctx).
func (f OutboxForwarder) Send(ctx context.Context) { _, _ = f.Outbox.Flush(ctx, f.Account) }

func (f OutboxForwarder) redirectedByUs(raw []byte) bool {
	head, _, _ := bytes.Cut(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")), []byte("\n\n"))
	m, err := mail.ReadMessage(bytes.NewReader(append(head, '\n', '\n')))
	if err != nil {
		return false
	}
	for _, v := range m.Header["Resent-From"] {
		list, err := mail.ParseAddressList(v)
		if err != nil {
			continue
		}
		for _, a := range list {
			for _, id := range f.Account.Identities() {
				if strings.EqualFold(a.Address, id.Address) {
					return true
				}
			}
		}
	}
	return false
}
