package migration

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/migrate"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// samplePlan is a plan from Exmail to the new mailbox, without connections.
func samplePlan() migrate.Plan {
	return migrate.Plan{Folders: []migrate.FolderPlan{
		{Source: "INBOX", Path: "INBOX", Dest: "INBOX", Role: account.RoleInbox, DestExists: true, Messages: 12840, Size: 1_900 << 20},
		{Source: "Sent Messages", Path: "Sent Messages", Dest: "Sent", Role: account.RoleSent, DestExists: true, Messages: 3021, Size: 420 << 20},
		{Source: "客户/2024", Path: "客户/2024", Dest: "客户/2024", Messages: 415, Size: 38 << 20},
		{Source: "其他文件夹", Path: "其他文件夹", Dest: "其他文件夹", Messages: 1, Size: 3 << 10},
	}, TotalCount: 16277, TotalSize: 2_358<<20 + 3<<10}
}

// connected is a driver at the Plan step of samplePlan.
func connected(t *testing.T, lang i18n.Lang, w, h int) *driver {
	t.Helper()
	d := newDriver(t, lang, w, h, Deps{DataDir: t.TempDir()})
	d.pick("exmail")
	d.typ("chen@old.test")
	d.keys("tab")
	d.typ("abcd1234efgh")
	d.keys("enter")
	d.wantStep(stepPlanning)
	d.send(PlannedMsg{ID: d.m.seq, Plan: samplePlan()})
	d.wantStep(stepPlan)
	return d
}

func TestPrepareAndConnect(t *testing.T) {
	d := newDriver(t, i18n.EN, 80, 24, Deps{})
	d.keys("up") // stays on the first
	if d.m.cursor != 0 {
		t.Fatal(d.m.cursor)
	}
	d.pick("exmail")
	if got := d.m.form.value(fieldServer); got != "imap.exmail.qq.com:993" || d.m.form.security != account.SecurityTLS {
		t.Fatalf("server not prefilled: %q %v", got, d.m.form.security)
	}
	d.keys("enter")
	d.wantStep(stepConnect)
	d.wantView("Type the old address.")
	d.typ("chen@old.test")
	d.keys("enter")
	d.wantView("Type the client password.")
	d.keys("tab")
	d.typ("secret")
	d.keys("tab", "tab", "tab", "right") // security: TLS → STARTTLS
	if d.m.form.security != account.SecuritySTARTTLS {
		t.Fatal(d.m.form.security)
	}
	d.wantView("••••••", "STARTTLS")
	d.keys("shift+tab", "shift+tab", "shift+tab", "backspace") // back in the password
	if d.m.form.value(fieldPassword) != "secre" {
		t.Fatal(d.m.form.value(fieldPassword))
	}
	d.keys("enter")
	d.wantStep(stepPlanning)
	if d.cmd == nil {
		t.Fatal("no planning Cmd")
	}
	// A stale answer is dropped; a failed login shows the diagnosis.
	d.send(PlannedMsg{ID: d.m.seq - 1, Plan: samplePlan()})
	d.wantStep(stepPlanning)
	loginErr := &account.ConnError{Account: "x", Protocol: "imap", Endpoint: account.Endpoint{Host: "imap.exmail.qq.com", Port: 993},
		Stage: account.StageLogin, Err: &imap.Error{Type: imap.StatusResponseTypeNo, Text: "LOGIN failed"}}
	d.send(PlannedMsg{ID: d.m.seq, Err: &migrate.ConnError{Side: migrate.SideSource, Err: loginErr}})
	d.wantStep(stepConnFail)
	d.wantView("Cannot connect to the old mailbox chen@old.test", "refused the user name or", "LOGIN failed")
	d.keys("enter") // retype the password
	d.wantStep(stepConnect)
	if d.m.form.focus != fieldPassword || d.m.form.value(fieldPassword) != "" {
		t.Fatalf("focus %d password %q", d.m.form.focus, d.m.form.value(fieldPassword))
	}
	d.keys("esc")
	d.wantStep(stepPrepare)
	d.keys("esc")
	if _, ok := d.out().(ClosedMsg); !ok {
		t.Fatal("esc on the first step does not close")
	}
}

func TestNoDestinationAccount(t *testing.T) {
	d := newDriver(t, i18n.ZH, 80, 24, Deps{Config: &account.Config{}})
	d.pick("qq")
	d.typ("chen@qq.com")
	d.keys("tab")
	d.typ("pw")
	d.keys("enter")
	d.wantStep(stepConnect)
	d.wantView("还没有可以搬入的账户")
	// With an account but no data directory (the demo): no journal, no run.
	d = newDriver(t, i18n.EN, 80, 24, Deps{})
	d.m.d.DataDir = ""
	d.pick("qq")
	d.typ("chen@qq.com")
	d.keys("tab")
	d.typ("pw")
	d.keys("enter")
	d.wantStep(stepConnect)
	d.wantView("no data directory")
}

func TestPlanChooseFolders(t *testing.T) {
	d := connected(t, i18n.EN, 80, 24)
	d.wantView("16277 message(s)")
	d.keys("down", "down", "space")
	if d.m.selected[2] {
		t.Fatal("space did not unselect")
	}
	if c, _ := d.m.chosen(); c != 16277-415 {
		t.Fatal(c)
	}
	d.keys("a") // not all chosen: choose all
	d.keys("a") // all chosen: none
	d.keys("enter")
	d.wantStep(stepPlan)
	d.wantView("No folder is chosen.")
	d.keys("space", "enter") // only 客户/2024
	d.wantStep(stepRun)
	if r := d.m.run; len(r.plan.Folders) != 1 || r.plan.Folders[0].Path != "客户/2024" || r.total != 415 {
		t.Fatalf("run plan: %+v", r.plan)
	}
	if d.cmd == nil {
		t.Fatal("no run Cmd")
	}
}

func TestRunPauseStopHide(t *testing.T) {
	d := connected(t, i18n.EN, 80, 24)
	d.keys("enter")
	d.wantStep(stepRun)
	r := d.m.run
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = func() { cancel() } // the run's goroutine was never started (its Cmd not run)
	r.started = t0
	d.send(ProgressMsg{ID: r.id - 1, Progress: migrate.Progress{Folder: "INBOX", Total: 12840, Done: 99}})
	if r.folders[0].Done != 0 {
		t.Fatal("stale progress applied")
	}
	d.send(ProgressMsg{ID: r.id, Progress: migrate.Progress{Folder: "INBOX", Dest: "INBOX", Phase: migrate.PhaseCopy, Total: 12840, Done: 1200, Copied: 1000, Already: 200}})
	if r.folders[0].Done != 1200 || d.cmd == nil {
		t.Fatal("progress not applied or not waiting for more")
	}
	d.wantView("Migrating…", "1000", "Rate: 10.0 msgs/s")
	if !d.m.Running() || d.m.Status() != "Migrating 1200/16277 (M to view)" {
		t.Fatal(d.m.Status())
	}
	d.keys("p")
	if !r.gate.Paused() {
		t.Fatal("p did not pause")
	}
	d.wantView("Pausing")
	d.keys("p")
	if r.gate.Paused() {
		t.Fatal("p did not resume")
	}
	d.keys("esc")
	if _, ok := d.out().(HideMsg); !ok {
		t.Fatal("esc does not hide")
	}
	d.keys("s")
	if ctx.Err() == nil || !r.stopping {
		t.Fatal("s did not stop")
	}
	d.wantView("Stopping")
	rep := migrate.Report{Interrupted: true, Folders: []migrate.FolderReport{{Source: "INBOX", Dest: "INBOX", SourceCount: 12840, Copied: 1000, Verdict: migrate.VerdictInterrupted}}}
	d.send(FinishedMsg{ID: r.id, Report: rep, Err: context.Canceled})
	d.wantStep(stepReport)
	d.wantView("The migration stopped. Press r to continue")
	saved, ok := d.out().(ReportSavedMsg)
	if !ok || saved.Err != nil {
		t.Fatalf("report not saved: %+v", saved)
	}
	d.send(saved)
	d.wantView("Report saved to")
	d.keys("r")
	d.wantStep(stepPlanning)
}

func TestReportFailures(t *testing.T) {
	d := connected(t, i18n.ZH, 120, 40)
	d.keys("enter")
	r := d.m.run
	rep := migrate.Report{Folders: []migrate.FolderReport{
		{Source: "INBOX", Dest: "INBOX", SourceCount: 3, Copied: 2, Failed: 1, Missing: 1, Verdict: migrate.VerdictIncomplete,
			Failures: []migrate.Failure{{UID: 7, MessageID: "big@old.test", Size: 30 << 20, Reason: migrate.ReasonTooBig, Detail: "Mail length exceeded"}}},
	}}
	d.send(FinishedMsg{ID: r.id, Report: rep})
	d.wantView("✗ 有 1 封邮件不在新邮箱里", "邮件超过新邮箱的大小上限", "按 r 再运行一次")
	d.keys("enter")
	if _, ok := d.out().(ClosedMsg); !ok {
		t.Fatal("enter on the report does not close")
	}
}

// Many folders at 80x24: the run shows a window from the first folder not
// done, with the header and the total, and still fits the screen.
func TestRunManyFoldersFits(t *testing.T) {
	d := newDriver(t, i18n.EN, 80, 24, Deps{DataDir: t.TempDir()})
	d.pick("exmail")
	d.typ("chen@old.test")
	d.keys("tab")
	d.typ("pw")
	d.keys("enter")
	var p migrate.Plan
	for i := range 30 {
		p.Folders = append(p.Folders, migrate.FolderPlan{Source: fmt.Sprintf("F%02d", i), Path: fmt.Sprintf("F%02d", i), Dest: fmt.Sprintf("F%02d", i), Messages: 10})
	}
	d.send(PlannedMsg{ID: d.m.seq, Plan: p})
	d.keys("enter")
	r := d.m.run
	for i := range 12 {
		d.send(ProgressMsg{ID: r.id, Progress: migrate.Progress{Folder: fmt.Sprintf("F%02d", i), Phase: migrate.PhaseDone, Total: 10, Done: 10, Copied: 10}})
	}
	v := d.view()
	checkFrame(t, "many", v, 80, 24)
	d.wantView("F12", "All     300    120", "goes on")
	if strings.Contains(v, "F11") {
		t.Errorf("done folders shown instead of the current ones:\n%s", v)
	}
}

// The old mailbox may be read over POP3: the preset's POP3 server is
// filled in, the source account has POP3 and no IMAP, and the view says
// that only the inbox moves.
func TestConnectOverPOP3(t *testing.T) {
	d := newDriver(t, i18n.EN, 80, 24, Deps{Config: &account.Config{Accounts: []account.Account{{Name: "new", Email: "new@new.test"}}}, DataDir: t.TempDir()})
	d.pick("exmail")
	d.keys("enter")
	d.typ("chen@old.test")
	d.keys("tab")
	d.typ("secret")
	d.keys("tab", "tab", "right") // protocol: IMAP → POP3
	if got := d.m.form.value(fieldServer); !d.m.form.pop3 || got != "pop.exmail.qq.com:995" {
		t.Fatalf("pop3 %v, server %q", d.m.form.pop3, got)
	}
	d.wantView("POP3 server", "only the inbox moves")
	src, problem := d.m.source()
	if problem != "" || !src.IMAP.IsZero() || src.POP3.Host != "pop.exmail.qq.com" || src.POP3.Port != 995 {
		t.Fatalf("source %+v (%s)", src, problem)
	}
	d.keys("space") // back to IMAP
	if got := d.m.form.value(fieldServer); d.m.form.pop3 || got != "imap.exmail.qq.com:993" {
		t.Fatalf("pop3 %v, server %q", d.m.form.pop3, got)
	}
}

// Quitting while a run goes on asks first, saying the run is resumable:
// any key but y keeps migrating, y asks the root to quit.
func TestQuitWhileRunningAsks(t *testing.T) {
	d := connected(t, i18n.EN, 100, 30)
	if d.m.AskQuit().Asking() {
		t.Fatal("asked with nothing running")
	}
	d.keys("enter")
	d.wantStep(stepRun)
	d.m = d.m.AskQuit()
	d.wantView("The migration is still running", "continues where it stopped", "y quit")
	d.keys("n")
	if d.m.Asking() || d.m.step != stepRun || !d.m.Running() {
		t.Fatal("n did not keep migrating")
	}
	d.m = d.m.AskQuit()
	d.keys("y")
	if d.cmd == nil {
		t.Fatal("y gave no Cmd")
	}
	if _, ok := d.cmd().(QuitMsg); !ok {
		t.Fatal("y did not ask the root to quit")
	}
	d.m.run.cancel()
}
