package rules_test

import (
	"bytes"
	netmail "net/mail"
	"path/filepath"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/outbox"
	"github.com/magpie-mail/magpie/rules"
	"github.com/magpie-mail/magpie/store"
)

// TestForwardOnArrival: with no ManageSieve, a forward rule redirects new
// mail through the outbox and the real Postfix: the copy arrives unchanged
// but for Resent- fields naming the account; mail the account redirected
// already is not forwarded again (no loop).
func TestForwardOnArrival(t *testing.T) {
	pf := testenv.Postfix(t)
	d := pf.Dovecot
	u, assistant := d.NewUser(t), d.NewUser(t)
	imapEP, _ := account.ParseEndpoint(d.IMAPSAddr(), account.SecurityTLS)
	smtpEP, _ := account.ParseEndpoint(pf.SubmissionAddr(), account.SecuritySTARTTLS)
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(t.Context(), "dove", u.Password)
	a := account.Account{Name: "dove", Email: u.Email, Kind: account.KindMember, IMAP: imapEP, SMTP: smtpEP,
		CAFile: d.CAFile, Sieve: account.SieveSetting{Off: true}}
	dialer := &account.Dialer{Secrets: secrets, Timeout: 10 * time.Second}
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acct, _ := st.Account(t.Context(), "dove")
	set := rules.Set{Rules: []rules.Rule{{Name: "助理",
		Conditions: []rules.Condition{{Field: rules.FieldSubject, Match: rules.MatchContains, Value: "转给助理"}},
		Actions:    []rules.Action{{Kind: rules.ActionForward, Arg: assistant.Email}}}}}
	if err := rules.SaveLocal(t.Context(), st, acct, set); err != nil {
		t.Fatal(err)
	}
	fwd := rules.OutboxForwarder{Outbox: &outbox.Outbox{Store: st, Dialer: dialer, DetectWait: 200 * time.Millisecond}, Account: a}
	w := runWatchedFwd(t, a, dialer, st, fwd)
	defer w.stop()
	waitFor(t, "the first INBOX pass", func() bool { w.mu.Lock(); defer w.mu.Unlock(); return w.synced > 0 })

	orig := mail("boss@corp.example", u.Email, "请转给助理：报价单", "", "明天之前处理。")
	d.Deliver(t, u.Email, orig)
	id := mustMsgID(t, orig)
	pf.WaitMessage(t, assistant.Name, "INBOX", id)
	got := []byte(d.Doveadm(t, "fetch", "-u", assistant.Email, "text", "mailbox", "INBOX", "header", "Message-ID", id))
	for _, want := range [][]byte{[]byte("Resent-From: <" + u.Email + ">"), []byte("Resent-To: <" + assistant.Email + ">"),
		[]byte("From: boss@corp.example"), []byte("明天之前处理。")} {
		if !bytes.Contains(got, want) {
			t.Errorf("the forwarded copy lacks %q:\n%s", want, got)
		}
	}

	// Mail this account redirected already is left alone.
	looped := mail("boss@corp.example", u.Email, "转给助理 again", "Resent-From: <"+u.Email+">\r\n", "loop")
	d.Deliver(t, u.Email, looped)
	waitFor(t, "the rules to see the looping message", func() bool { w.mu.Lock(); defer w.mu.Unlock(); return w.unforwarded > 0 })
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.forwarded != 1 || w.unforwarded != 1 {
		t.Errorf("forwarded %d, not forwarded %d; want 1 and 1", w.forwarded, w.unforwarded)
	}
	if left, _ := st.Outbox(t.Context(), acct); len(left) != 0 {
		t.Errorf("outbox still holds %d", len(left))
	}
}

func mustMsgID(t *testing.T, raw []byte) string {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	id := m.Header.Get("Message-ID")
	return id[1 : len(id)-1]
}
