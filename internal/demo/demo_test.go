package demo

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/store"
)

// TestDemo starts the demo, syncs both accounts in full, checks what
// arrived, sends mail through its SMTP server, and closes it.
func TestDemo(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	before := runtime.NumGoroutine()
	d, err := Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			d.Close()
		}
	})

	checkConfig(t, d)
	for _, a := range d.Config.Accounts {
		sum, err := mailsync.New(a, d.Dialer, d.Store, mailsync.Options{}).SyncOnce(ctx)
		if err != nil || sum.Failed() {
			t.Fatalf("sync %s: %v %+v", a.Name, err, sum)
		}
	}
	member := accountID(t, d, MemberAccount)
	sales := accountID(t, d, SalesAccount)
	checkCounts(t, d, MemberAccount, 0)
	checkCounts(t, d, SalesAccount, 0)

	// The GBK notice: its subject and a word only its 8-bit GBK body holds.
	if got := search(t, d, member, ShowcaseNoticeWord); len(got) != 1 || got[0].Subject != ShowcaseNotice {
		t.Fatalf("search %s: %+v", ShowcaseNoticeWord, got)
	}
	if got := search(t, d, member, "subject:消防演练"); len(got) != 1 {
		t.Fatalf("search subject:消防演练: %d results", len(got))
	}
	// The Chinese thread: four messages over INBOX and 已发送, one thread.
	thread := search(t, d, member, `subject:"邮箱搬家方案"`)
	if len(thread) != 4 {
		t.Fatalf("thread: %d messages", len(thread))
	}
	for _, m := range thread[1:] {
		if m.Thread != thread[0].Thread {
			t.Fatalf("thread split: %+v", thread)
		}
	}
	// The PDF with a Chinese name is an attachment; the alias got mail.
	if got := search(t, d, member, "has:attachment subject:第二季度销售报告"); len(got) != 1 {
		t.Fatalf("pdf message: %d results", len(got))
	}
	if got := search(t, d, member, "to:"+AliasEmail); len(got) == 0 {
		t.Fatal("no mail to the alias")
	}
	// The corpus's mail is the owners': sent by 陈明, never to its own owner.
	sent := search(t, d, member, "folder:sent from:"+MemberEmail)
	if len(sent) < 10 || sent[len(sent)-1].From.Name != MemberName {
		t.Fatalf("sent mail: %d messages, the oldest from %+v", len(sent), sent[len(sent)-1].From)
	}
	// Nor does the corpus's default owner (孙丽) appear anywhere: not in a
	// header, nor signing a body.
	for _, q := range []string{"from:sunli@magpie-demo.cn", "to:sunli@magpie-demo.cn", "孙丽", `"Sun Li"`} {
		if got := search(t, d, member, q); len(got) != 0 {
			t.Fatalf("%s: %d messages still name the corpus owner", q, len(got))
		}
	}
	if got := search(t, d, member, "folder:sent 陈明"); len(got) == 0 {
		t.Fatal("no sent mail signed by its owner 陈明")
	}
	if got := search(t, d, sales, "询价"); len(got) != 1 {
		t.Fatalf("sales inquiry: %d results", len(got))
	}

	// Submission: the member writes to the business mailbox, to their own
	// alias and to an outside address, which is dropped.
	memberAcct, _ := d.Config.Account(MemberAccount)
	c, err := d.Dialer.DialSMTP(ctx, memberAcct)
	if err != nil {
		t.Fatal(err)
	}
	body := "From: 陈明 <chen@magpie.demo>\r\nTo: sales@magpie.demo, ming@magpie.demo, someone@example.com\r\n" +
		"Subject: demo-submission 报价已发\r\nMessage-ID: <submit-1@magpie.demo>\r\n\r\n报价单已发给客户。\r\n"
	if err := c.SendMail(MemberEmail, []string{SalesEmail, AliasEmail, "someone@example.com"}, strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	c.Quit()
	refusedLogins(t, d)
	for _, a := range d.Config.Accounts {
		if _, err := mailsync.New(a, d.Dialer, d.Store, mailsync.Options{}).SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	checkCounts(t, d, MemberAccount, 1)
	checkCounts(t, d, SalesAccount, 1)
	for _, acct := range []store.AccountID{member, sales} {
		if got := search(t, d, acct, "demo-submission folder:inbox"); len(got) != 1 {
			t.Fatalf("account %d: the submitted message arrived %d times", acct, len(got))
		}
	}

	imapAddr, smtpAddr := d.IMAPAddr(), d.SMTPAddr()
	closed = true
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{imapAddr, smtpAddr} {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			t.Fatalf("%s still accepts connections after Close", addr)
		}
	}
	settle(t, before)
	// Close removes nothing: the config and the store stay for the caller.
	for _, f := range []string{"config.toml", "mail.db"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
}

// checkConfig: two accounts on loopback plaintext, the member with the
// alias, the password nowhere in the file.
func checkConfig(t *testing.T, d *Demo) {
	t.Helper()
	if len(d.Config.Accounts) != 2 {
		t.Fatalf("accounts: %+v", d.Config.Accounts)
	}
	m, ok := d.Config.Account(MemberAccount)
	if !ok || m.Email != MemberEmail || m.DisplayName != MemberName || m.Kind != account.KindMember || !m.Owns(AliasEmail) {
		t.Fatalf("member: %+v", m)
	}
	s, ok := d.Config.Account(SalesAccount)
	if !ok || s.Email != SalesEmail || s.Kind != account.KindBusiness || s.DisplayName != SalesName {
		t.Fatalf("sales: %+v", s)
	}
	data, err := os.ReadFile(d.Config.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range d.Config.Accounts {
		if a.IMAP.Host != "127.0.0.1" || a.IMAP.Security != account.SecurityInsecurePlain || a.SMTP.Host != "127.0.0.1" {
			t.Fatalf("%s endpoints: %v %v", a.Name, a.IMAP, a.SMTP)
		}
		pw, err := a.Password(context.Background(), d.Secrets)
		if err != nil || pw == "" {
			t.Fatalf("%s password: %v", a.Name, err)
		}
		if strings.Contains(string(data), pw) {
			t.Fatalf("%s's password is in the config file", a.Name)
		}
	}
}

func accountID(t *testing.T, d *Demo, name string) store.AccountID {
	t.Helper()
	id, err := d.Store.Account(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// checkCounts compares each folder in the store with what was seeded
// (plus extra messages in INBOX), and checks the roles and sizes.
func checkCounts(t *testing.T, d *Demo, name string, extra int) {
	t.Helper()
	ctx := context.Background()
	folders, err := d.Store.Folders(ctx, accountID(t, d, name))
	if err != nil {
		t.Fatal(err)
	}
	want := d.Seeded[name]
	if len(folders) != len(want) {
		t.Fatalf("%s: %d folders in the store, %d seeded", name, len(folders), len(want))
	}
	total := 0
	roles := map[string]store.Role{}
	for _, f := range folders {
		uids, err := d.Store.UIDs(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		w, ok := want[f.Name]
		if f.Name == "INBOX" {
			w += extra
		}
		if !ok || len(uids) != w {
			t.Errorf("%s %s: %d messages in the store, %d seeded", name, f.Name, len(uids), w)
		}
		total += len(uids)
		roles[f.Name] = f.Role
	}
	if min := map[string]int{MemberAccount: memberCorpus, SalesAccount: salesCorpus}[name]; total < min {
		t.Errorf("%s: %d messages in all", name, total)
	}
	for folder, role := range map[string]store.Role{"INBOX": "inbox", "已发送": "sent", "草稿箱": "drafts", "已删除": "trash", "垃圾箱": "junk", "Archive": "archive"} {
		if roles[folder] != role {
			t.Errorf("%s %s: role %q, want %q", name, folder, roles[folder], role)
		}
	}
}

func search(t *testing.T, d *Demo, acct store.AccountID, q string) []store.Message {
	t.Helper()
	query, err := store.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Store.Search(context.Background(), store.SearchRequest{Account: acct, Query: query})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// refusedLogins: a wrong password and mail without AUTH are refused.
func refusedLogins(t *testing.T, d *Demo) {
	t.Helper()
	c, err := smtp.Dial(d.SMTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var se *smtp.SMTPError
	if err := c.Mail(MemberEmail, nil); !errors.As(err, &se) || se.Code != smtp.ErrAuthRequired.Code {
		t.Fatalf("MAIL before AUTH: %v", err)
	}
	if err := c.Auth(sasl.NewPlainClient("", MemberEmail, "wrong")); !errors.As(err, &se) || se.Code != smtp.ErrAuthFailed.Code {
		t.Fatalf("AUTH with a wrong password: %v", err)
	}
}

// settle waits (bounded; a hang is the failure, not slowness) until no
// goroutine started by the demo is left.
func settle(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("goroutines: %d before Start, %d after Close\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
