package outbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

// ErrNoRecipient means a redirect was asked for without an address.
var ErrNoRecipient = errors.New("outbox: redirect without a recipient")

// QueueRedirect puts raw, a message a received, in a's outbox to be
// redirected to rcpts (a client-side rule's forward): the message leaves
// unchanged but for a block of Resent- fields prepended (RFC 5322 §3.6.6:
// Resent-Date, Resent-From, Resent-To, Resent-Message-ID), with a's
// address as the envelope sender (RFC 5321 §3.3), so the receiving side
// checks a's server, not the original sender's. It is sent at the next
// flush. Like every sent message it may be filed in Sent (outbox's Sent
// copy rules).
func (o *Outbox) QueueRedirect(ctx context.Context, a account.Account, raw []byte, rcpts []string) (store.OutboxID, error) {
	if a.SMTP.IsZero() {
		return 0, ErrNoSMTP
	}
	if len(rcpts) == 0 {
		return 0, ErrNoRecipient
	}
	for _, r := range rcpts {
		if strings.ContainsAny(r, "\r\n<>,") || !strings.Contains(r, "@") {
			return 0, fmt.Errorf("outbox: redirect to %q: not an address", r)
		}
	}
	now := o.now()
	id := message.NewMessageID(now, a.Email)
	var b bytes.Buffer
	fmt.Fprintf(&b, "Resent-Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Resent-From: <%s>\r\n", a.Email)
	fmt.Fprintf(&b, "Resent-To: %s\r\n", "<"+strings.Join(rcpts, ">, <")+">")
	fmt.Fprintf(&b, "Resent-Message-ID: <%s>\r\n", id)
	b.Write(crlf(raw))
	if err := CheckSize(a, int64(b.Len())); err != nil {
		return 0, err
	}
	acct, err := o.Store.Account(ctx, a.Name)
	if err != nil {
		return 0, err
	}
	// The outbox knows a message by the Message-ID it carries: for a
	// redirect that is the original's (the Resent-Message-ID is only ours),
	// which is what a server filing sent mail itself would file it under.
	msgID, subject := id, ""
	if p, err := message.Parse(raw); err == nil {
		subject = p.Subject
		if p.MessageID != "" {
			msgID = p.MessageID
		}
	}
	return o.Store.QueueOutgoing(ctx, store.Outgoing{Account: acct, From: a.Email, Rcpts: rcpts, MsgID: msgID,
		Subject: subject, Raw: b.Bytes()})
}

// crlf makes every line end in CRLF, as SMTP DATA wants (RFC 5321 §2.3.8).
func crlf(raw []byte) []byte {
	raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))
}
