package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/testenv"
)

func mustRun(t *testing.T, h *harness, stdin string, args ...string) result {
	t.Helper()
	r := h.run(stdin, args...)
	if r.code != ExitOK {
		t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
	return r
}

func mailFrom(from, to, subject string) []byte {
	return fmt.Appendf(nil, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%x@rules.test>\r\nDate: Sat, 21 Nov 2026 10:00:00 +0800\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n",
		from, to, subject, subject+from)
}

// TestRulesOnTheServer drives rules, block and vacation from the command
// line against Dovecot's ManageSieve, and checks delivered mail obeys them.
func TestRulesOnTheServer(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	h := addDovecotAccount(t, "en_US.UTF-8", d, u, "--sieve", d.Addr(d.SievePort))

	r := mustRun(t, h, "", "rules", "add", "dove", "--name", "报价", "--if", "subject:报价", "--then", "move:客户/2026", "--then", "flag")
	if !strings.Contains(r.stdout, "run on the server") || !strings.Contains(r.stdout, "1 rule(s)") {
		t.Errorf("add output:\n%s", r.stdout)
	}
	mustRun(t, h, "", "block", "dove", "@spam.example", "pest@bad.example")
	mustRun(t, h, "", "allow", "dove", "friend@spam.example")
	if r := h.run("", "rules", "add", "dove", "--name", "报价", "--if", "from:x", "--then", "read"); r.code != ExitFailure || !strings.Contains(r.stderr, "already a rule") {
		t.Errorf("duplicate: exit %d\n%s", r.code, r.stderr)
	}

	r = mustRun(t, h, "", "rules", "list", "dove")
	for _, want := range []string{"1. 报价", "if all of: subject:报价", "then: move:客户/2026  flag", "Blocked: @spam.example, pest@bad.example", "Allowed: friend@spam.example"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("list lacks %q:\n%s", want, r.stdout)
		}
	}
	r = mustRun(t, h, "", "rules", "export", "dove")
	if !strings.Contains(r.stdout, "# magpie-rules: v1") || !strings.Contains(r.stdout, `fileinto :create "客户/2026";`) {
		t.Errorf("export:\n%s", r.stdout)
	}

	d.Deliver(t, u.Email, mailFrom("buyer@client.example", u.Email, "关于报价"))
	d.Deliver(t, u.Email, mailFrom("x@spam.example", u.Email, "cheap"))
	d.Deliver(t, u.Email, mailFrom("friend@spam.example", u.Email, "dinner"))
	for box, want := range map[string]int{"客户/2026": 1, "Junk": 1, "INBOX": 1} {
		if n := d.MessageCount(t, u.Email, box); n != want {
			t.Errorf("%s: %d, want %d", box, n, want)
		}
	}

	body := filepath.Join(t.TempDir(), "reply.txt")
	if err := os.WriteFile(body, []byte("我在休假。\nI am on leave."), 0o600); err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, h, "", "vacation", "dove", "--on", "--subject", "休假中", "--body-file", body, "--from", "2026-12-20", "--until", "2027-01-03", "--days", "3")
	if !strings.Contains(r.stdout, "2026-12-20 to 2027-01-03") || !strings.Contains(r.stdout, u.Email) {
		t.Errorf("vacation on:\n%s", r.stdout)
	}
	r = mustRun(t, h, "", "rules", "export", "dove")
	if !strings.Contains(r.stdout, `vacation :days 3 :subject "休假中"`) || !strings.Contains(r.stdout, `"2027-01-03"`) {
		t.Errorf("export after vacation:\n%s", r.stdout)
	}
	mustRun(t, h, "", "vacation", "dove", "--off")
	if r := mustRun(t, h, "", "rules", "export", "dove"); strings.Contains(r.stdout, "vacation") {
		t.Errorf("vacation still there:\n%s", r.stdout)
	}

	mustRun(t, h, "", "rules", "disable", "dove", "报价")
	if r := mustRun(t, h, "", "rules", "list", "dove"); !strings.Contains(r.stdout, "1. 报价 [off]") {
		t.Errorf("disabled rule:\n%s", r.stdout)
	}
	if r := mustRun(t, h, "", "rules", "export", "dove"); strings.Contains(r.stdout, `fileinto :create "客户/2026"`) {
		t.Errorf("a disabled rule is still compiled:\n%s", r.stdout)
	}
	mustRun(t, h, "", "rules", "enable", "dove", "报价")
	mustRun(t, h, "", "rules", "remove", "dove", "报价")
	if r := h.run("", "rules", "remove", "dove", "报价"); r.code != ExitFailure || !strings.Contains(r.stderr, "No rule is called") {
		t.Errorf("remove twice: exit %d\n%s", r.code, r.stderr)
	}
	h.env["LANG"] = "zh_CN.UTF-8"
	r = mustRun(t, h, "", "rules", "list", "dove")
	if !strings.Contains(r.stdout, "在服务器上执行") || !strings.Contains(r.stdout, "（没有规则）") {
		t.Errorf("zh list:\n%s", r.stdout)
	}
}

// TestRulesOnThisComputer: with --sieve none the rules are kept locally and
// `rules apply` queues batched moves that the next sync carries out.
func TestRulesOnThisComputer(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	d.Doveadm(t, "mailbox", "create", "-u", u.Email, "客户")
	for i := range 3 {
		d.Deliver(t, u.Email, mailFrom("buyer@client.example", u.Email, fmt.Sprintf("报价 %d", i)))
	}
	d.Deliver(t, u.Email, mailFrom("x@spam.example", u.Email, "cheap"))
	d.Deliver(t, u.Email, mailFrom("a@b.example", u.Email, "keep me"))
	h := addDovecotAccount(t, "en_US.UTF-8", d, u, "--sieve", "none")
	mustRun(t, h, "", "sync", "--once", "dove")

	r := mustRun(t, h, "", "rules", "add", "dove", "--name", "q", "--if", "subject:报价", "--then", "read", "--then", "move:客户")
	if !strings.Contains(r.stdout, "kept on this computer") {
		t.Errorf("add output:\n%s", r.stdout)
	}
	mustRun(t, h, "", "block", "dove", "@spam.example")
	r = mustRun(t, h, "", "rules", "apply", "dove")
	if !strings.Contains(r.stdout, "5 message(s) checked, 4 matched; queued 4 move(s), 0 copy(ies), 3 flag change(s)") {
		t.Errorf("apply output:\n%s", r.stdout)
	}
	mustRun(t, h, "", "sync", "--once", "dove")
	for box, want := range map[string]int{"客户": 3, "Junk": 1, "INBOX": 1} {
		if n := d.MessageCount(t, u.Email, box); n != want {
			t.Errorf("%s: %d, want %d", box, n, want)
		}
	}
	if flags := d.Doveadm(t, "fetch", "-u", u.Email, "flags", "mailbox", "客户"); strings.Count(flags, `\Seen`) != 3 {
		t.Errorf("moved mail not read: %q", flags)
	}
	// A second run finds nothing left to do.
	if r := mustRun(t, h, "", "rules", "apply", "dove"); !strings.Contains(r.stdout, "1 message(s) checked, 0 matched") {
		t.Errorf("second apply:\n%s", r.stdout)
	}

	// No ManageSieve: no vacation, and Magpie says where to set it.
	body := filepath.Join(t.TempDir(), "reply.txt")
	if err := os.WriteFile(body, []byte("away"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := h.run("", "vacation", "dove", "--on", "--body-file", body); r.code != ExitFailure || !strings.Contains(r.stderr, "web settings") {
		t.Errorf("vacation without sieve: exit %d\n%s", r.code, r.stderr)
	}
}

func TestVacationNeedsWebSettingsOnPresets(t *testing.T) {
	body := filepath.Join(t.TempDir(), "reply.txt")
	if err := os.WriteFile(body, []byte("away"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, want string }{{"en_US.UTF-8", "https://exmail.qq.com"}, {"zh_CN.UTF-8", "设置 → 常规 → 自动回复"}} {
		h := newHarness(t, c.lang)
		mustRun(t, h, "pw\n", "account", "add", "work", "--email", "chen@example.com", "--provider", "exmail", "--password-stdin")
		r := h.run("", "vacation", "work", "--on", "--body-file", body)
		if r.code != ExitFailure || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: exit %d\n%s", c.lang, r.code, r.stderr)
		}
	}
	// Every preset has its page.
	for _, pr := range account.Providers() {
		h := newHarness(t, "zh_CN.UTF-8")
		mustRun(t, h, "pw\n", "account", "add", "a", "--email", "a@example.com", "--provider", pr.ID, "--password-stdin")
		r := h.run("", "vacation", "a", "--on", "--body-file", body)
		if r.code != ExitFailure || strings.Contains(r.stderr, "rules.vacation.page") || strings.Contains(r.stderr, "“设置”里找") {
			t.Errorf("%s: no page of its own:\n%s", pr.ID, r.stderr)
		}
	}
}

func TestRulesUsageAndHelp(t *testing.T) {
	h := newHarness(t, "en_US.UTF-8")
	mustRun(t, h, "pw\n", "account", "add", "work", "--email", "chen@example.com", "--provider", "exmail", "--password-stdin")
	for _, args := range [][]string{
		{"rules", "add", "work", "--name", "x", "--if", "nokey:1", "--then", "read"},
		{"rules", "add", "work", "--name", "x", "--if", "from:a", "--then", "explode"},
		{"rules", "add", "work", "--if", "from:a", "--then", "read"},
		{"rules", "remove", "work"},
		{"block", "work", "not-an-address"},
		{"block", "work"},
		{"vacation", "work"},
		{"vacation", "work", "--on", "--off"},
		{"vacation", "work", "--on"},
	} {
		if r := h.run("", args...); r.code != ExitUsage {
			t.Errorf("%v: exit %d, want 2\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	for lang, want := range map[string][]string{
		"en_US.UTF-8": {"Conditions (--if", "identity:ADDR", "forward:ADDR"},
		"zh_CN.UTF-8": {"条件（--if", "identity:地址", "forward:地址"},
	} {
		h.env["LANG"] = lang
		r := mustRun(t, h, "", "rules", "add", "--help")
		for _, w := range want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%s help lacks %q", lang, w)
			}
		}
		for _, cmd := range [][]string{{"vacation", "--help"}, {"block", "--help"}, {"allow", "--help"}, {"rules", "apply", "--help"}, {"rules", "export", "--help"}} {
			if r := mustRun(t, h, "", cmd...); !strings.Contains(r.stdout, "--") {
				t.Errorf("%v %s: %s", cmd, lang, r.stdout)
			}
		}
	}
	// Local rules without any synced mail: saved, and apply says to sync.
	mustRun(t, h, "", "rules", "add", "work", "--name", "x", "--if", "from:a@b.example", "--then", "flag")
	if r := h.run("", "rules", "apply", "work"); r.code != ExitFailure || !strings.Contains(r.stderr, "magpie sync") {
		t.Errorf("apply before sync: exit %d\n%s", r.code, r.stderr)
	}
}

// TestSyncRunsRulesOnArrival: `magpie sync ACCOUNT` (IDLE) files new mail
// by the rules of an account without ManageSieve, and says so.
func TestSyncRunsRulesOnArrival(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	d.Doveadm(t, "mailbox", "create", "-u", u.Email, "客户")
	d.Deliver(t, u.Email, mailFrom("buyer@client.example", u.Email, "报价 old"))
	h := addDovecotAccount(t, "en_US.UTF-8", d, u, "--sieve", "none")
	mustRun(t, h, "", "sync", "--once", "dove")
	mustRun(t, h, "", "rules", "add", "dove", "--name", "q", "--if", "subject:报价", "--then", "move:客户")

	ctx, cancel := context.WithCancel(t.Context())
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"sync", "dove"}, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string { return h.env[k] }, Secrets: h.secrets, Dialer: h.dialer, Version: "test"})
	}()
	d.Deliver(t, u.Email, mailFrom("buyer@client.example", u.Email, "报价 new"))
	d.WaitMessages(t, u.Email, "客户", 1)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "the rules handled 1 new message(s) (1 moved") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done
	if !strings.Contains(out.String(), "the rules handled 1 new message(s) (1 moved") {
		t.Errorf("sync output:\n%s\n%s", out.String(), errOut.String())
	}
	if n := d.MessageCount(t, u.Email, "INBOX"); n != 1 {
		t.Errorf("INBOX holds %d: the mail from before the rules must stay", n)
	}
}

// syncBuffer is a bytes.Buffer safe to read while a command writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.b.String() }
