package wizard

import (
	"errors"
	"fmt"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-smtp"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// exmailAt is a wizard that picked Tencent Exmail, typed chen@corp.test
// and a password, and whose probe was not run (runs is false): the test
// answers it.
func exmailAt(t *testing.T, lang i18n.Lang) *driver {
	t.Helper()
	d := newDriver(t, Deps{Printer: printer(lang), Config: emptyConfig(t), Secrets: &account.MemorySecrets{}})
	d.runs = false
	d.pick("exmail")
	d.typ("chen@corp.test")
	d.keys("enter")
	return d
}

func okReport() account.ProbeReport {
	return account.ProbeReport{Folders: []account.FolderInfo{
		{Name: "INBOX", Role: account.RoleInbox, Messages: 12840, Unseen: 3},
		{Name: "Drafts", Role: account.RoleDrafts, Messages: 2},
		{Name: "Sent Messages", Role: account.RoleSent, Messages: 3021},
		{Name: "Deleted Messages", Role: account.RoleTrash, Messages: 77},
		{Name: "Junk", Role: account.RoleJunk},
		{Name: "项目/2026", Messages: 415},
		{Name: "客户", Messages: 96},
		{Name: "其他文件夹", Messages: 1},
	}}
}

func failedReport() account.ProbeReport {
	pr, _ := account.LookupProvider("exmail")
	return account.ProbeReport{
		IMAPErr: &account.ConnError{Account: "chen", Protocol: "imap", Endpoint: pr.IMAP, Stage: account.StageLogin,
			Err: &imap.Error{Type: imap.StatusResponseTypeNo, Text: "LOGIN failed: invalid password"}},
		SMTPErr: &account.ConnError{Account: "chen", Protocol: "smtp", Endpoint: pr.SMTP, Stage: account.StageLogin,
			Err: &smtp.SMTPError{Code: 535, Message: "Error: authentication failed"}},
	}
}

func TestGoldenViews(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		snap := func(name string, d *driver) {
			t.Helper()
			v := d.view()
			fitsScreen(t, string(lang)+"/"+name, v, 80, 24)
			golden(t, name+"."+string(lang), v)
		}

		d := newDriver(t, Deps{Printer: printer(lang), Config: emptyConfig(t), Secrets: &account.MemorySecrets{}})
		snap("1-provider", d)
		d.pick("qq")
		d.typ("chen@qq.com")
		snap("2-address", d)

		d = newDriver(t, Deps{Printer: printer(lang), Config: emptyConfig(t), Secrets: &account.MemorySecrets{}})
		d.runs = false
		d.pick("")
		d.typ("me@bare.test")
		d.keys("enter")
		snap("2-discovering", d)
		d.send(DiscoveredMsg{ID: d.m.seq, Err: &account.DiscoveryError{Email: "me@bare.test", Tried: []account.Attempt{
			{Method: account.SourcePresetDomain, Target: "bare.test", Err: account.ErrNoPreset},
			{Method: account.SourceAutoconfig, Target: "https://autoconfig.bare.test/mail/config-v1.1.xml?emailaddress=me%40bare.test", Err: errors.New("connection refused")},
			{Method: account.SourceAutoconfig, Target: "https://bare.test/.well-known/autoconfig/mail/config-v1.1.xml", Err: errors.New("connection refused")},
			{Method: account.SourceSRV, Target: "_imaps._tcp.bare.test", Err: errors.New("no such host")},
			{Method: account.SourceMX, Target: "bare.test", Err: account.ErrUnknownMX},
		}}})
		snap("2-discovery-failed", d)
		d.keys("enter")
		d.typ("mail.bare.test:993")
		d.keys("tab", "tab")
		d.typ("mail.bare.test:587")
		d.keys("tab", "right", "right")
		snap("2-manual", d)

		d = exmailAt(t, lang)
		d.typ("app-password")
		snap("3-password", d)
		d.keys("enter")
		snap("4-testing", d)
		d.send(ProbedMsg{ID: d.m.seq, Report: failedReport()})
		snap("4-test-failed", d)
		d.keys("enter")
		d.typ("app-password")
		d.keys("enter")
		d.send(ProbedMsg{ID: d.m.seq, Report: okReport()})
		snap("4-test-ok", d)
		d.keys("enter")
		snap("5-sync", d)
		d.keys("enter")
		d.send(SecretSavedMsg{ID: d.m.seq, Err: fmt.Errorf("account: %w: no D-Bus session", account.ErrKeyringUnavailable)})
		snap("5-keyring-unavailable", d)
	}
}

func TestViewsFitSmallAndWideScreens(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {40, 12}} {
		d := exmailAt(t, i18n.ZH)
		d.m.SetSize(size[0], size[1])
		d.typ("pw")
		fitsScreen(t, fmt.Sprint(size), d.view(), size[0], size[1])
		d.keys("enter")
		d.send(ProbedMsg{ID: d.m.seq, Report: failedReport()})
		fitsScreen(t, fmt.Sprint(size), d.view(), size[0], size[1])
	}
}

func TestNameIsCheckedBeforeSaving(t *testing.T) {
	d := exmailAt(t, i18n.EN)
	d.m.deps.Config.Accounts = []account.Account{{Name: "sales"}}
	d.typ("pw")
	d.keys("enter")
	d.send(ProbedMsg{ID: d.m.seq, Report: okReport()})
	d.keys("enter")
	d.wantStep(stepSync)
	d.keys("tab", "ctrl+u")
	d.typ("chen ming")
	d.keys("enter")
	d.wantStep(stepSync)
	d.wantView("A name holds letters, digits and . _ - @")
	d.keys("ctrl+u")
	d.typ("sales")
	d.keys("enter")
	d.wantStep(stepSync)
	d.wantView(`An account named "sales" already exists`)
	d.keys("ctrl+u")
	d.typ("陈明")
	d.keys("enter")
	d.wantStep(stepSaving)
	d.wantView("Storing the password in the OS keyring")
	d.keys("esc") // saving is not interrupted by esc
	d.wantStep(stepSaving)
	d.send(SecretSavedMsg{ID: d.m.seq})
	d.wantStep(stepDone)
	if a, ok := d.m.deps.Config.Account("陈明"); !ok || a.Provider != "exmail" {
		t.Fatalf("config %+v", d.m.deps.Config.Accounts)
	}
}
