package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/internal/testenv"
)

// TestSyncOnceSendsDueMailAndFilesItsCopy: a scheduled message shows in
// `magpie status` (and --json) while it waits; once due, `sync --once`
// sends it and its Sent copy reaches the server in the same run, once.
func TestSyncOnceSendsDueMailAndFilesItsCopy(t *testing.T) {
	d := testenv.Dovecot(t)
	pf := testenv.Postfix(t)
	u, to := d.NewUser(t), d.NewUser(t)
	h := addDovecotAccount(t, "en_US.UTF-8", d, u, "--smtp", pf.Addr(pf.SubmissionsPort))
	at := time.Now().Add(3 * time.Second)
	r := h.run("定时", "send", "--account", "dove", "--to", to.Email, "--subject", "周报", "--at", at.Format(time.RFC3339))
	if r.code != ExitOK {
		t.Fatalf("send --at: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = h.run("", "status")
	if r.code != ExitOK || !strings.Contains(r.stdout, "Outbox:") || !strings.Contains(r.stdout, "dove · scheduled "+at.Format("2006-01-02 15:04")+" · “周报” → "+to.Email) {
		t.Fatalf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rows []struct {
		Account string  `json:"account"`
		Folder  *string `json:"folder"`
		Role    string  `json:"role"`
		Outbox  *struct {
			State   string `json:"state"`
			Subject string `json:"subject"`
		} `json:"outbox"`
	}
	r = h.run("", "status", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	var ob []string
	for _, row := range rows {
		if row.Role == "outbox" && row.Folder == nil && row.Outbox != nil {
			ob = append(ob, row.Outbox.State+" "+row.Outbox.Subject)
		}
	}
	if len(ob) != 1 || ob[0] != "scheduled 周报" {
		t.Fatalf("status --json outbox rows %v\n%s", ob, r.stdout)
	}

	time.Sleep(time.Until(at.Add(time.Second))) // the time the member chose
	r = h.run("", "sync", "--once")
	if r.code != ExitOK || !strings.Contains(r.stdout, "dove: sent “周报”") {
		t.Fatalf("sync --once: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	pf.WaitMessages(t, to.Name, "INBOX", 1)
	if n := d.MessageCount(t, u.Name, "Sent"); n != 1 {
		t.Fatalf("%d copies in Sent after sync --once, want 1", n)
	}
	if r := h.run("", "status"); strings.Contains(r.stdout, "Outbox:") {
		t.Fatalf("still in the outbox:\n%s", r.stdout)
	}
	// A second pass sends nothing and files nothing more.
	if r := h.run("", "sync", "--once"); r.code != ExitOK || strings.Contains(r.stdout, "sent “") {
		t.Fatalf("second sync: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := d.MessageCount(t, u.Name, "Sent"); n != 1 || d.MessageCount(t, to.Name, "INBOX") != 1 {
		t.Fatalf("after a second pass: %d in Sent", n)
	}
}

// TestPlainSyncSendsDueMail: `magpie sync` without --daemon sends too.
func TestPlainSyncSendsDueMail(t *testing.T) {
	d := testenv.Dovecot(t)
	pf := testenv.Postfix(t)
	u, to := d.NewUser(t), d.NewUser(t)
	h := addDovecotAccount(t, "zh_CN.UTF-8", d, u, "--smtp", pf.Addr(pf.SubmissionsPort))
	at := time.Now().Add(3 * time.Second)
	if r := h.run("x", "send", "--account", "dove", "--to", to.Email, "--subject", "稍后", "--at", at.Format(time.RFC3339)); r.code != ExitOK || !strings.Contains(r.stdout, "已放入发件箱") {
		t.Fatalf("send --at: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	time.Sleep(time.Until(at.Add(time.Second)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() {
		var out, errOut bytes.Buffer
		code := Run(ctx, []string{"sync"}, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string { return h.env[k] }, Secrets: h.secrets, Dialer: h.dialer, Version: "test"})
		done <- result{code, out.String(), errOut.String()}
	}()
	pf.WaitMessages(t, to.Name, "INBOX", 1)
	cancel()
	r := <-done
	if !strings.Contains(r.stdout, "dove：已发出「稍后」。") {
		t.Errorf("sync output (exit %d):\n%s%s", r.code, r.stdout, r.stderr)
	}
}
