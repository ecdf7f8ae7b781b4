package rules_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/rules"
)

// sendVia hands raw to Postfix's MX-style listener, as mail from outside.
func sendVia(t *testing.T, p *testenv.PostfixServer, from, to string, raw []byte) {
	t.Helper()
	c, err := smtp.DialStartTLS(p.Addr(p.SMTPPort), p.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail(from, []string{to}, bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
}

// TestVacationThroughPostfix: the vacation reply answers a sender once
// within its days window, in Chinese and English, for mail to an alias too,
// and never answers a mailing list or an auto-submitted message (RFC 3834).
func TestVacationThroughPostfix(t *testing.T) {
	p := testenv.Postfix(t)
	d := p.Dovecot
	me := d.NewUser(t)
	friend, other, lister, robot := d.NewUser(t), d.NewUser(t), d.NewUser(t), d.NewUser(t)
	if p.SMTPPort != d.RelayPort {
		t.Fatalf("postfix SMTP on %d, Dovecot submits to %d", p.SMTPPort, d.RelayPort)
	}
	c := dialSieve(t, d, me)
	alias := "leave-alias@" + testenv.TestDomain
	today := time.Now()
	set := rules.Set{Vacation: &rules.Vacation{
		Enabled: true, Start: today.AddDate(0, 0, -1), End: today.AddDate(0, 0, 1), Days: 3,
		Subject: "休假中 / On leave", Body: "您好，我在休假，12 月 1 日回来。\nHello, I am on leave until 1 December.",
		Addresses: []string{me.Email, alias},
	}}
	if _, err := rules.Install(t.Context(), c, set, rules.CompileOptions{}, false); err != nil {
		t.Fatal(err)
	}

	sendVia(t, p, friend.Email, me.Email, mail(friend.Email, me.Email, "first", "", "hi"))
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(d.LogTail(30), p.LogTail(30))
		}
	})
	p.WaitMessages(t, friend.Email, "INBOX", 1)
	raw := d.Doveadm(t, "fetch", "-u", friend.Email, "text", "mailbox", "INBOX")
	msg, err := message.Parse([]byte(strings.TrimPrefix(raw, "text:\n")))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Subject != "休假中 / On leave" || !strings.Contains(msg.Text, "我在休假") || !strings.Contains(msg.Text, "on leave until") {
		t.Fatalf("reply: subject %q text %q", msg.Subject, msg.Text)
	}
	if !bytes.Contains([]byte(raw), []byte("Auto-Submitted: auto-replied")) {
		t.Errorf("reply lacks Auto-Submitted (RFC 3834 §5)")
	}

	// Within the window: no second reply to friend; none to a list or a
	// robot. Mail to the alias (To: header) from someone new is answered.
	sendVia(t, p, friend.Email, me.Email, mail(friend.Email, me.Email, "second", "", "hi again"))
	sendVia(t, p, lister.Email, me.Email, mail(lister.Email, me.Email, "list post", "List-Id: <team.lists.example>\r\n", "to all"))
	sendVia(t, p, robot.Email, me.Email, mail(robot.Email, me.Email, "robot", "Auto-Submitted: auto-generated\r\n", "beep"))
	sendVia(t, p, other.Email, me.Email, mail(other.Email, alias, "to the alias", "", "hello"))
	p.WaitMessages(t, me.Email, "INBOX", 5)
	p.WaitMessages(t, other.Email, "INBOX", 1)
	// Sieve runs during the LMTP delivery and submits replies before it
	// ends, and Postfix delivered other's reply, submitted last: the others
	// would have been queued before it. Postfix's queue is then empty.
	waitQueueEmpty(t, p)
	for _, u := range []testenv.User{friend, lister, robot} {
		want := 0
		if u == friend {
			want = 1
		}
		if n := d.MessageCount(t, u.Email, "INBOX"); n != want {
			t.Errorf("%s got %d replies, want %d\n%s", u.Email, n, want, d.LogTail(30))
		}
	}
}

// waitQueueEmpty waits until the test Postfix holds no mail (bounded; this
// is the harness waiting for delivery, not a timing assertion).
func waitQueueEmpty(t *testing.T, p *testenv.PostfixServer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n := 0
		for _, sub := range []string{"incoming", "active", "deferred", "maildrop"} {
			filepath.Walk(filepath.Join(p.Dir, "queue", sub), func(_ string, info os.FileInfo, err error) error {
				if err == nil && !info.IsDir() {
					n++
				}
				return nil
			})
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("postfix queue still holds %s files\n%s", strconv.Itoa(n), p.LogTail(20))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
