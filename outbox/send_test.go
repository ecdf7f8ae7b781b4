package outbox

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

// gbkName is a file name every GBK system can write (and Windows clients
// decode from GBK when a mailer sends it raw); it must arrive intact.
const gbkName = "第一季度销售报告（终稿）.pdf"

// bccField matches a Bcc header field at the start of a line.
var bccField = regexp.MustCompile(`(?im)^bcc[ \t]*:`)

func sendAs(t *testing.T, w *world, from account.Sender, subject string) (*message.Outgoing, store.OutboxID) {
	t.Helper()
	m := &message.Outgoing{
		From:       message.Address{Name: from.Name(), Addr: from.Identity.Address},
		To:         []message.Address{{Name: "王芳", Addr: w.rcpt.Email}},
		Bcc:        []message.Address{{Name: "秘密抄送", Addr: w.bcc.Email}},
		Subject:    subject,
		Text:       "王芳你好：\n\n" + strings.Repeat("附件是本季度的报告，请查收。", 8),
		Signature:  from.Signature(false),
		InReplyTo:  "parent-" + from.Account.Name + "@client.test",
		References: []string{"root@client.test", "parent-" + from.Account.Name + "@client.test"},
		Attachments: []message.Part{{Filename: gbkName, ContentType: "application/pdf",
			Data: append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 0xff, 0x80, '\n'}, 5000)...)}},
	}
	id, err := w.ob.Queue(context.Background(), from.Account, m, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return m, id
}

func TestSendFromPrimaryAliasAndBusiness(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	senders := w.cfg.Senders()
	if len(senders) != 3 {
		t.Fatalf("senders %+v", senders)
	}
	for i, from := range senders {
		m, _ := sendAs(t, w, from, "季度报告 "+from.Identity.Address)
		rep, err := w.ob.Flush(ctx, from.Account)
		if err != nil || rep.ConnErr != nil || rep.Sent() != 1 {
			t.Fatalf("%s: flush %+v %v\n%s", from.Identity.Address, rep, err, w.pf.LogTail(20))
		}
		raw := w.fetch(w.rcpt, "INBOX", m.MessageID)
		p, err := message.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.From) != 1 || p.From[0].Addr != from.Identity.Address || p.From[0].Name != from.Name() {
			t.Errorf("%d: From %v, want %s <%s>", i, p.From, from.Name(), from.Identity.Address)
		}
		if p.InReplyTo != m.InReplyTo || strings.Join(p.References, " ") != strings.Join(m.References, " ") {
			t.Errorf("%d: threading %q %v", i, p.InReplyTo, p.References)
		}
		if !strings.Contains(p.Text, "\n-- \n"+from.Signature(false)) {
			t.Errorf("%d: signature %q missing from %q", i, from.Signature(false), p.Text)
		}
		head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
		// A Bcc field by name (a random boundary or Message-ID may hold the
		// hex digits "bcc"), the address anywhere in the message.
		if bccField.Match(head) || bytes.Contains(raw, []byte(w.bcc.Email)) || len(p.Bcc) != 0 {
			t.Errorf("%d: Bcc visible to the recipient:\n%s", i, head)
		}
		if len(p.Attachments) != 1 || p.Attachments[0].Filename != gbkName {
			t.Fatalf("%d: attachments %+v", i, p.Attachments)
		}
		data, err := message.PartData(raw, p.Attachments[0].PartPath)
		if err != nil || !bytes.Equal(data, m.Attachments[0].Data) {
			t.Errorf("%d: attachment bytes changed (%v)", i, err)
		}
		// The Bcc recipient got it too.
		w.pf.WaitMessage(t, w.bcc.Name, "INBOX", m.MessageID)

		// Exactly one Sent copy: the outbox queued it, sync files it, a
		// second flush and sync add nothing.
		for range 2 {
			if _, err := mailsync.New(from.Account, w.dialer, w.st, mailsync.Options{}).SyncOnce(ctx); err != nil {
				t.Fatal(err)
			}
			if rep, _ := w.ob.Flush(ctx, from.Account); len(rep.Outcomes) != 0 {
				t.Fatalf("second flush sent again: %+v", rep)
			}
		}
		owner := w.member
		if from.Account.Name == "sales" {
			owner = w.business
		}
		if n := w.count(owner, "Sent", m.MessageID); n != 1 {
			t.Errorf("%d: %d copies in Sent, want 1", i, n)
		}
	}
	// Dovecot does not file submitted mail: what was learnt is remembered.
	acct, _ := w.st.Account(ctx, "work")
	if saves, known, _ := w.st.ServerSavesSent(ctx, acct); saves || !known {
		t.Errorf("sent filing not learnt: saves=%v known=%v", saves, known)
	}
}

func TestServerFiledSentIsNotCopied(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a := w.memberAcct
	a.SentCopy = account.SentCopyServer
	m, id := sendAs(t, w, account.Sender{Account: a, Identity: a.Identities()[0]}, "server files it")
	rep, err := w.ob.Flush(ctx, a)
	if err != nil || rep.Sent() != 1 || rep.Outcomes[0].SentCopy {
		t.Fatalf("flush %+v %v", rep, err)
	}
	acct, _ := w.st.Account(ctx, a.Name)
	if ops, _ := w.st.PendingOps(ctx, acct); len(ops) != 0 {
		t.Fatalf("a copy was queued although the server files sent mail: %+v", ops)
	}
	w.fetch(w.rcpt, "INBOX", m.MessageID)
	if o, _ := w.st.OutgoingByID(ctx, id); o.State != store.OutSent {
		t.Fatalf("state %v", o.State)
	}
}

func TestOfflineSendIsFlushedOnceOnReconnect(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	offline := w.memberAcct
	offline.SMTP.Port = closedPort(t)
	m, id := sendAs(t, w, account.Sender{Account: offline, Identity: offline.Identities()[0]}, "离线时写的")
	rep, err := w.ob.Flush(ctx, offline)
	var ce *account.ConnError
	if err != nil || !errors.As(rep.ConnErr, &ce) || len(rep.Outcomes) != 0 {
		t.Fatalf("offline flush: %+v %v", rep, err)
	}
	if o, _ := w.st.OutgoingByID(ctx, id); o.State != store.OutQueued {
		t.Fatalf("message not kept queued: %+v", o)
	}
	// Back online: two flushes race (the TUI and the daemon); it leaves once.
	var mu sync.Mutex
	sent := 0
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			rep, err := w.ob.Flush(ctx, w.memberAcct)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			sent += rep.Sent()
			mu.Unlock()
		})
	}
	wg.Wait()
	if sent != 1 {
		t.Fatalf("sent %d times", sent)
	}
	w.fetch(w.rcpt, "INBOX", m.MessageID) // fails unless exactly one arrived
}

func TestScheduledSendLeavesAtItsTime(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	now := time.Now()
	w.ob.Now = func() time.Time { return now }
	at := now.Add(90 * time.Minute)
	m := &message.Outgoing{From: message.Address{Addr: w.member.Email}, To: []message.Address{{Addr: w.rcpt.Email}},
		Subject: "定时发送", Text: "明早九点发出"}
	id, err := w.ob.Queue(ctx, w.memberAcct, m, at)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Date.Equal(at) {
		t.Errorf("a scheduled message is dated %v, want %v", m.Date, at)
	}
	rep, err := w.ob.Flush(ctx, w.memberAcct)
	if err != nil || len(rep.Outcomes) != 0 || rep.ConnErr != nil {
		t.Fatalf("flush before its time: %+v %v", rep, err)
	}
	if o, _ := w.st.OutgoingByID(ctx, id); o.State != store.OutQueued || !o.NotBefore.Equal(at.Truncate(time.Second)) {
		t.Fatalf("waiting message %+v", o)
	}
	now = at.Add(time.Second)
	// Run is what `magpie sync --daemon` and the TUI run: it flushes on start.
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan Report, 1)
	go func() {
		_ = w.ob.Run(runCtx, []account.Account{w.memberAcct}, nil, time.Hour, func(r Report) { done <- r })
	}()
	rep = <-done
	cancel()
	if rep.Sent() != 1 {
		t.Fatalf("due message: %+v", rep)
	}
	w.fetch(w.rcpt, "INBOX", m.MessageID)
}
