package outbox

import (
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// refusingServer is an in-process submission server that refuses the
// recipients named in refuse with 550 and messages above its SIZE. The
// test Postfix accepts every recipient of its domain at RCPT time (it
// bounces later, from LMTP), so an RCPT refusal needs a server of our own.
type refusingServer struct {
	refuse   map[string]bool
	mu       sync.Mutex
	accepted int
	froms    []string // envelope senders, in order
	last     []byte   // the last message accepted
}

func (b *refusingServer) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &refusingSession{b: b}, nil
}

type refusingSession struct{ b *refusingServer }

func (s *refusingSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *refusingSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "me@x.test" || pass != "secret" {
			return &smtp.SMTPError{Code: 535, Message: "authentication failed"}
		}
		return nil
	}), nil
}
func (s *refusingSession) Mail(from string, _ *smtp.MailOptions) error {
	s.b.mu.Lock()
	s.b.froms = append(s.b.froms, from)
	s.b.mu.Unlock()
	return nil
}
func (s *refusingSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.b.refuse[to] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
	}
	return nil
}
func (s *refusingSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	s.b.mu.Lock()
	s.b.last = raw
	s.b.accepted++
	s.b.mu.Unlock()
	return err
}
func (s *refusingSession) Reset()        {}
func (s *refusingSession) Logout() error { return nil }

func startRefusing(t *testing.T, maxBytes int64, refuse ...string) (*refusingServer, account.Account, *Outbox) {
	t.Helper()
	b := &refusingServer{refuse: map[string]bool{}}
	for _, r := range refuse {
		b.refuse[r] = true
	}
	srv := smtp.NewServer(b)
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = maxBytes
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	port := ln.Addr().(*net.TCPAddr).Port
	a := account.Account{Name: "local", Email: "me@x.test", Kind: account.KindMember,
		IMAP: account.Endpoint{Host: "127.0.0.1", Port: closedPort(t), Security: account.SecurityInsecurePlain},
		SMTP: account.Endpoint{Host: "127.0.0.1", Port: port, Security: account.SecurityInsecurePlain}}
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(context.Background(), "local", "secret")
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return b, a, &Outbox{Store: st, Dialer: &account.Dialer{Secrets: secrets, Timeout: 5 * time.Second}}
}

func TestRejectedRecipientKeepsTheMessage(t *testing.T) {
	b, a, ob := startRefusing(t, 1<<20, "nobody@x.test")
	ctx := context.Background()
	a.SentCopy = account.SentCopyServer // no IMAP here
	m := &message.Outgoing{From: message.Address{Addr: a.Email},
		To: []message.Address{{Addr: "ok@x.test"}, {Addr: "nobody@x.test"}}, Subject: "退信", Text: "hi"}
	id, err := ob.Queue(ctx, a, m, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	good := &message.Outgoing{From: message.Address{Addr: a.Email}, To: []message.Address{{Addr: "ok@x.test"}}, Subject: "fine", Text: "hi"}
	if _, err := ob.Queue(ctx, a, good, time.Time{}); err != nil {
		t.Fatal(err)
	}
	rep, err := ob.Flush(ctx, a)
	if err != nil || len(rep.Outcomes) != 2 {
		t.Fatalf("flush %+v %v", rep, err)
	}
	var re *RejectedError
	if !errors.As(rep.Outcomes[0].Err, &re) || re.Stage != "recipient" || re.Code != 550 ||
		strings.Join(re.Recipients, ",") != "nobody@x.test" || rep.Outcomes[0].Kept {
		t.Fatalf("outcome %+v", rep.Outcomes[0])
	}
	// The next message on the same connection still leaves.
	if rep.Outcomes[1].Err != nil || b.accepted != 1 {
		t.Fatalf("second message: %+v, accepted %d", rep.Outcomes[1], b.accepted)
	}
	o, err := ob.Store.OutgoingByID(ctx, id)
	if err != nil || o.State != store.OutFailed || !strings.Contains(o.Reason, "nobody@x.test") || len(o.Raw) == 0 {
		t.Fatalf("kept message %+v %v", o, err)
	}
	// Fixed (the member drops the address and retries): it is queued again.
	if err := ob.Store.RetryOutgoing(ctx, id, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if left, _ := ob.Store.Outbox(ctx, 0); len(left) != 1 || left[0].State != store.OutQueued {
		t.Fatalf("outbox %+v", left)
	}
}

func TestTooLargeForTheServerIsRefusedBeforeSending(t *testing.T) {
	b, a, ob := startRefusing(t, 4096)
	ctx := context.Background()
	m := &message.Outgoing{From: message.Address{Addr: a.Email}, To: []message.Address{{Addr: "ok@x.test"}},
		Subject: "big", Attachments: []message.Part{{Filename: "big.bin", Data: make([]byte, 10000)}}}
	id, err := ob.Queue(ctx, a, m, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ob.Flush(ctx, a)
	var tl *TooLargeError
	if err != nil || len(rep.Outcomes) != 1 || !errors.As(rep.Outcomes[0].Err, &tl) || tl.Limit != 4096 || tl.Provider {
		t.Fatalf("flush %+v %v", rep, err)
	}
	if b.accepted != 0 {
		t.Fatal("sent anyway")
	}
	if o, _ := ob.Store.OutgoingByID(ctx, id); o.State != store.OutFailed {
		t.Fatalf("state %v", o.State)
	}
	exmail := account.Account{Provider: "exmail"}
	if err := CheckSize(exmail, 51<<20); !errors.As(err, &tl) || !tl.Provider || tl.Limit != 50<<20 {
		t.Fatalf("provider limit: %v", err)
	}
	if CheckSize(exmail, 49<<20) != nil || CheckSize(account.Account{}, 1<<40) != nil {
		t.Fatal("false alarm")
	}
}

func TestWrongPasswordKeepsMessagesQueued(t *testing.T) {
	_, a, ob := startRefusing(t, 1<<20)
	ctx := context.Background()
	_ = ob.Dialer.Secrets.Set(ctx, "local", "wrong")
	m := &message.Outgoing{From: message.Address{Addr: a.Email}, To: []message.Address{{Addr: "ok@x.test"}}, Text: "x"}
	id, _ := ob.Queue(ctx, a, m, time.Time{})
	rep, err := ob.Flush(ctx, a)
	var ce *account.ConnError
	if err != nil || !errors.As(rep.ConnErr, &ce) || ce.Stage != account.StageLogin {
		t.Fatalf("flush %+v %v", rep, err)
	}
	if o, _ := ob.Store.OutgoingByID(ctx, id); o.State != store.OutQueued {
		t.Fatalf("state %v", o.State)
	}
}

func TestUploadPendingDraftsAfterAKill(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ob := &Outbox{Store: st} // no Dialer: everything stays local
	a := account.Account{Name: "work", Email: "me@x.test"}
	acct, _ := st.Account(ctx, "work")
	m := &message.Outgoing{From: message.Address{Addr: a.Email}, Subject: "半截", Text: "v1"}
	id, err := ob.SaveDraft(ctx, a, 0, m)
	if err != nil {
		t.Fatal(err)
	}
	if err := ob.UploadPendingDrafts(ctx, []account.Account{a}); !errors.Is(err, ErrNoDialer) {
		t.Fatalf("no Drafts folder known and no dialer: %v", err)
	}
	if _, err := st.UpsertFolder(ctx, store.Folder{Account: acct, Name: "Drafts", RawName: "Drafts", Role: "drafts"}); err != nil {
		t.Fatal(err)
	}
	pending := func() int {
		ops, _ := st.PendingOps(ctx, acct)
		return len(ops)
	}
	if err := ob.UploadPendingDrafts(ctx, []account.Account{a}); err != nil || pending() != 1 {
		t.Fatalf("first upload: %v, %d ops", err, pending())
	}
	if err := ob.UploadPendingDrafts(ctx, []account.Account{a}); err != nil || pending() != 1 {
		t.Fatalf("an unchanged draft was uploaded again: %d ops", pending())
	}
	m.Text = "v2"
	if _, err := ob.SaveDraft(ctx, a, id, m); err != nil {
		t.Fatal(err)
	}
	if err := ob.UploadPendingDrafts(ctx, []account.Account{a}); err != nil || pending() != 1 {
		// The first upload had not reached the server: it is replaced, not stacked.
		t.Fatalf("changed draft: %v, %d ops", err, pending())
	}
	ops, _ := st.PendingOps(ctx, acct)
	raw, _ := st.Raw(ctx, ops[0].Messages[0])
	if !strings.Contains(string(raw), "v2") {
		t.Fatalf("queued version %q", raw)
	}
}
