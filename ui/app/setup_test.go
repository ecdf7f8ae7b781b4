package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
	"github.com/magpie-mail/magpie/ui/wizard"
)

func TestWizardWhenNoAccountThenMail(t *testing.T) {
	f := newFixture(t)
	cfg := &account.Config{Path: filepath.Join(t.TempDir(), "config.toml")}
	var added []string
	m := newModel(Deps{Config: cfg, Store: f.st, Printer: i18n.New(i18n.EN),
		Secrets: &account.MemorySecrets{}, Dialer: &account.Dialer{},
		AddAccount: func(a account.Account) *mailsync.Engine { added = append(added, a.Name); return nil },
	}, clock, time.UTC)
	m.obEvery = -1 // Cmds run synchronously here: no ticking clock
	run(t, m, m.Init())
	send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if !m.wizardOn {
		t.Fatal("no account, but the wizard is not showing")
	}
	view := ansi.Strip(m.View().Content)
	checkFrame(t, view, 80, 24)
	if !strings.Contains(view, "Tencent Exmail") {
		t.Fatalf("the wizard's provider list is not on screen:\n%s", view)
	}
	// The wizard saved an account (it appends to the config itself).
	a := account.Account{Name: "work", Email: "me@example.cn", Kind: account.KindMember,
		IMAP: account.Endpoint{Host: "imap.example.cn", Port: 993, Security: account.SecurityTLS}}
	if err := cfg.AppendAccount(a); err != nil {
		t.Fatal(err)
	}
	// Mail already waiting for it: the app's sender tries the new account.
	_, err := f.st.QueueOutgoing(context.Background(), store.Outgoing{Account: f.work, From: a.Email,
		Rcpts: []string{"x@example.cn"}, Subject: "等待", Raw: []byte("Subject: x\r\n\r\nx\r\n")})
	if err != nil {
		t.Fatal(err)
	}
	send(t, m, wizard.DoneMsg{Account: a})
	if m.wizardOn || len(added) != 1 || added[0] != "work" {
		t.Fatalf("after DoneMsg: wizardOn=%v added=%v", m.wizardOn, added)
	}
	if !strings.Contains(m.status.Error(), "work: 1 message(s) waiting in the outbox") {
		t.Fatalf("the new account's outbox was not tried: %q", m.status.Error())
	}
	if view := m.View().Content; !strings.Contains(view, "work") {
		t.Fatalf("the mail panes do not show the new account:\n%s", view)
	}
}

func TestWizardCancelQuits(t *testing.T) {
	f := newFixture(t)
	m := newModel(Deps{Config: &account.Config{}, Store: f.st, Printer: i18n.New(i18n.ZH),
		Secrets: &account.MemorySecrets{}, Dialer: &account.Dialer{}}, clock, time.UTC)
	run(t, m, m.Init())
	_, cmd := m.Update(wizard.CancelledMsg{})
	if cmd == nil {
		t.Fatal("cancelling the wizard does nothing")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("cancelling the wizard does not quit")
	}
}

func TestPlaceholderWithoutKeyringOrDialer(t *testing.T) {
	f := newFixture(t)
	m := newModel(Deps{Config: &account.Config{}, Store: f.st, Printer: i18n.New(i18n.EN)}, clock, time.UTC)
	run(t, m, m.Init())
	send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if m.wizardOn || !strings.Contains(m.View().Content, "magpie account add") {
		t.Fatalf("want the placeholder:\n%s", m.View().Content)
	}
}
