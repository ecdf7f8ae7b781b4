package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/magpie-mail/magpie/internal/testenv"
)

// gbkMail is a GBK-encoded Chinese message (subject 通知, body about 邮箱搬家).
func gbkMail(t *testing.T, to string) []byte {
	t.Helper()
	enc := simplifiedchinese.GBK.NewEncoder()
	body, err := enc.String("各位好，下周一开始邮箱搬家，请提前备份。")
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := enc.String("通知")
	var q strings.Builder
	for i := 0; i < len(subject); i++ {
		fmt.Fprintf(&q, "=%02X", subject[i])
	}
	return []byte("From: IT <it@example.test>\r\nTo: " + to + "\r\nSubject: =?GBK?Q?" + q.String() + "?=\r\n" +
		"Message-ID: <gbk-1@example.test>\r\nDate: Sun, 22 Nov 2026 09:00:00 +0800\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body + "\r\n")
}

type statusRow struct {
	Account  string  `json:"account"`
	Folder   *string `json:"folder"`
	Role     string  `json:"role"`
	Messages int     `json:"messages"`
	Unseen   int     `json:"unseen"`
	Held     int     `json:"held"`
	Bodies   int     `json:"bodies"`
	LastSync *string `json:"last_sync"`
}

func statusRows(t *testing.T, h *harness, args ...string) []statusRow {
	t.Helper()
	r := h.run("", append([]string{"status", "--json"}, args...)...)
	if r.code != ExitOK {
		t.Fatalf("status --json: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rows []statusRow
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("status --json is not JSON: %v\n%s", err, r.stdout)
	}
	return rows
}

func inboxRow(t *testing.T, rows []statusRow) statusRow {
	t.Helper()
	for _, r := range rows {
		if r.Folder != nil && *r.Folder == "INBOX" {
			return r
		}
	}
	t.Fatalf("no INBOX in %+v", rows)
	return statusRow{}
}

func TestSyncStatusSearchAgainstDovecot(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	d.Deliver(t, u.Email, sampleMail(u.Email, "quarterly report"))
	d.Deliver(t, u.Email, sampleMail(u.Email, "第一封中文邮件"))
	d.Deliver(t, u.Email, gbkMail(t, u.Email))
	h := addDovecotAccount(t, "en_US.UTF-8", d, u)

	// Before the first sync the store does not exist.
	if r := h.run("", "status"); r.code != ExitOK || !strings.Contains(r.stdout, "dove: never synced — run magpie sync") {
		t.Errorf("status before sync: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	rows := statusRows(t, h)
	if len(rows) != 1 || rows[0].Folder != nil || rows[0].LastSync != nil || rows[0].Account != "dove" {
		t.Errorf("status --json before sync: %+v", rows)
	}

	r := h.run("", "sync", "--once")
	if r.code != ExitOK {
		t.Fatalf("sync --once: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"dove INBOX: 3 new, 0 updated, 0 expunged, 3 bodies (total 3, unread 3)", "dove Sent: 0 new", "dove: 6 folder(s), 3 new"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("sync output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "\x1b") {
		t.Errorf("progress escapes written to a non-terminal:\n%q", r.stdout)
	}

	in := inboxRow(t, statusRows(t, h))
	if in.Messages != 3 || in.Unseen != 3 || in.Held != 3 || in.Bodies != 3 || in.Role != "inbox" || in.LastSync == nil {
		t.Errorf("INBOX status = %+v", in)
	}
	if rows := statusRows(t, h, "dove"); len(rows) != 6 {
		t.Errorf("status dove --json: %d folders, want 6: %+v", len(rows), rows)
	}

	// The GBK message is found by a Chinese word in its body, with and
	// without naming the account.
	for _, args := range [][]string{{"search", "搬家"}, {"search", "dove", "搬家"}, {"search", "通知", "folder:inbox"}} {
		r = h.run("", args...)
		if r.code != ExitOK || !strings.Contains(r.stdout, "通知") || strings.Contains(r.stdout, "quarterly") {
			t.Errorf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	r = h.run("", "search", "--json", "from:it@example.test")
	var hits []struct {
		Account, Folder, Subject string
		From                     struct{ Address string }
		Unread                   bool
	}
	if err := json.Unmarshal([]byte(r.stdout), &hits); err != nil || r.code != ExitOK {
		t.Fatalf("search --json: exit %d %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	if len(hits) != 1 || hits[0].Subject != "通知" || hits[0].Folder != "INBOX" || hits[0].Account != "dove" || !hits[0].Unread || hits[0].From.Address != "it@example.test" {
		t.Errorf("search --json = %+v", hits)
	}
	if r = h.run("", "search", "nothing-like-this-anywhere"); r.code != ExitOK || !strings.Contains(r.stdout, "No messages match") {
		t.Errorf("search without hits: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r = h.run("", "search", "--limit", "2", "is:unread"); r.code != ExitOK || strings.Count(r.stdout, "\n") != 3 {
		t.Errorf("search --limit 2 should print a header and two rows:\n%s%s", r.stdout, r.stderr)
	}

	// A syntax error is a usage error naming the position.
	r = h.run("", "search", "dove", "搬家", `subject:"open`)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "at character 12") || !strings.Contains(r.stderr, "quote is not closed") {
		t.Errorf("syntax error: exit %d\n%s", r.code, r.stderr)
	}

	// A second pass changes nothing.
	r = h.run("", "sync", "--once", "dove")
	if r.code != ExitOK || !strings.Contains(r.stdout, "dove: 6 folder(s), 0 new, 0 updated, 0 expunged, 0 bodies") {
		t.Errorf("second sync: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// In Chinese, the status table lines up in terminal cells.
	h.env["LANG"] = "zh_CN.UTF-8"
	r = h.run("", "status")
	if r.code != ExitOK || !strings.Contains(r.stdout, "收件箱") || !strings.Contains(r.stdout, "上次同步") {
		t.Fatalf("status in Chinese: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(r.stdout, "\n")
	// messages 3, unread 3, readable offline 3, last sync
	if !regexp.MustCompile(`^dove\s+INBOX\s+收件箱\s+3\s+3\s+3\s+\d{4}-\d\d-\d\d \d\d:\d\d$`).MatchString(lines[1]) {
		t.Errorf("status row: %q", lines[1])
	}
	if cellIndex(t, lines[0], "邮件") != cellIndex(t, lines[1], "3") {
		t.Errorf("status columns misaligned:\n%s", r.stdout)
	}
	r = h.run("", "sync", "--once")
	if r.code != ExitOK || !strings.Contains(r.stdout, "dove INBOX：新增 0") {
		t.Errorf("sync in Chinese: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestSyncWrongPasswordExplains(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	for lang, want := range map[string][]string{
		"en_US.UTF-8": {"Account dove failed to sync", "refused the user name or password", "What to do"},
		"zh_CN.UTF-8": {"账户 dove 同步失败", "拒绝了用户名或密码", "怎么办"},
	} {
		h := addDovecotAccount(t, lang, d, testenv.User{Name: u.Name, Email: u.Email, Password: "not-the-password"})
		r := h.run("", "sync", "--once")
		if r.code != ExitFailure {
			t.Fatalf("%s: exit %d, want 1\n%s%s", lang, r.code, r.stdout, r.stderr)
		}
		for _, w := range want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", lang, w, r.stderr)
			}
		}
	}
}

// lockedBuffer is written by a running command and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor polls until buf holds want; the deadline only stops a hung test.
func waitFor(t *testing.T, buf *lockedBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(buf.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("never printed %q:\n%s", want, buf.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSyncRunsUntilCancelled(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	d.Deliver(t, u.Email, sampleMail(u.Email, "before"))
	h := addDovecotAccount(t, "en_US.UTF-8", d, u)
	var out, errOut lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := make(chan int, 1)
	go func() {
		code <- Run(ctx, []string{"sync"}, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string { return h.env[k] }, Secrets: h.secrets, Version: "test"})
	}()
	waitFor(t, &out, "dove INBOX: 1 new")
	// New mail arrives through IDLE while sync keeps running.
	d.Deliver(t, u.Email, sampleMail(u.Email, "while running"))
	waitFor(t, &out, "dove INBOX: 1 new message(s)")
	cancel()
	if c := <-code; c != ExitOK {
		t.Fatalf("sync after Ctrl-C: exit %d\n%s%s", c, out.String(), errOut.String())
	}
	if !strings.Contains(errOut.String(), "press Ctrl-C to stop") || !strings.Contains(out.String(), "dove: 6 folder(s), 2 new") {
		t.Errorf("output:\n%s%s", out.String(), errOut.String())
	}
}
