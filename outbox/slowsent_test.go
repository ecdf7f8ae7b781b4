package outbox

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/quirkserver"
	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

// slowFiler is a submission server that files each message in the
// sender's Sent folder itself, but only once release is closed: a server
// slower than the outbox's detection.
type slowFiler struct {
	imap    *quirkserver.MemBackend
	release chan struct{}
}

func (b *slowFiler) NewSession(*smtp.Conn) (smtp.Session, error) { return &slowSession{b: b}, nil }

type slowSession struct{ b *slowFiler }

func (s *slowSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *slowSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error { return nil }), nil
}
func (s *slowSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *slowSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *slowSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	go func() {
		<-s.b.release
		_, _ = s.b.imap.Append("me@x.test", "Sent", raw, []imap.Flag{imap.FlagSeen}, time.Now())
	}()
	return nil
}
func (s *slowSession) Reset()        {}
func (s *slowSession) Logout() error { return nil }

// sentCount counts the messages with msgID in the account's Sent folder.
func sentCount(t *testing.T, d *account.Dialer, a account.Account, msgID string) int {
	t.Helper()
	c, err := d.DialIMAP(context.Background(), a, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Select("Sent", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	data, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: msgID}}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return len(data.AllUIDs())
}

func TestSlowServerFilingSentGetsNoSecondCopy(t *testing.T) {
	ctx := context.Background()
	mem, err := quirkserver.NewMemBackend(map[string]string{"me@x.test": "secret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mem.Close() })
	b := &slowFiler{imap: mem, release: make(chan struct{})}
	srv := smtp.NewServer(b)
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	imapEP, err := account.ParseEndpoint(mem.Addr(), account.SecurityInsecurePlain)
	if err != nil {
		t.Fatal(err)
	}
	a := account.Account{Name: "local", Email: "me@x.test", Kind: account.KindMember, IMAP: imapEP,
		SMTP: account.Endpoint{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, Security: account.SecurityInsecurePlain}}
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(ctx, "local", "secret")
	d := &account.Dialer{Secrets: secrets, Timeout: 5 * time.Second}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ob := &Outbox{Store: st, Dialer: d, DetectWait: 100 * time.Millisecond}

	m := &message.Outgoing{From: message.Address{Addr: a.Email}, To: []message.Address{{Addr: "x@y.test"}}, Subject: "慢", Text: "x"}
	if _, err := ob.Queue(ctx, a, m, time.Time{}); err != nil {
		t.Fatal(err)
	}
	rep, err := ob.Flush(ctx, a)
	if err != nil || rep.Sent() != 1 || !rep.Outcomes[0].SentCopy {
		// The server had not filed it within the detection window: a copy is queued.
		t.Fatalf("flush %+v %v", rep, err)
	}
	// The server's own copy lands after detection gave up, before the
	// queued copy is uploaded.
	close(b.release)
	for deadline := time.Now().Add(30 * time.Second); sentCount(t, d, a, m.MessageID) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the server never filed its copy")
		}
	}
	if err := mailsync.New(a, d, st, mailsync.Options{}).ReplayOps(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sentCount(t, d, a, m.MessageID); n != 1 {
		t.Fatalf("%d copies in Sent, want 1", n)
	}
	acct, _ := st.Account(ctx, a.Name)
	if ops, _ := st.PendingOps(ctx, acct); len(ops) != 0 {
		t.Fatalf("pending ops left: %+v", ops)
	}
	// Learnt: the next send queues no copy at all.
	if saves, known, _ := st.ServerSavesSent(ctx, acct); !saves || !known {
		t.Fatalf("not learnt: saves=%v known=%v", saves, known)
	}
	m2 := &message.Outgoing{From: message.Address{Addr: a.Email}, To: []message.Address{{Addr: "x@y.test"}}, Subject: "再一封", Text: "y"}
	if _, err := ob.Queue(ctx, a, m2, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if rep, err := ob.Flush(ctx, a); err != nil || rep.Sent() != 1 || rep.Outcomes[0].SentCopy {
		t.Fatalf("second flush %+v %v", rep, err)
	}
	for deadline := time.Now().Add(30 * time.Second); sentCount(t, d, a, m2.MessageID) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the server never filed the second copy")
		}
	}
	if n := sentCount(t, d, a, m2.MessageID); n != 1 {
		t.Fatalf("%d copies of the second message, want 1", n)
	}
}
