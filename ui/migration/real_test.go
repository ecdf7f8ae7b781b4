package migration

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// drive runs the driver's Cmd and feeds its message back, as the runtime
// would, until the step is s. Messages for the root (HideMsg, ClosedMsg)
// end it with a failure.
func (d *driver) until(s step, onMsg func(tea.Msg)) {
	d.t.Helper()
	for d.m.step != s {
		if d.cmd == nil {
			d.t.Fatalf("no Cmd at step %d\n%s", d.m.step, d.view())
		}
		msg := d.cmd()
		switch msg.(type) {
		case nil, HideMsg, ClosedMsg:
			d.t.Fatalf("unexpected %T at step %d\n%s", msg, d.m.step, d.view())
		}
		if onMsg != nil {
			onMsg(msg)
		}
		d.send(msg)
	}
}

// A real migration through the component against the test Dovecot: the
// old mailbox typed in ("other" server), the new one a configured
// account; the run is paused (nothing moves while parked), resumed, and
// verified; the report is saved to a file.
func TestWizardMigratesForReal(t *testing.T) {
	dv := testenv.Dovecot(t)
	old, neu := dv.NewUser(t), dv.NewUser(t)
	for i := range 40 {
		dv.Deliver(t, old.Email, []byte(fmt.Sprintf("From: 王芳 <wang@example.test>\r\nTo: %s\r\nSubject: 第 %d 封\r\nMessage-ID: <wiz-%d@example.test>\r\nDate: Sat, 21 Nov 2026 10:00:00 +0800\r\n\r\n你好 %d\r\n", old.Email, i, i, i)))
	}
	dv.WaitMessages(t, old.Email, "INBOX", 40)
	ep, err := account.ParseEndpoint(dv.IMAPSAddr(), account.SecurityTLS)
	if err != nil {
		t.Fatal(err)
	}
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(context.Background(), "new", neu.Password)
	cfg := &account.Config{Accounts: []account.Account{{Name: "new", Email: neu.Email, IMAP: ep, CAFile: dv.CAFile, Kind: account.KindMember}}}
	dialer := &account.Dialer{Secrets: secrets, Timeout: 10 * time.Second, RootCAs: dv.TLSConfig().RootCAs}
	d := newDriver(t, i18n.ZH, 100, 30, Deps{Config: cfg, Dialer: dialer, DataDir: t.TempDir(), Context: t.Context(), Now: time.Now})
	d.pick("") // other
	d.typ(old.Email)
	d.keys("tab")
	d.typ(old.Password)
	d.keys("tab")
	d.typ(dv.IMAPSAddr())
	d.keys("enter")
	d.until(stepPlan, nil)
	d.wantView("INBOX", "40 封")
	d.keys("enter")
	paused := false
	d.until(stepReport, func(msg tea.Msg) {
		pm, ok := msg.(ProgressMsg)
		if !ok || paused || pm.Progress.Copied < 3 {
			return
		}
		paused = true
		d.send(msg)
		d.keys("p")
		// The message in flight ends, then the run parks at the gate
		// (a bounded wait for a goroutine, not a timing assertion); the
		// ProgressMsg it sends meanwhile waits in the channel's buffer.
		deadline := time.Now().Add(30 * time.Second)
		for d.m.run.gate.Waiting() == 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if d.m.run.gate.Waiting() == 0 {
			t.Fatal("the run never paused")
		}
		d.wantView("已暂停")
		n1 := dv.MessageCount(t, neu.Email, "INBOX")
		n2 := dv.MessageCount(t, neu.Email, "INBOX")
		// Four workers may have stored all 40 by then: the run then parks
		// before verifying. Either way nothing moves while parked.
		if n1 != n2 || n1 > 40 {
			t.Fatalf("paused, yet the destination went %d → %d", n1, n2)
		}
		d.keys("p")
	})
	if !paused {
		t.Fatal("the test never paused the run")
	}
	d.wantView("核对完成：旧邮箱的全部 40 封邮件都在新邮箱里")
	if n := dv.MessageCount(t, neu.Email, "INBOX"); n != 40 {
		t.Fatalf("destination has %d", n)
	}
	saved, ok := d.cmd().(ReportSavedMsg)
	if !ok || saved.Err != nil {
		t.Fatalf("report: %+v", saved)
	}
	d.send(saved)
	text, err := os.ReadFile(saved.Path)
	if err != nil || !strings.Contains(string(text), "旧邮箱的全部 40 封邮件都在新邮箱里") || strings.Contains(string(text), "\x1b") {
		t.Fatalf("report file %s: %v\n%s", saved.Path, err, text)
	}
	if strings.Contains(string(text), old.Password) {
		t.Fatal("the password reached the report")
	}
}
