package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/magpie-mail/magpie/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func sampleMail(to, subject string) []byte {
	return []byte(fmt.Sprintf("From: 王芳 <wang@example.test>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@example.test>\r\nDate: Sat, 21 Nov 2026 10:00:00 +0800\r\n\r\nhello\r\n", to, subject, strings.ReplaceAll(subject, " ", ".")))
}

// addDovecotAccount adds the user as an account over IMAPS, verifying the
// harness CA through ca_file, and returns the harness.
func addDovecotAccount(t *testing.T, lang string, d *testenv.DovecotServer, u testenv.User, extra ...string) *harness {
	t.Helper()
	h := newHarness(t, lang)
	args := append([]string{"account", "add", "dove", "--email", u.Email, "--imap", d.IMAPSAddr(), "--security", "tls", "--ca-file", d.CAFile}, extra...)
	stdin := ""
	if !hasFlag(extra, "--password-cmd") {
		args = append(args, "--password-stdin")
		stdin = u.Password + "\n"
	}
	if r := h.run(stdin, args...); r.code != ExitOK {
		t.Fatalf("account add: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	return h
}

func hasFlag(args []string, flag string) bool {
	for _, a := range args {
		if a == flag {
			return true
		}
	}
	return false
}

func TestAccountTestAgainstDovecotAndPostfix(t *testing.T) {
	d := testenv.Dovecot(t)
	pf := testenv.Postfix(t)
	u := d.NewUser(t)
	d.Deliver(t, u.Email, sampleMail(u.Email, "第一封"))
	d.Deliver(t, u.Email, sampleMail(u.Email, "second one"))
	// Implicit TLS on both (IMAPS, submissions) …
	h := addDovecotAccount(t, "en_US.UTF-8", d, u, "--smtp", pf.Addr(pf.SubmissionsPort))
	r := h.run("", "account", "test", "dove")
	if r.code != ExitOK {
		t.Fatalf("account test: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// … and STARTTLS on both (IMAP 143-style, submission 587-style).
	h2 := newHarness(t, "en_US.UTF-8")
	if r2 := h2.run(u.Password, "account", "add", "dove", "--email", u.Email, "--imap", d.IMAPAddr(), "--smtp", pf.Addr(pf.SubmissionPort),
		"--security", "starttls", "--ca-file", d.CAFile, "--password-stdin"); r2.code != ExitOK {
		t.Fatalf("add starttls: %d %s", r2.code, r2.stderr)
	}
	if r2 := h2.run("", "account", "test", "dove"); r2.code != ExitOK || !strings.Contains(r2.stdout, "✓ SMTP login works") {
		t.Fatalf("starttls account test: exit %d\n%s%s", r2.code, r2.stdout, r2.stderr)
	}
	for _, want := range []string{"✓ IMAP login works", "IDLE", "SPECIAL-USE", "✓ SMTP login works", "works."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	// INBOX with its two messages, and the special-use folders with roles.
	for _, row := range []string{`INBOX\s+inbox\s+2\s+2`, `Sent\s+sent\s+0\s+0`, `Drafts\s+drafts`, `Trash\s+trash`, `Junk\s+junk`} {
		if !regexp.MustCompile(`(?m)^\s+` + row).MatchString(r.stdout) {
			t.Errorf("folder table lacks %q:\n%s", row, r.stdout)
		}
	}
}

func TestAccountTestWrongPasswordExplains(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	for _, lang := range []string{"en_US.UTF-8", "zh_CN.UTF-8"} {
		h := addDovecotAccount(t, lang, d, testenv.User{Name: u.Name, Email: u.Email, Password: "not-the-password"})
		r := h.run("", "account", "test", "dove")
		if r.code != ExitFailure {
			t.Fatalf("%s: exit %d, want 1\n%s", lang, r.code, r.stdout)
		}
		want := map[string][]string{
			"en_US.UTF-8": {"IMAP login failed", "refused the user name or password", "client password", "What to do"},
			"zh_CN.UTF-8": {"IMAP 登录失败", "拒绝了用户名或密码", "客户端专用密码", "怎么办"},
		}[lang]
		for _, w := range want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%s: output lacks %q:\n%s", lang, w, r.stdout)
			}
		}
	}
}

func TestAccountWithPasswordCmdAndMasterUser(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	d.Deliver(t, u.Email, sampleMail(u.Email, "for the delegate"))
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte(u.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := addDovecotAccount(t, "en_US.UTF-8", d, u, "--password-cmd", "cat "+secretFile)
	if r := h.run("", "account", "test", "dove"); r.code != ExitOK {
		t.Fatalf("password-cmd account: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	masterFile := filepath.Join(dir, "master")
	if err := os.WriteFile(masterFile, []byte(d.MasterPassword), 0o600); err != nil {
		t.Fatal(err)
	}
	// Dovecot's "user*master" login form.
	h = addDovecotAccount(t, "en_US.UTF-8", d, u, "--username", u.Email+"*"+d.MasterUser, "--password-cmd", "cat "+masterFile)
	if r := h.run("", "account", "test", "dove"); r.code != ExitOK || !strings.Contains(r.stdout, "INBOX") {
		t.Fatalf("user*master login: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// SASL PLAIN with an authorization identity (RFC 4616), as delegated
	// access on Exchange/Office 365 works.
	h = addDovecotAccount(t, "en_US.UTF-8", d, u, "--username", d.MasterUser, "--authorize-as", u.Email, "--password-cmd", "cat "+masterFile)
	r := h.run("", "account", "test", "dove")
	if r.code != ExitOK || !regexp.MustCompile(`INBOX\s+inbox\s+1`).MatchString(r.stdout) {
		t.Fatalf("authorize-as login: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
