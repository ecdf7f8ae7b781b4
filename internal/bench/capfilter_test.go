package bench

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/internal/testenv"
)

// TestCapFilter reaches the test Dovecot through the proxy: the
// capability lists (greeting's response code, CAPABILITY, LOGIN's
// response code) are reducedCaps, and a message with a big literal
// (longer than the proxy's buffer, with lines that look like IMAP
// responses) comes back byte for byte.
func TestCapFilter(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	f, err := StartCapFilter(d.IMAPAddr(), reducedCaps)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := dial(Login{Addr: f.Addr(), User: u.Name, Password: u.Password})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	caps, err := c.Capability().Wait()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for cp := range caps {
		if !strings.HasPrefix(string(cp), "AUTH=") {
			got = append(got, string(cp))
		}
	}
	if len(got) != len(reducedCaps) || caps.Has(imap.CapMultiAppend) || caps.Has(imap.CapLiteralPlus) {
		t.Fatalf("capabilities through the proxy: %v, want %v", got, reducedCaps)
	}

	var msg bytes.Buffer
	msg.WriteString("From: a@example.com\r\nSubject: t\r\n\r\n")
	for i := 0; msg.Len() < 200<<10; i++ {
		msg.WriteString("* CAPABILITY IMAP4rev1 MULTIAPPEND [CAPABILITY X] {12}\r\n")
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	app := c.Append("INBOX", int64(msg.Len()), nil)
	app.Write(msg.Bytes())
	app.Close()
	if _, err := app.Wait(); err != nil {
		t.Fatal(err)
	}
	bs := &imap.FetchItemBodySection{Peek: true}
	list, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{bs}}).Collect()
	if err != nil || len(list) != 1 {
		t.Fatalf("fetch: %v (%d)", err, len(list))
	}
	if got := list[0].FindBodySection(bs); sha256.Sum256(got) != sha256.Sum256(msg.Bytes()) {
		t.Fatalf("body through the proxy differs: %d bytes, want %d", len(got), msg.Len())
	}
}
