package testenv

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// User is a mail account on the test Dovecot. Name is the login name and
// equals Email (e.g. "u3-1a2b3c@example.test").
type User struct {
	Name, Email, Password string
}

// UserOptions tune NewUserWith.
type UserOptions struct {
	// Local is the local part of the address; empty picks a unique one.
	// It must be unique within the test binary.
	Local string
	// QuotaStorage, when set, limits the user's storage, in Dovecot's
	// quota_rule syntax: "10M", "512k" (no spaces).
	QuotaStorage string
	// QuotaMessages, when > 0, limits the number of messages.
	QuotaMessages int
}

// NewUser adds a fresh user with a random password and returns it once it
// can log in.
func (d *DovecotServer) NewUser(tb testing.TB) User {
	tb.Helper()
	return d.NewUserWith(tb, UserOptions{})
}

// NewUserWith adds a fresh user with the given options and returns it once
// it can log in.
func (d *DovecotServer) NewUserWith(tb testing.TB, o UserOptions) User {
	tb.Helper()
	var extra []string
	if o.QuotaStorage != "" {
		if strings.ContainsAny(o.QuotaStorage, " \t:\n") {
			tb.Fatalf("testenv: dovecot: bad quota %q", o.QuotaStorage)
		}
		extra = append(extra, "userdb_quota_rule=*:storage="+o.QuotaStorage)
	}
	if o.QuotaMessages > 0 {
		extra = append(extra, "userdb_quota_rule2=*:messages="+strconv.Itoa(o.QuotaMessages))
	}

	d.mu.Lock()
	d.seq++
	local := o.Local
	if local == "" {
		local = fmt.Sprintf("u%d-%s", d.seq, randomHex(3))
	}
	if strings.ContainsAny(local, ":@ \t\n*") {
		d.mu.Unlock()
		tb.Fatalf("testenv: dovecot: bad local part %q", local)
	}
	u := User{Name: local + "@" + TestDomain, Password: "pw-" + randomHex(8)}
	u.Email = u.Name
	path := filepath.Join(d.passwdDir, u.Name)
	if _, err := os.Stat(path); err == nil {
		d.mu.Unlock()
		tb.Fatalf("testenv: dovecot: user %s exists", u.Name)
	}
	// name:password:uid:gid:gecos:home:shell:extra_fields
	line := fmt.Sprintf("%s:%s::::::%s\n", u.Name, u.Password, strings.Join(extra, " "))
	err := writeAuthFile(path, []byte(line))
	d.mu.Unlock()
	if err != nil {
		tb.Fatal(err)
	}

	// Each user has its own passwd-file (the passdb path is per user), so
	// Dovecot reads a new user's file on first lookup. Check anyway before
	// handing the user out.
	deadline := time.Now().Add(startTimeout)
	for {
		err := d.checkLogin(tb.Context(), u)
		if err == nil {
			return u
		}
		if time.Now().After(deadline) {
			tb.Fatalf("testenv: dovecot: new user %s cannot log in: %v\n%s", u.Name, err, logTail(d.logPath, 20))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// writeAuthFile atomically writes a file of passwords that Dovecot's auth
// process (running as the dovecot group when root) must read.
func writeAuthFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		return fmt.Errorf("testenv: dovecot auth file: %w", err)
	}
	if isRoot() {
		if g, err := user.LookupGroup("dovecot"); err == nil {
			gid, _ := strconv.Atoi(g.Gid)
			if err := os.Chown(tmp, 0, gid); err != nil {
				return fmt.Errorf("testenv: dovecot auth file: %w", err)
			}
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("testenv: dovecot auth file: %w", err)
	}
	return nil
}

// Deliver delivers raw (a complete RFC 5322 message with CRLF or LF line
// endings) to rcpt over LMTP (RFC 2033), which runs the user's active Sieve
// script. It fails tb when the delivery is refused.
func (d *DovecotServer) Deliver(tb testing.TB, rcpt string, raw []byte) {
	tb.Helper()
	if err := d.deliver(tb.Context(), rcpt, raw); err != nil {
		tb.Fatal(err)
	}
}

func (d *DovecotServer) deliver(ctx context.Context, rcpt string, raw []byte) error {
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", d.Addr(d.LMTPPort))
	if err != nil {
		return fmt.Errorf("testenv: lmtp: %w", err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return fmt.Errorf("testenv: lmtp: %w", err)
	}
	if err := c.Mail("sender@"+TestDomain, nil); err != nil {
		return fmt.Errorf("testenv: lmtp MAIL: %w", err)
	}
	if err := c.Rcpt(rcpt, nil); err != nil {
		return fmt.Errorf("testenv: lmtp RCPT %s: %w", rcpt, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("testenv: lmtp DATA: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("testenv: lmtp DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("testenv: lmtp delivery to %s: %w", rcpt, err)
	}
	return c.Quit()
}

// Doveadm runs doveadm with this instance's configuration and returns its
// standard output; it fails tb on error. Mail commands take "-u user".
func (d *DovecotServer) Doveadm(tb testing.TB, args ...string) string {
	tb.Helper()
	out, err := d.doveadmRun(tb.Context(), args...)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func (d *DovecotServer) doveadmRun(ctx context.Context, args ...string) (string, error) {
	if d.doveadm == "" {
		return "", fmt.Errorf("testenv: doveadm not installed")
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.doveadm, append([]string{"-c", d.conf}, args...)...)
	cmd.Env = childEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("testenv: doveadm %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// MessageCount returns the number of messages in user's mailbox.
func (d *DovecotServer) MessageCount(tb testing.TB, user, mailbox string) int {
	tb.Helper()
	n, err := d.messageCount(tb.Context(), user, mailbox)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func (d *DovecotServer) messageCount(ctx context.Context, user, mailbox string) (int, error) {
	out, err := d.doveadmRun(ctx, "-f", "flow", "mailbox", "status", "-u", user, "messages", mailbox)
	if err != nil {
		return 0, err
	}
	_, v, ok := strings.Cut(strings.TrimSpace(out), "messages=")
	if !ok || strings.Contains(v, " ") {
		return 0, fmt.Errorf("testenv: doveadm mailbox status: unexpected output %q", out)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("testenv: doveadm mailbox status: %w", err)
	}
	return n, nil
}

// WaitMessages waits until user's mailbox holds at least n messages and
// returns the count. It polls with a bound (30 s; this is the harness
// waiting for an asynchronous delivery, not a timing assertion) and fails tb
// when the messages do not arrive.
func (d *DovecotServer) WaitMessages(tb testing.TB, user, mailbox string, n int) int {
	tb.Helper()
	deadline := time.Now().Add(startTimeout)
	for {
		got, err := d.messageCount(tb.Context(), user, mailbox)
		if err == nil && got >= n {
			return got
		}
		if time.Now().After(deadline) {
			tb.Fatalf("testenv: %s %s: %d messages, want >= %d (last error: %v)", user, mailbox, got, n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// WaitMessage waits until a message with the given Message-ID header (with
// or without angle brackets) is in user's mailbox, polling with the same
// bound as WaitMessages, and fails tb when it does not arrive.
func (d *DovecotServer) WaitMessage(tb testing.TB, user, mailbox, messageID string) {
	tb.Helper()
	id := strings.Trim(messageID, "<>")
	deadline := time.Now().Add(startTimeout)
	for {
		out, err := d.doveadmRun(tb.Context(), "search", "-u", user, "mailbox", mailbox, "header", "Message-ID", id)
		if err == nil && strings.TrimSpace(out) != "" {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("testenv: %s %s: no message <%s> (last error: %v)", user, mailbox, id, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// LogTail returns the last n lines of Dovecot's log, for failure messages.
func (d *DovecotServer) LogTail(n int) string { return logTail(d.logPath, n) }

func lookupGroupName(gid int) (string, error) {
	g, err := user.LookupGroupId(strconv.Itoa(gid))
	if err != nil {
		return "", fmt.Errorf("testenv: group %d: %w", gid, err)
	}
	return g.Name, nil
}

// checkLogin logs u in over plain IMAP (allowed on loopback) and out again.
func (d *DovecotServer) checkLogin(ctx context.Context, u User) error {
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", d.IMAPAddr())
	if err != nil {
		return fmt.Errorf("testenv: imap: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	} else {
		_ = conn.SetDeadline(time.Now().Add(startTimeout))
	}
	tp := textproto.NewConn(conn)
	if _, err := tp.ReadLine(); err != nil { // greeting
		return fmt.Errorf("testenv: imap greeting: %w", err)
	}
	if err := tp.PrintfLine("a LOGIN %q %q", u.Name, u.Password); err != nil {
		return fmt.Errorf("testenv: imap login: %w", err)
	}
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return fmt.Errorf("testenv: imap login: %w", err)
		}
		if rest, ok := strings.CutPrefix(line, "a "); ok {
			if !strings.HasPrefix(rest, "OK") {
				return fmt.Errorf("testenv: imap login %s: %s", u.Name, rest)
			}
			break
		}
	}
	_ = tp.PrintfLine("b LOGOUT")
	return nil
}
