package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/testenv"
)

// TestSecretsStayInTheKeyring runs the account commands against real
// gnome-keyring, Dovecot and Postfix, then greps everything Magpie wrote or
// printed, its wire trace, its errors, and the argv of the one child it
// starts (password_cmd) for the password. Only the keyring may hold it.
func TestSecretsStayInTheKeyring(t *testing.T) {
	kr := testenv.Keyring(t)
	d := testenv.Dovecot(t)
	pf := testenv.Postfix(t)
	u := d.NewUser(t)
	secret := u.Password
	h := newHarness(t, "zh_CN.UTF-8")
	h.env["DBUS_SESSION_BUS_ADDRESS"] = kr.BusAddress
	h.secrets = account.Keyring{Getenv: func(k string) string { return h.env[k] }}
	trace := filepath.Join(h.home, "trace.txt")
	var printed strings.Builder
	run := func(wantCode int, stdin string, args ...string) {
		t.Helper()
		r := h.run(stdin, append([]string{"--trace", trace}, args...)...)
		printed.WriteString(r.stdout + r.stderr)
		if r.code != wantCode {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, r.code, wantCode, r.stdout, r.stderr)
		}
	}

	run(ExitOK, secret+"\n", "account", "add", "work", "--email", u.Email, "--imap", d.IMAPSAddr(), "--security", "tls",
		"--smtp", pf.SubmissionAddr(), "--smtp-security", "starttls", "--ca-file", d.CAFile, "--password-stdin")
	run(ExitOK, "", "account", "test", "work")
	run(ExitOK, "", "account", "list")
	run(ExitOK, "", "account", "list", "--json")

	// The secret is in gnome-keyring, where secret-tool (another client of
	// the Secret Service) finds it under service "magpie".
	lookup := exec.Command("secret-tool", "lookup", "service", "magpie", "username", "work")
	lookup.Env = append(os.Environ(), kr.Env()...)
	out, err := lookup.Output()
	if err != nil || strings.TrimSpace(string(out)) != secret {
		t.Fatalf("secret-tool lookup: %q, %v", out, err)
	}

	// A password_cmd account records the argv of the child Magpie starts.
	argvLog := filepath.Join(h.home, "argv.txt")
	secretFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(secretFile, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := "tr '\\0' ' ' < /proc/$$/cmdline >> " + argvLog + "; cat " + secretFile
	run(ExitOK, "", "account", "add", "cmd", "--email", u.Email, "--imap", d.IMAPSAddr(), "--security", "tls",
		"--ca-file", d.CAFile, "--password-cmd", cmd)
	run(ExitOK, "", "account", "test", "cmd")

	// Failures must not echo the secret either: a refused password at a
	// wrong username, and a server that is not there.
	run(ExitOK, secret+"\n", "account", "add", "wrong", "--email", "nobody@example.test", "--imap", d.IMAPSAddr(),
		"--security", "tls", "--ca-file", d.CAFile, "--password-stdin")
	run(ExitFailure, "", "account", "test", "wrong")
	run(ExitOK, secret+"\n", "account", "add", "gone", "--email", u.Email, "--imap", "127.0.0.1:1", "--password-stdin")
	run(ExitFailure, "", "account", "test", "gone")

	argv, err := os.ReadFile(argvLog)
	if err != nil || !strings.Contains(string(argv), "sh -c") {
		t.Fatalf("password_cmd child argv not recorded: %q %v", argv, err)
	}
	if tr, err := os.ReadFile(trace); err != nil || !strings.Contains(string(tr), "[credentials redacted]") {
		t.Fatalf("trace missing or without a login: %v", err)
	}

	// Everything Magpie wrote under its XDG dirs, the trace, its output.
	var leaks []string
	filepath.Walk(h.home, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && strings.Contains(string(b), secret) {
			leaks = append(leaks, path)
		}
		return nil
	})
	if strings.Contains(printed.String(), secret) {
		leaks = append(leaks, "stdout/stderr")
	}
	if len(leaks) > 0 {
		t.Fatalf("the secret leaked into: %v", leaks)
	}

	run(ExitOK, "", "account", "remove", "work")
	again := exec.Command("secret-tool", "lookup", "service", "magpie", "username", "work")
	again.Env = append(os.Environ(), kr.Env()...)
	if out, err := again.Output(); err == nil && len(out) > 0 {
		t.Fatalf("account remove left the secret in the keyring: %q", out)
	}
	if _, err := h.secrets.Get(context.Background(), "work"); err == nil {
		t.Fatal("the keyring still answers for the removed account")
	}
}
