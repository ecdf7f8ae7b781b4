package testenv

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

func testMessage(from, to, subject string) string {
	msg, _ := testMessageID(from, to, subject)
	return msg
}

// testMessageID returns a small message and its Message-ID.
func testMessageID(from, to, subject string) (msg, id string) {
	id = randomHex(6) + "@testenv"
	return fmt.Sprintf("From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\nMessage-ID: <%s>\r\n\r\nhello\r\n", from, to, subject, id), id
}

// submit authenticates on c as from and sends one message to to.
func submit(t *testing.T, p *PostfixServer, c *smtp.Client, from, to User) {
	t.Helper()
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
}

func TestPostfixSubmissionDeliversToDovecot(t *testing.T) {
	t.Parallel()
	p := Postfix(t)
	from, to := p.Dovecot.NewUser(t), p.Dovecot.NewUser(t)
	c, err := smtp.DialStartTLS(p.SubmissionAddr(), p.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	submit(t, p, c, from, to)
	if n := p.WaitMessages(t, to.Name, "INBOX", 1); n != 1 {
		t.Fatalf("INBOX has %d messages, want 1\n%s", n, logTail(p.logPath, 20))
	}
}

func TestPostfixSubmissionsImplicitTLS(t *testing.T) {
	t.Parallel()
	p := Postfix(t)
	from, to := p.Dovecot.NewUser(t), p.Dovecot.NewUser(t)
	c, err := smtp.DialTLS(p.SubmissionsAddr(), p.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	submit(t, p, c, from, to)
	if n := p.WaitMessages(t, to.Name, "INBOX", 1); n != 1 {
		t.Fatalf("INBOX has %d messages, want 1\n%s", n, logTail(p.logPath, 20))
	}
}

func TestPostfixNoAuthBeforeTLS(t *testing.T) {
	t.Parallel()
	p := Postfix(t)
	c, err := smtp.Dial(p.SubmissionAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Extension("AUTH"); ok {
		t.Fatal("AUTH offered before STARTTLS")
	}
	if ok, _ := c.Extension("STARTTLS"); !ok {
		t.Fatal("STARTTLS not offered")
	}
}

func TestPostfixWrongPasswordRejected(t *testing.T) {
	t.Parallel()
	p := Postfix(t)
	u := p.Dovecot.NewUser(t)
	c, err := smtp.DialStartTLS(p.SubmissionAddr(), p.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", u.Name, u.Password+"x")); err == nil {
		t.Fatal("AUTH with a wrong password succeeded")
	}
}

func TestPostfixSMTPPortRefusesRelay(t *testing.T) {
	t.Parallel()
	p := Postfix(t)
	u := p.Dovecot.NewUser(t)
	c, err := smtp.Dial(p.Addr(p.SMTPPort))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("someone@elsewhere.test", nil); err != nil {
		t.Fatal(err)
	}
	err = c.Rcpt("victim@elsewhere.test", nil)
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 554 {
		t.Fatalf("RCPT to another domain: %v, want 554 relay access denied", err)
	}
	// Mail for the test domain is accepted without authentication.
	if err := c.Rcpt(u.Email, nil); err != nil {
		t.Fatalf("RCPT %s: %v", u.Email, err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	msg, id := testMessageID("someone@elsewhere.test", u.Email, "inbound")
	if _, err := w.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	p.WaitMessage(t, u.Name, "INBOX", id)
}
