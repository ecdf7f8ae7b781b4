package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/internal/testenv"
)

func writeCSV(t *testing.T, dir, text string) string {
	t.Helper()
	p := filepath.Join(dir, "staff.csv")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Three mailboxes through Dovecot's master user on both sides, one of
// which does not exist: exit 1 with the status table, then after the
// mailbox is created a re-run finishes it alone and exits 0.
func TestMigrateBatchCommand(t *testing.T) {
	d := testenv.Dovecot(t)
	s1, s2, d1, d2, d3 := d.NewUser(t), d.NewUser(t), d.NewUser(t), d.NewUser(t), d.NewUser(t)
	ghostLocal := "nobody" + strings.ReplaceAll(strings.SplitN(s1.Email, "@", 2)[0], "-", "")
	ghost := ghostLocal + "@" + testenv.TestDomain
	d.Deliver(t, s1.Email, sampleMail(s1.Email, "batch one"))
	d.Deliver(t, s2.Email, sampleMail(s2.Email, "batch two"))
	d.WaitMessages(t, s1.Email, "INBOX", 1)
	d.WaitMessages(t, s2.Email, "INBOX", 1)
	dir := t.TempDir()
	master := filepath.Join(dir, "master")
	if err := os.WriteFile(master, []byte(d.MasterPassword), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, "zh_CN.UTF-8")
	for _, name := range []string{"old-admin", "new-admin"} {
		if r := h.run("", "account", "add", name, "--email", d.MasterUser+"@"+testenv.TestDomain, "--username", d.MasterUser,
			"--imap", d.IMAPSAddr(), "--security", "tls", "--ca-file", d.CAFile, "--password-cmd", "cat "+master); r.code != ExitOK {
			t.Fatalf("account add: %d %s", r.code, r.stderr)
		}
	}
	csv := writeCSV(t, dir, "source,destination\n"+s1.Email+","+d1.Email+"\n"+s2.Email+","+d2.Email+"\n"+ghost+","+d3.Email+"\n")
	args := []string{"migrate", "batch", csv, "--from", "old-admin", "--from-admin", "master", "--to", "new-admin", "--to-admin", "authzid", "--parallel", "3"}
	r := h.run("", args...)
	if r.code != ExitFailure || !strings.Contains(r.stdout, "全部 3 · 排队 0 · 进行中 0 · 成功 2 · 失败 1 · 已放弃 0") ||
		!strings.Contains(r.stdout, "用户名或密码不对") || !strings.Contains(r.stderr, "有邮箱没有搬完") {
		t.Fatalf("first run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := h.run("", "--lang", "en", "migrate", "batch", csv, "--status"); r.code != ExitOK ||
		!strings.Contains(r.stdout, "all 3 · queued 0 · running 0 · succeeded 2 · failed 1 · given up 0") {
		t.Fatalf("--status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	d.NewUserWith(t, testenv.UserOptions{Local: ghostLocal})
	d.Deliver(t, s1.Email, sampleMail(s1.Email, "after the first run"))
	d.WaitMessages(t, s1.Email, "INBOX", 2)
	r = h.run("", args...)
	if r.code != ExitOK || !strings.Contains(r.stdout, "成功 3") || strings.Contains(r.stderr, s1.Email) {
		t.Fatalf("re-run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := d.MessageCount(t, d1.Email, "INBOX"); n != 1 {
		t.Errorf("the succeeded row ran again: %d messages", n)
	}
}

// --since limits every row to mail received on or after the day: a day
// to come copies nothing, and the rows still succeed, verified.
func TestMigrateBatchSince(t *testing.T) {
	d := testenv.Dovecot(t)
	s1, d1 := d.NewUser(t), d.NewUser(t)
	d.Deliver(t, s1.Email, sampleMail(s1.Email, "before the day"))
	d.WaitMessages(t, s1.Email, "INBOX", 1)
	dir := t.TempDir()
	master := filepath.Join(dir, "master")
	if err := os.WriteFile(master, []byte(d.MasterPassword), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, "en_US.UTF-8")
	for _, name := range []string{"old-admin", "new-admin"} {
		if r := h.run("", "account", "add", name, "--email", d.MasterUser+"@"+testenv.TestDomain, "--username", d.MasterUser,
			"--imap", d.IMAPSAddr(), "--security", "tls", "--ca-file", d.CAFile, "--password-cmd", "cat "+master); r.code != ExitOK {
			t.Fatalf("account add: %d %s", r.code, r.stderr)
		}
	}
	csv := writeCSV(t, dir, "source,destination\n"+s1.Email+","+d1.Email+"\n")
	args := []string{"migrate", "batch", csv, "--from", "old-admin", "--from-admin", "master", "--to", "new-admin", "--to-admin", "master"}
	if r := h.run("", append(args, "--since", "2026-13-01")...); r.code != ExitUsage || !strings.Contains(r.stderr, "want YYYY-MM-DD") {
		t.Fatalf("bad --since: exit %d\n%s", r.code, r.stderr)
	}
	r := h.run("", append(args, "--since", time.Now().AddDate(0, 0, 2).Format(time.DateOnly))...)
	if r.code != ExitOK || !strings.Contains(r.stdout, "succeeded 1") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := d.MessageCount(t, d1.Email, "INBOX"); n != 0 {
		t.Errorf("--since in the future, yet %d messages copied", n)
	}
}

func TestMigrateBatchBadCSV(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ text, lang, want string }{
		{"source,destination\na@x.test,b@y.test\n,c@y.test\n", "en_US.UTF-8", "staff.csv line 3, column 1 (source): required, but empty"},
		{"source,destination\na@x.test,nope\n", "zh_CN.UTF-8", "staff.csv 第 2 行第 2 列 (destination)：“nope” 不是邮件地址"},
		{"source,dest\n", "en_US.UTF-8", "line 1, column 2: unknown column \"dest\""},
		{"source,destination\na@x.test,b@y.test\n", "en_US.UTF-8", "line 2 (source_password_cmd): no password command"},
	} {
		h := newHarness(t, c.lang)
		if r := h.run("", "account", "add", "srv", "--email", "a@x.test", "--imap", "127.0.0.1:1", "--security", "tls", "--password-cmd", "echo x"); r.code != ExitOK {
			t.Fatalf("account add: %s", r.stderr)
		}
		csv := writeCSV(t, dir, c.text)
		r := h.run("", "migrate", "batch", csv, "--from", "srv", "--to", "srv")
		if r.code != ExitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: exit %d, want 2 and %q\n%s", c.text, r.code, c.want, r.stderr)
		}
	}
}

// `magpie migrate wizard` opens the app with the wizard showing.
func TestMigrateWizardOpensApp(t *testing.T) {
	h := newHarness(t, "en_US.UTF-8")
	var opened, start bool
	code := Run(t.Context(), []string{"migrate", "wizard"}, Env{
		Stdout: &strings.Builder{}, Stderr: &strings.Builder{}, Getenv: func(k string) string { return h.env[k] },
		Secrets: h.secrets, Version: "test",
		OpenApp: func(_ context.Context, s *Session) error { opened, start = true, s.StartMigration; return nil },
	})
	if code != ExitOK || !opened || !start {
		t.Fatalf("exit %d opened %v start %v", code, opened, start)
	}
	if r := h.run("", "migrate", "wizard"); r.code != ExitFailure || !strings.Contains(r.stderr, "no terminal app") {
		t.Fatalf("without an app: %d %s", r.code, r.stderr)
	}
}
