package testenv

import (
	"fmt"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

func testMessage(from, to, subject string) string {
	return fmt.Sprintf("From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\nMessage-ID: <%s@testenv>\r\n\r\nhello\r\n", from, to, subject, randomHex(6))
}

func TestPostfixSubmissionDeliversToDovecot(t *testing.T) {
	p := Postfix(t)
	from, to := p.Dovecot.NewUser(t), p.Dovecot.NewUser(t)

	c, err := smtp.DialStartTLS(p.SubmissionAddr(), p.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", from.Name, from.Password)); err != nil {
		t.Fatalf("AUTH PLAIN: %v\n%s", err, logTail(p.logPath, 20))
	}
	msg := testMessage(from.Email, to.Email, "via submission")
	if err := c.SendMail(from.Email, []string{to.Email}, strings.NewReader(msg)); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	defer func() { t.Log(logTail(p.logPath, 60)) }()
	if n := p.WaitMessages(t, to.Name, "INBOX", 1); n != 1 {
		t.Fatalf("INBOX has %d messages, want 1", n)
	}
}
