package outbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

func TestGroupSendNamesTheMemberInSenderAndEnvelope(t *testing.T) {
	b, a, ob := startRefusing(t, 1<<20)
	ctx := context.Background()
	a.SentCopy = account.SentCopyServer
	a.DisplayName = "陈明"
	a.Groups = []account.Identity{{Address: "sales-team@x.test", Name: "销售组", Kind: account.IdentityGroup}}
	m := &message.Outgoing{From: message.Address{Name: "销售组", Addr: "sales-team@x.test"},
		To: []message.Address{{Addr: "client@y.test"}}, Subject: "报价", Text: "hi"}
	if _, err := ob.Queue(ctx, a, m, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if rep, err := ob.Flush(ctx, a); err != nil || rep.Sent() != 1 {
		t.Fatalf("flush %+v %v", rep, err)
	}
	p, err := message.Parse(b.last)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.From) != 1 || p.From[0].Addr != "sales-team@x.test" {
		t.Fatalf("From %v", p.From)
	}
	if !strings.Contains(string(b.last), "\r\nSender: =?UTF-8?B?6ZmI5piO?= <me@x.test>\r\n") || !strings.Contains(string(b.last), "<me@x.test>\r\n") {
		t.Fatalf("no Sender: naming the member:\n%s", b.last)
	}
	if len(b.froms) != 1 || b.froms[0] != "me@x.test" {
		t.Fatalf("envelope senders %v, want the member's own address", b.froms)
	}

	// The member's own address and an alias carry no Sender: field.
	m2 := &message.Outgoing{From: message.Address{Addr: a.Email}, To: []message.Address{{Addr: "client@y.test"}}, Text: "x"}
	if _, err := ob.Queue(ctx, a, m2, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if rep, err := ob.Flush(ctx, a); err != nil || rep.Sent() != 1 {
		t.Fatalf("flush %+v %v", rep, err)
	}
	if strings.Contains(string(b.last), "\r\nSender:") {
		t.Fatalf("Sender: on a message from the member:\n%s", b.last)
	}

	// A preset may want the group in the envelope too.
	if got := (account.Account{Email: "me@x.test", Groups: a.Groups}).EnvelopeFrom("sales-team@x.test"); got != "me@x.test" {
		t.Fatalf("envelope %q", got)
	}
}

func TestFailedMessageBackToADraftKeepsEverything(t *testing.T) {
	_, a, ob := startRefusing(t, 1<<20, "nobody@x.test")
	ctx := context.Background()
	a.SentCopy = account.SentCopyServer
	m := &message.Outgoing{From: message.Address{Addr: a.Email},
		To: []message.Address{{Name: "王芳", Addr: "nobody@x.test"}}, Bcc: []message.Address{{Addr: "boss@x.test"}},
		Subject: "季度报告", Text: "正文第一行\n第二行",
		Attachments: []message.Part{{Filename: "报告.txt", ContentType: "text/plain", Data: []byte("数据")}}}
	id, err := ob.Queue(ctx, a, m, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ob.Flush(ctx, a); err != nil {
		t.Fatal(err)
	}
	o, err := ob.Store.OutgoingByID(ctx, id)
	if err != nil || o.State != store.OutFailed {
		t.Fatalf("%+v %v", o, err)
	}
	var re *RejectedError
	if err := StoredError(o.Reason); !errors.As(err, &re) || re.Stage != "recipient" || re.Code != 550 || re.Recipients[0] != "nobody@x.test" {
		t.Fatalf("stored reason %q → %v", o.Reason, err)
	}

	did, err := ob.ToDraft(ctx, a, id)
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := ob.Store.Outbox(ctx, 0); len(left) != 0 {
		t.Fatalf("still in the outbox: %+v", left)
	}
	acct, _ := ob.Store.Account(ctx, a.Name)
	drafts, _ := ob.Store.Drafts(ctx, acct)
	if len(drafts) != 1 || drafts[0].ID != did {
		t.Fatalf("drafts %+v", drafts)
	}
	d, err := message.Reopen(drafts[0].Raw)
	if err != nil {
		t.Fatal(err)
	}
	if d.Subject != "季度报告" || !strings.Contains(d.Text, "第二行") || len(d.To) != 1 || d.To[0].Name != "王芳" ||
		len(d.Bcc) != 1 || d.Bcc[0].Addr != "boss@x.test" || len(d.Attachments) != 1 ||
		d.Attachments[0].Filename != "报告.txt" || string(d.Attachments[0].Data) != "数据" {
		t.Fatalf("draft %+v", d)
	}
	// Gone from the outbox: a second take is refused, nothing duplicated.
	if _, err := ob.ToDraft(ctx, a, id); err == nil {
		t.Fatal("taken twice")
	}
}

func TestRescheduleAndRetry(t *testing.T) {
	b, a, ob := startRefusing(t, 1<<20)
	ctx := context.Background()
	a.SentCopy = account.SentCopyServer
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.Local)
	ob.Now = func() time.Time { return now }
	m := &message.Outgoing{From: message.Address{Addr: a.Email}, To: []message.Address{{Addr: "x@y.test"}}, Text: "x"}
	id, err := ob.Queue(ctx, a, m, now.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := ob.Reschedule(ctx, id, now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if o, _ := ob.Store.OutgoingByID(ctx, id); !o.NotBefore.Equal(now.Add(24 * time.Hour)) {
		t.Fatalf("not before %v", o.NotBefore)
	}
	if rep, _ := ob.Flush(ctx, a); len(rep.Outcomes) != 0 || b.accepted != 0 {
		t.Fatalf("left before its time: %+v", rep)
	}
	if err := ob.Retry(ctx, id); err != nil { // send now
		t.Fatal(err)
	}
	if rep, _ := ob.Flush(ctx, a); rep.Sent() != 1 {
		t.Fatalf("retry: %+v", rep)
	}
	if err := ob.Reschedule(ctx, id, time.Time{}); !errors.Is(err, store.ErrClaimed) {
		t.Fatalf("a sent message rescheduled: %v", err)
	}
	if err := StoredError(ReasonInterrupted); !errors.Is(err, ErrInterrupted) {
		t.Fatal(err)
	}
}
