package outbox

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

// TestPostfixRefusesARecipient: the test Postfix refuses
// testenv.RejectedRecipient at RCPT; the message is not sent to anyone
// (no partial delivery), kept as failed with the reason, and — taken back
// as a draft, the address fixed — sent.
func TestPostfixRefusesARecipient(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a := w.memberAcct
	a.SentCopy = account.SentCopyServer // only the refusal matters here
	m := &message.Outgoing{From: message.Address{Addr: a.Email},
		To: []message.Address{{Name: "王芳", Addr: w.rcpt.Email}, {Addr: testenv.RejectedRecipient}}, Subject: "退信测试", Text: "正文"}
	id, err := w.ob.Queue(ctx, a, m, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := w.ob.Flush(ctx, a)
	if err != nil || len(rep.Outcomes) != 1 {
		t.Fatalf("flush %+v %v", rep, err)
	}
	var re *RejectedError
	if !errors.As(rep.Outcomes[0].Err, &re) || re.Stage != "recipient" || re.Code != 550 ||
		len(re.Recipients) != 1 || re.Recipients[0] != testenv.RejectedRecipient || rep.Outcomes[0].Kept {
		t.Fatalf("outcome %+v", rep.Outcomes[0])
	}
	o, err := w.st.OutgoingByID(ctx, id)
	if err != nil || o.State != store.OutFailed {
		t.Fatalf("kept %+v %v", o, err)
	}
	if err := StoredError(o.Reason); !errors.As(err, &re) || re.Recipients[0] != testenv.RejectedRecipient {
		t.Fatalf("stored reason %q", o.Reason)
	}

	// Back to a draft, the bad address dropped, sent again.
	did, err := w.ob.ToDraft(ctx, a, id)
	if err != nil {
		t.Fatal(err)
	}
	acct, _ := w.st.Account(ctx, a.Name)
	drafts, _ := w.st.Drafts(ctx, acct)
	var d *message.Outgoing
	for _, x := range drafts {
		if x.ID == did {
			d, _ = message.Reopen(x.Raw)
		}
	}
	if d == nil || len(d.To) != 2 {
		t.Fatalf("draft %+v", d)
	}
	d.To, d.Draft, d.From = d.To[:1], false, message.Address{Addr: a.Email}
	if _, err := w.ob.Queue(ctx, a, d, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if rep, err := w.ob.Flush(ctx, a); err != nil || rep.Sent() != 1 {
		t.Fatalf("second flush %+v %v", rep, err)
	}
	raw := w.fetch(w.rcpt, "INBOX", d.MessageID)
	if p, err := message.Parse(raw); err != nil || p.Subject != "退信测试" {
		t.Fatalf("arrived: %v %v", p, err)
	}
	// Only the fixed message arrived: the refused one reached no one.
	if n := w.pf.Dovecot.MessageCount(t, w.rcpt.Name, "INBOX"); n != 1 {
		t.Fatalf("%d messages arrived, want 1", n)
	}
}

// TestPostfixSizeLimit: a message above Postfix's message_size_limit (its
// EHLO SIZE, RFC 1870) is refused before anything is sent and kept.
func TestPostfixSizeLimit(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a := w.memberAcct
	a.SentCopy = account.SentCopyServer
	c, err := w.dialer.DialSMTP(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	limit, ok := c.MaxMessageSize()
	c.Close()
	if !ok || limit <= 0 {
		t.Fatalf("Postfix advertises no SIZE: %d %v", limit, ok)
	}
	// Base64 grows an attachment by 4/3 (and line breaks): a little over
	// 3/4 of the limit is just above it.
	m := &message.Outgoing{From: message.Address{Addr: a.Email}, To: []message.Address{{Addr: w.rcpt.Email}}, Subject: "太大",
		Attachments: []message.Part{{Filename: "大文件.bin", Data: make([]byte, limit*3/4+1024)}}}
	id, err := w.ob.Queue(ctx, a, m, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := w.ob.Flush(ctx, a)
	var tl *TooLargeError
	if err != nil || len(rep.Outcomes) != 1 || !errors.As(rep.Outcomes[0].Err, &tl) || tl.Limit != int64(limit) || tl.Provider {
		t.Fatalf("flush %+v %v", rep, err)
	}
	if o, _ := w.st.OutgoingByID(ctx, id); o.State != store.OutFailed {
		t.Fatalf("state %v", o.State)
	}
	if n := w.pf.Dovecot.MessageCount(t, w.rcpt.Name, "INBOX"); n != 0 {
		t.Fatalf("%d messages arrived", n)
	}
}
