package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/quirkserver"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/migrate"
)

func addAccount(t *testing.T, h *harness, name string, u testenv.User, args ...string) {
	t.Helper()
	all := append([]string{"account", "add", name, "--email", u.Email}, args...)
	if r := h.run(u.Password+"\n", append(all, "--password-stdin")...); r.code != ExitOK {
		t.Fatalf("account add %s: exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
	}
}

func TestMigrateCommand(t *testing.T) {
	d := testenv.Dovecot(t)
	old, neu := d.NewUser(t), d.NewUser(t)
	h := newHarness(t, "zh_CN.UTF-8")
	addAccount(t, h, "old", old, "--imap", d.IMAPSAddr(), "--security", "tls", "--ca-file", d.CAFile)
	addAccount(t, h, "new", neu, "--imap", d.IMAPSAddr(), "--security", "tls", "--ca-file", d.CAFile)
	cfg, err := account.LoadConfig(h.configPath())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := cfg.Account("old")
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(context.Background(), "old", old.Password)
	c, err := (&account.Dialer{Secrets: secrets, Timeout: 10 * time.Second}).DialIMAP(context.Background(), a, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := corpus.Upload(c.Client, corpus.Options{Seed: 21, Messages: 60}, map[string]string{"sent": "Sent", "drafts": "Drafts", "trash": "Trash", "junk": "Junk", "archive": "Archive"}); err != nil {
		t.Fatal(err)
	}
	c.Close()

	for _, args := range [][]string{{"migrate"}, {"migrate", "--from", "old"}, {"migrate", "--from", "old", "--to", "old"},
		{"migrate", "--from", "old", "--to", "new", "--since", "2024/01/01"}, {"migrate", "--from", "old", "--to", "new", "--folders", "[x"}} {
		if r := h.run("", args...); r.code != ExitUsage {
			t.Errorf("%v: exit %d, want 2\n%s", args, r.code, r.stderr)
		}
	}
	r := h.run("", "migrate", "--from", "old", "--to", "new", "--dry-run")
	if r.code != ExitOK || !strings.Contains(r.stdout, "客户邮件/2024 → 客户邮件/2024") || !strings.Contains(r.stdout, "60 封邮件") {
		t.Fatalf("dry run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := d.MessageCount(t, neu.Email, "INBOX"); n != 0 {
		t.Fatalf("dry run copied %d messages", n)
	}
	r = h.run("", "migrate", "--from", "old", "--to", "new")
	if r.code != ExitOK || !strings.Contains(r.stderr, "核对完成") || !strings.Contains(r.stdout, "本次搬 60") {
		t.Fatalf("migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The moment the mail is all copied has a line of its own, before
	// verification's.
	if i, j := strings.Index(r.stderr, "邮件已全部搬到新邮箱：60 封（新搬 60，"), strings.Index(r.stderr, "核对完成"); i < 0 || i > j {
		t.Errorf("no copied line before the verdict:\n%s", r.stderr)
	}
	r = h.run("", "--lang", "en", "migrate", "--from", "old", "--to", "new", "--json")
	var rep migrate.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != ExitOK {
		t.Fatalf("re-run --json: exit %d %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	if tot := rep.Totals(); tot.Copied != 0 || tot.Previously != 60 || !rep.Verified() {
		t.Errorf("re-run copied again: %+v", tot)
	}
	if rep.Copied.Before(rep.Started) || rep.Finished.Before(rep.Copied) || !strings.Contains(r.stderr, "Mail copied: 60 messages (0 copied") {
		t.Errorf("re-run --json: started %s, copied %s, finished %s\n%s", rep.Started, rep.Copied, rep.Finished, r.stderr)
	}
	// Nothing changed since: the folders are not checked again, and the
	// report says why they still count as verified.
	r = h.run("", "--lang", "en", "migrate", "--from", "old", "--to", "new")
	if r.code != ExitOK || !strings.Contains(r.stdout, "unchanged on both sides since") {
		t.Errorf("no-op re-run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A destination refusing big messages: exit 1, the report names them.
func TestMigrateCommandFailuresExit1(t *testing.T) {
	d := testenv.Dovecot(t)
	old, neu := d.NewUser(t), d.NewUser(t)
	proxy, err := quirkserver.Start(quirkserver.Options{Profile: quirkserver.Exmail, Backend: d.IMAPAddr(), AppendLimit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	d.Deliver(t, old.Email, sampleMail(old.Email, "small"))
	d.Deliver(t, old.Email, []byte(string(sampleMail(old.Email, "big one"))+strings.Repeat("大附件", 200)+"\r\n"))
	d.WaitMessages(t, old.Email, "INBOX", 2)
	h := newHarness(t, "en_US.UTF-8")
	addAccount(t, h, "old", old, "--imap", d.IMAPSAddr(), "--security", "tls", "--ca-file", d.CAFile)
	addAccount(t, h, "new", neu, "--imap", proxy.Addr(), "--security", "insecure-plain")
	r := h.run("", "migrate", "--from", "old", "--to", "new")
	if r.code != ExitFailure || !strings.Contains(r.stdout, "larger than the new mailbox accepts") || !strings.Contains(r.stdout, "exceeded") ||
		!strings.Contains(r.stdout, "1 copied") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A destination whose quota cannot hold the mail is refused up front
// (exit 1, saying what to do) unless --ignore-quota.
func TestMigrateCommandChecksQuota(t *testing.T) {
	d := testenv.Dovecot(t)
	old, neu := d.NewUser(t), d.NewUserWith(t, testenv.UserOptions{QuotaStorage: "10k"})
	for i := range 4 {
		d.Deliver(t, old.Email, []byte(string(sampleMail(old.Email, fmt.Sprintf("mail %d", i)))+strings.Repeat("大附件", 1000)+"\r\n"))
	}
	d.WaitMessages(t, old.Email, "INBOX", 4)
	h := newHarness(t, "en_US.UTF-8")
	addAccount(t, h, "old", old, "--imap", d.IMAPSAddr(), "--security", "tls", "--ca-file", d.CAFile)
	addAccount(t, h, "new", neu, "--imap", d.IMAPSAddr(), "--security", "tls", "--ca-file", d.CAFile)
	r := h.run("", "migrate", "--from", "old", "--to", "new", "--dry-run")
	if r.code != ExitOK || !strings.Contains(r.stdout, "New mailbox quota: 0 B used of 10 KiB") || !strings.Contains(r.stdout, "--ignore-quota") {
		t.Fatalf("dry run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = h.run("", "migrate", "--from", "old", "--to", "new")
	if r.code != ExitFailure || !strings.Contains(r.stderr, "The new mailbox is too small") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := d.MessageCount(t, neu.Email, "INBOX"); n != 0 {
		t.Fatalf("refused run copied %d messages", n)
	}
	r = h.run("", "migrate", "--from", "old", "--to", "new", "--ignore-quota")
	if r.code != ExitFailure || !strings.Contains(r.stderr, "Moving anyway") || !strings.Contains(r.stdout, "the new mailbox is full") {
		t.Fatalf("--ignore-quota: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A source-only POP3 account (no SMTP, no IMAP): INBOX is moved, a re-run
// copies nothing, --since is refused, and it cannot be a destination.
func TestMigrateFromPOP3Account(t *testing.T) {
	d := testenv.Dovecot(t)
	old, neu := d.NewUser(t), d.NewUser(t)
	for i := range 3 {
		d.Deliver(t, old.Email, sampleMail(old.Email, fmt.Sprintf("pop %d", i)))
	}
	d.WaitMessages(t, old.Email, "INBOX", 3)
	h := newHarness(t, "en_US.UTF-8")
	addAccount(t, h, "pop", old, "--pop3", fmt.Sprintf("localhost:%d", d.POP3SPort), "--security", "tls", "--ca-file", d.CAFile)
	addAccount(t, h, "new", neu, "--imap", d.IMAPSAddr(), "--security", "tls", "--ca-file", d.CAFile)
	r := h.run("", "migrate", "--from", "pop", "--to", "new")
	if r.code != ExitOK || !strings.Contains(r.stdout, "3 copied") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := d.MessageCount(t, neu.Email, "INBOX"); n != 3 {
		t.Fatalf("%d messages in the new INBOX", n)
	}
	r = h.run("", "migrate", "--from", "pop", "--to", "new")
	if r.code != ExitOK || !strings.Contains(r.stdout, "0 copied") || !strings.Contains(r.stdout, "3 earlier") {
		t.Fatalf("re-run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r = h.run("", "migrate", "--from", "pop", "--to", "new", "--since", "2024-01-01"); r.code != ExitUsage {
		t.Errorf("--since: exit %d\n%s", r.code, r.stderr)
	}
	if r = h.run("", "migrate", "--from", "new", "--to", "pop"); r.code != ExitFailure || !strings.Contains(r.stderr, "no IMAP server") {
		t.Errorf("into POP3: exit %d\n%s", r.code, r.stderr)
	}
}
