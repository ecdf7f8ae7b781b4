package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/outbox"
)

func TestSendCommandThroughPostfix(t *testing.T) {
	d := testenv.Dovecot(t)
	pf := testenv.Postfix(t)
	u, to, bcc := d.NewUser(t), d.NewUser(t), d.NewUser(t)
	alias := "alias-" + strings.Split(u.Email, "@")[0] + "@" + testenv.TestDomain
	h := addDovecotAccount(t, "zh_CN.UTF-8", d, u, "--smtp", pf.Addr(pf.SubmissionsPort), "--name", "陈明", "--alias", alias+"=销售部")
	// A signature for new mail, added by hand as members do.
	cfg, _ := os.ReadFile(h.configPath())
	cfg = bytes.Replace(cfg, []byte("name = 'dove'\n"), []byte("name = 'dove'\nsignature_new = \"陈明\\n示例公司\"\n"), 1)
	if err := os.WriteFile(h.configPath(), cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "季度报告.pdf")
	data := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 0xff}, 300)...)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.run("大家好：\n报告见附件。\n", "send", "--from", alias, "--to", "王芳 <"+to.Email+">", "--bcc", bcc.Email,
		"--subject", "第一季度报告", "--attach", file)
	if r.code != ExitOK || !strings.Contains(r.stdout, "✓ 已以 "+alias) {
		t.Fatalf("send: exit %d\n%s%s\n%s", r.code, r.stdout, r.stderr, pf.LogTail(20))
	}
	// Online: the Sent copy is filed at once, not at the next sync.
	if !strings.Contains(r.stdout, "已在“已发送”文件夹里保存一份副本。") || d.MessageCount(t, u.Name, "Sent") != 1 {
		t.Errorf("Sent copy not filed by send: %d in Sent\n%s", d.MessageCount(t, u.Name, "Sent"), r.stdout)
	}
	pf.WaitMessages(t, to.Name, "INBOX", 1)
	pf.WaitMessages(t, bcc.Name, "INBOX", 1)
	out := d.Doveadm(t, "fetch", "-u", to.Name, "text", "mailbox", "INBOX")
	raw := []byte(strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(out), "text:\n"), "\n", "\r\n"))
	p, err := message.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.From) != 1 || p.From[0].Addr != alias || p.From[0].Name != "销售部" || p.Subject != "第一季度报告" {
		t.Errorf("from %v subject %q", p.From, p.Subject)
	}
	if len(p.Attachments) != 1 || p.Attachments[0].Filename != "季度报告.pdf" {
		t.Fatalf("attachments %+v", p.Attachments)
	}
	if got, _ := message.PartData(raw, p.Attachments[0].PartPath); !bytes.Equal(got, data) {
		t.Error("attachment bytes changed")
	}
	if !strings.Contains(p.Text, "报告见附件。") || strings.Contains(string(raw), bcc.Email) {
		t.Errorf("text %q, or Bcc visible", p.Text)
	}
	// The primary identity has the signature; the alias without one of
	// its own borrows it.
	if !strings.Contains(p.Text, "-- \n陈明\n示例公司") {
		t.Errorf("signature missing: %q", p.Text)
	}
}

func TestSendCommandOfflineAndScheduled(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	h := addDovecotAccount(t, "en_US.UTF-8", d, u, "--smtp", "127.0.0.1:1")
	r := h.run("body", "send", "--account", "dove", "--to", "x@example.test", "--subject", "offline")
	if r.code != ExitFailure || !strings.Contains(r.stderr, "waits in the outbox") {
		t.Fatalf("offline send: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	at := time.Now().Add(3 * time.Hour).Format("2006-01-02 15:04")
	r = h.run("later", "send", "--account", "dove", "--to", "x@example.test", "--subject", "later", "--at", at)
	if r.code != ExitOK || !strings.Contains(r.stdout, "leaves at "+at) {
		t.Fatalf("scheduled: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := h.run("", "send", "--account", "dove", "--subject", "x"); r.code != ExitUsage {
		t.Fatalf("no recipient: exit %d", r.code)
	}
	if r := h.run("", "send", "--from", "stranger@example.test", "--to", "x@example.test"); r.code != ExitFailure {
		t.Fatalf("unknown identity: exit %d", r.code)
	}
	if r := h.run("", "sync", "--daemon", "--once"); r.code != ExitUsage {
		t.Fatalf("--daemon --once: exit %d", r.code)
	}
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.Local)
	for in, want := range map[string]time.Time{
		"+90m":             now.Add(90 * time.Minute),
		"09:30":            time.Date(2026, 3, 2, 9, 30, 0, 0, time.Local),
		"11:00":            time.Date(2026, 3, 1, 11, 0, 0, 0, time.Local),
		"2026-03-05 08:00": time.Date(2026, 3, 5, 8, 0, 0, 0, time.Local),
	} {
		if got, err := outbox.ParseWhen(in, now); err != nil || !got.Equal(want) {
			t.Errorf("%q → %v %v, want %v", in, got, err, want)
		}
	}
	if _, err := outbox.ParseWhen("tomorrow-ish", now); err == nil {
		t.Error("nonsense accepted")
	}
}

// TestSyncDaemonSendsScheduledMail: a message scheduled with --at waits,
// and `magpie sync --daemon` sends it once it is due.
func TestSyncDaemonSendsScheduledMail(t *testing.T) {
	d := testenv.Dovecot(t)
	pf := testenv.Postfix(t)
	u, to := d.NewUser(t), d.NewUser(t)
	h := addDovecotAccount(t, "en_US.UTF-8", d, u, "--smtp", pf.Addr(pf.SubmissionsPort))
	at := time.Now().Add(2 * time.Second)
	r := h.run("定时发送的正文", "send", "--account", "dove", "--to", to.Email, "--subject", "scheduled", "--at", at.Format(time.RFC3339))
	if r.code != ExitOK || !strings.Contains(r.stdout, "In the outbox") {
		t.Fatalf("send --at: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := d.MessageCount(t, to.Name, "INBOX"); n != 0 {
		t.Fatalf("sent before its time: %d", n)
	}
	time.Sleep(time.Until(at.Add(time.Second))) // wait for the time the member chose
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() {
		var out, errOut bytes.Buffer
		code := Run(ctx, []string{"sync", "--daemon"}, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string { return h.env[k] }, Secrets: h.secrets, Dialer: h.dialer, Version: "test"})
		done <- result{code, out.String(), errOut.String()}
	}()
	pf.WaitMessages(t, to.Name, "INBOX", 1)
	cancel()
	r = <-done
	if !strings.Contains(r.stdout, "dove: sent “scheduled”") {
		t.Errorf("daemon output (exit %d):\n%s%s", r.code, r.stdout, r.stderr)
	}
	// It left once: the daemon's next flush finds nothing due.
	if n := d.MessageCount(t, to.Name, "INBOX"); n != 1 {
		t.Errorf("%d copies arrived", n)
	}
}
