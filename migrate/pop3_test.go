package migrate

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
)

// pop3Side is a source-only account on the test Dovecot's POP3 server.
func pop3Side(t *testing.T, d *testenv.DovecotServer, u testenv.User, port int, sec account.Security) Side {
	t.Helper()
	s := dovecotSide(t, d, u)
	s.Account.IMAP = account.Endpoint{}
	s.Account.POP3 = account.Endpoint{Host: "localhost", Port: port, Security: sec}
	return s
}

// A POP3 source (STLS, then implicit TLS): INBOX arrives byte-identical,
// duplicates included, the maildrop is left as it was (no \Seen, nothing
// deleted), and a re-run copies nothing.
func TestPOP3SourceMigratesInboxOnce(t *testing.T) {
	d := testenv.Dovecot(t)
	su := d.NewUser(t)
	imapSrc, dst := dovecotSide(t, d, su), dovecotSide(t, d, d.NewUser(t))
	upload(t, imapSrc, corpus.Options{Seed: 6, Messages: 120, LargeEvery: 60, Malformed: true})
	before := snapshot(t, imapSrc)
	if len(before["INBOX"]) < 20 {
		t.Fatalf("only %d messages in INBOX", len(before["INBOX"]))
	}
	src := pop3Side(t, d, su, d.POP3Port, account.SecuritySTARTTLS)
	opts := Options{JournalDir: t.TempDir()}
	p := plan(t, src, dst, opts)
	if len(p.Folders) != 1 || p.Folders[0].Dest != "INBOX" || p.TotalCount != len(before["INBOX"]) {
		t.Fatalf("plan %+v", p)
	}
	rep := run(t, p, opts)
	if tot := rep.Totals(); !rep.Verified() || tot.Copied != len(before["INBOX"]) || tot.Extra != 0 {
		t.Fatalf("verified=%v %+v", rep.Verified(), tot)
	}
	got := snapshot(t, dst)["INBOX"]
	want := map[[32]byte]int{}
	for _, m := range before["INBOX"] {
		want[m.sum]++
	}
	for _, m := range got {
		want[m.sum]--
	}
	for h, n := range want {
		if n != 0 {
			t.Errorf("hash %x: %+d on the destination", h[:6], -n)
		}
	}
	sameSnapshot(t, before, snapshot(t, imapSrc))

	// Same maildrop over implicit TLS is another source ID; the same one
	// again (STLS) copies nothing.
	rep = run(t, plan(t, src, dst, opts), opts)
	if tot := rep.Totals(); !rep.Verified() || tot.Copied != 0 || tot.Already != 0 || tot.Previously != len(before["INBOX"]) {
		t.Errorf("re-run: verified=%v %+v", rep.Verified(), tot)
	}
	if _, err := NewPlan(context.Background(), src, dst, Options{Since: time.Now()}); err != ErrSinceWithPOP3 {
		t.Errorf("--since with POP3: %v", err)
	}

	// New mail in the maildrop is copied by the next run, and only that.
	d.Deliver(t, su.Email, []byte("From: a@example.test\r\nTo: "+su.Email+"\r\nSubject: pop\r\nDate: Mon, 2 Jan 2006 15:04:05 +0800\r\nMessage-ID: <pop-late@example.test>\r\n\r\n..leading dots\r\n.\r\nend\r\n"))
	d.WaitMessage(t, su.Email, "INBOX", "pop-late@example.test")
	rep = run(t, plan(t, src, dst, opts), opts)
	if tot := rep.Totals(); !rep.Verified() || tot.Copied != 1 {
		t.Errorf("after delivery: verified=%v %+v", rep.Verified(), tot)
	}
	late := snapshot(t, dst)["INBOX"]
	if len(late) != len(got)+1 || late[len(late)-1].date != time.Date(2006, 1, 2, 7, 4, 5, 0, time.UTC).Unix() {
		t.Errorf("late message: %d messages, last %+v", len(late), late[len(late)-1])
	}
	sameFolders(t, Plan{Folders: []FolderPlan{{Source: "INBOX", Dest: "INBOX"}}}, map[string][]msgState{"INBOX": unflagged(snapshot(t, imapSrc)["INBOX"])}, map[string][]msgState{"INBOX": unflagged(late)})
}

// unflagged drops what POP3 cannot carry (flags, INTERNALDATE).
func unflagged(ms []msgState) []msgState {
	out := make([]msgState, len(ms))
	for i, m := range ms {
		out[i] = msgState{sum: m.sum}
	}
	return out
}

// The POP3 client un-stuffs dot lines and streams long lines whole.
func TestPOP3ClientOverImplicitTLS(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	long := bytes.Repeat([]byte(".x"), 40<<10) // one line longer than the reader's buffer
	raw := []byte("From: a@example.test\r\nSubject: dots\r\n\r\n.one\r\n..two\r\n")
	raw = append(append(raw, long...), "\r\n.\r\nlast\r\n"...)
	d.Deliver(t, u.Email, raw)
	d.WaitMessages(t, u.Email, "INBOX", 1)
	s := pop3Side(t, d, u, d.POP3SPort, account.SecurityTLS)
	c, err := s.Dialer.DialPOP3(context.Background(), s.Account)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	list, err := c.List()
	if err != nil || len(list) != 1 || list[0].UIDL == "" {
		t.Fatalf("list %+v %v", list, err)
	}
	r, err := c.Retr(list[0].Num)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(got, append(append([]byte("\r\n.one\r\n..two\r\n"), long...), "\r\n.\r\nlast\r\n"...)) || int64(len(got)) != list[0].Size {
		t.Errorf("RETR gave %d bytes (LIST said %d), tail %q", len(got), list[0].Size, got[max(0, len(got)-40):])
	}
}
