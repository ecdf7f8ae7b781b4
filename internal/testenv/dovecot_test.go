package testenv

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// login dials with dial, logs in and registers the logout.
func login(t *testing.T, name, password string, dial func() (*imapclient.Client, error)) *imapclient.Client {
	t.Helper()
	c, err := dial()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(name, password).Wait(); err != nil {
		t.Fatalf("LOGIN %s: %v", name, err)
	}
	return c
}

func TestDovecotIMAPLogin(t *testing.T) {
	t.Parallel()
	d := Dovecot(t)
	u := d.NewUser(t)
	opts := func() *imapclient.Options { return &imapclient.Options{TLSConfig: d.TLSConfig()} }
	for _, tc := range []struct {
		name string
		dial func() (*imapclient.Client, error)
	}{
		{"plain", func() (*imapclient.Client, error) { return imapclient.DialInsecure(d.IMAPAddr(), nil) }},
		{"starttls", func() (*imapclient.Client, error) { return imapclient.DialStartTLS(d.IMAPAddr(), opts()) }},
		{"imaps", func() (*imapclient.Client, error) { return imapclient.DialTLS(d.IMAPSAddr(), opts()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := login(t, u.Name, u.Password, tc.dial)
			caps := c.Caps()
			for _, want := range []imap.Cap{imap.CapIMAP4rev1, imap.CapIdle, imap.CapMove, imap.CapUIDPlus, imap.CapCondStore, imap.CapQResync, imap.CapSpecialUse, imap.CapQuota} {
				if !caps.Has(want) {
					t.Errorf("capability %s missing", want)
				}
			}
			if err := c.Logout().Wait(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestDovecotTLSVerifiesAgainstCA(t *testing.T) {
	t.Parallel()
	d := Dovecot(t)
	// Without the test CA the certificate must not verify.
	_, err := tls.Dial("tcp", d.IMAPSAddr(), &tls.Config{ServerName: "localhost"})
	if err == nil {
		t.Fatal("TLS handshake succeeded without the test CA")
	}
	for _, name := range []string{"localhost", "127.0.0.1"} {
		conf := d.TLSConfig()
		conf.ServerName = name
		conn, err := tls.Dial("tcp", d.IMAPSAddr(), conf)
		if err != nil {
			t.Fatalf("verify as %s: %v", name, err)
		}
		conn.Close()
	}
}

func TestDovecotWrongPasswordFails(t *testing.T) {
	t.Parallel()
	d := Dovecot(t)
	u := d.NewUser(t)
	c, err := imapclient.DialTLS(d.IMAPSAddr(), &imapclient.Options{TLSConfig: d.TLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(u.Name, u.Password+"x").Wait(); err == nil {
		t.Fatal("LOGIN with a wrong password succeeded")
	}
}

func TestDovecotSpecialUseFolders(t *testing.T) {
	t.Parallel()
	d := Dovecot(t)
	u := d.NewUser(t)
	c := login(t, u.Name, u.Password, func() (*imapclient.Client, error) {
		return imapclient.DialTLS(d.IMAPSAddr(), &imapclient.Options{TLSConfig: d.TLSConfig()})
	})
	list, err := c.List("", "*", &imap.ListOptions{ReturnSubscribed: true, ReturnSpecialUse: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*imap.ListData{}
	for _, l := range list {
		got[l.Mailbox] = l
	}
	for name, attr := range map[string]imap.MailboxAttr{
		"Drafts": imap.MailboxAttrDrafts, "Sent": imap.MailboxAttrSent, "Trash": imap.MailboxAttrTrash,
		"Junk": imap.MailboxAttrJunk, "Archive": imap.MailboxAttrArchive,
	} {
		l := got[name]
		if l == nil {
			t.Errorf("mailbox %s missing", name)
			continue
		}
		if !slices.Contains(l.Attrs, attr) || !slices.Contains(l.Attrs, imap.MailboxAttrSubscribed) {
			t.Errorf("mailbox %s attrs %v, want %s and \\Subscribed", name, l.Attrs, attr)
		}
	}
}

func TestDovecotMasterUser(t *testing.T) {
	t.Parallel()
	d := Dovecot(t)
	u := d.NewUser(t)
	d.Deliver(t, u.Email, []byte(testMessage("a@example.test", u.Email, "for the master")))

	dial := func() (*imapclient.Client, error) {
		return imapclient.DialTLS(d.IMAPSAddr(), &imapclient.Options{TLSConfig: d.TLSConfig()})
	}
	t.Run("login user*master", func(t *testing.T) {
		c := login(t, u.Name+"*"+d.MasterUser, d.MasterPassword, dial)
		sel, err := c.Select("INBOX", nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if sel.NumMessages != 1 {
			t.Fatalf("INBOX of %s has %d messages, want 1", u.Name, sel.NumMessages)
		}
	})
	t.Run("sasl plain authzid", func(t *testing.T) {
		c, err := dial()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Authenticate(sasl.NewPlainClient(u.Name, d.MasterUser, d.MasterPassword)); err != nil {
			t.Fatal(err)
		}
		sel, err := c.Select("INBOX", nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if sel.NumMessages != 1 {
			t.Fatalf("INBOX of %s has %d messages, want 1", u.Name, sel.NumMessages)
		}
	})
}

func TestDovecotLMTPDeliveryVisibleOverIMAP(t *testing.T) {
	t.Parallel()
	d := Dovecot(t)
	u := d.NewUser(t)
	d.Deliver(t, u.Email, []byte(testMessage("a@example.test", u.Email, "one")))
	d.Deliver(t, u.Email, []byte(testMessage("a@example.test", u.Email, "two")))

	c := login(t, u.Name, u.Password, func() (*imapclient.Client, error) {
		return imapclient.DialStartTLS(d.IMAPAddr(), &imapclient.Options{TLSConfig: d.TLSConfig()})
	})
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages != 2 {
		t.Fatalf("INBOX has %d messages, want 2", sel.NumMessages)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1, 2), &imap.FetchOptions{Envelope: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, m := range msgs {
		subjects = append(subjects, m.Envelope.Subject)
	}
	if !slices.Equal(subjects, []string{"one", "two"}) {
		t.Fatalf("subjects %q, want [one two]", subjects)
	}
	if n := d.MessageCount(t, u.Name, "INBOX"); n != 2 {
		t.Fatalf("doveadm counts %d messages, want 2", n)
	}
}

func TestDovecotSieveFiltersLMTPDelivery(t *testing.T) {
	t.Parallel()
	d := Dovecot(t)
	u := d.NewUser(t)
	script := "require \"fileinto\";\nif header :contains \"subject\" \"[list]\" { fileinto \"Archive\"; stop; }\n"
	path := d.Dir + "/sieve-" + randomHex(4)
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	d.Doveadm(t, "sieve", "put", "-u", u.Name, "-a", "rules", path)

	d.Deliver(t, u.Email, []byte(testMessage("a@example.test", u.Email, "[list] digest")))
	d.Deliver(t, u.Email, []byte(testMessage("a@example.test", u.Email, "personal")))
	if n := d.MessageCount(t, u.Name, "Archive"); n != 1 {
		t.Errorf("Archive has %d messages, want 1", n)
	}
	if n := d.MessageCount(t, u.Name, "INBOX"); n != 1 {
		t.Errorf("INBOX has %d messages, want 1", n)
	}
}

func TestDovecotQuota(t *testing.T) {
	t.Parallel()
	d := Dovecot(t)
	u := d.NewUserWith(t, UserOptions{QuotaStorage: "1M"})
	c := login(t, u.Name, u.Password, func() (*imapclient.Client, error) {
		return imapclient.DialTLS(d.IMAPSAddr(), &imapclient.Options{TLSConfig: d.TLSConfig()})
	})
	roots, err := c.GetQuotaRoot("INBOX").Wait()
	if err != nil {
		t.Fatal(err)
	}
	var limit int64 = -1
	for _, r := range roots {
		if res, ok := r.Resources[imap.QuotaResourceStorage]; ok {
			limit = res.Limit
		}
	}
	if limit != 1024 { // RFC 9208: in units of 1024 octets
		t.Fatalf("storage quota limit %d KiB, want 1024 (roots %+v)", limit, roots)
	}
}

// readLine reads one CRLF line from a text protocol greeting.
func readGreeting(t *testing.T, addr string) (*bufio.Reader, net.Conn, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return r, conn, strings.TrimRight(line, "\r\n")
}

func TestDovecotPOP3(t *testing.T) {
	t.Parallel()
	d := Dovecot(t)
	u := d.NewUser(t)
	d.Deliver(t, u.Email, []byte(testMessage("a@example.test", u.Email, "pop")))
	r, conn, greeting := readGreeting(t, d.Addr(d.POP3Port))
	if !strings.HasPrefix(greeting, "+OK") {
		t.Fatalf("greeting %q", greeting)
	}
	cmd := func(line string) string {
		t.Helper()
		if _, err := fmt.Fprintf(conn, "%s\r\n", line); err != nil {
			t.Fatal(err)
		}
		resp, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimRight(resp, "\r\n")
	}
	cmd("USER " + u.Name)
	if resp := cmd("PASS " + u.Password); !strings.HasPrefix(resp, "+OK") {
		t.Fatalf("PASS: %q", resp)
	}
	if resp := cmd("STAT"); !strings.HasPrefix(resp, "+OK 1 ") {
		t.Fatalf("STAT: %q, want one message", resp)
	}
	cmd("QUIT")

	// POP3S verifies against the CA too.
	conn2, err := tls.Dial("tcp", d.Addr(d.POP3SPort), d.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	line, err := bufio.NewReader(conn2).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "+OK") {
		t.Fatalf("POP3S greeting %q, %v", line, err)
	}
}

func TestDovecotManageSieveGreeting(t *testing.T) {
	t.Parallel()
	d := Dovecot(t)
	r, _, first := readGreeting(t, d.Addr(d.SievePort))
	banner := []string{first}
	for !strings.HasPrefix(banner[len(banner)-1], "OK") {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("banner so far %q: %v", banner, err)
		}
		banner = append(banner, strings.TrimRight(line, "\r\n"))
	}
	all := strings.Join(banner, "\n")
	for _, want := range []string{`"IMPLEMENTATION"`, `"SIEVE"`, `"STARTTLS"`, `"SASL" "PLAIN`} {
		if !strings.Contains(all, want) {
			t.Errorf("banner lacks %s:\n%s", want, all)
		}
	}
}
