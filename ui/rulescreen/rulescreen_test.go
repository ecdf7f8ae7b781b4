package rulescreen

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/rules"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func press(m Model, keys ...string) (Model, tea.Cmd) {
	var cmd tea.Cmd
	for _, k := range keys {
		var kp tea.KeyPressMsg
		switch k {
		case "space":
			kp = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
		case "esc":
			kp = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "tab":
			kp = tea.KeyPressMsg{Code: tea.KeyTab}
		case "enter":
			kp = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "up":
			kp = tea.KeyPressMsg{Code: tea.KeyUp}
		case "down":
			kp = tea.KeyPressMsg{Code: tea.KeyDown}
		case "left":
			kp = tea.KeyPressMsg{Code: tea.KeyLeft}
		case "right":
			kp = tea.KeyPressMsg{Code: tea.KeyRight}
		case "backspace":
			kp = tea.KeyPressMsg{Code: tea.KeyBackspace}
		case "ctrl+s":
			kp = tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
		case "ctrl+u":
			kp = tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
		default:
			r := []rune(k)[0]
			kp = tea.KeyPressMsg{Code: r, Text: k}
			if r >= 'A' && r <= 'Z' {
				kp = tea.KeyPressMsg{Code: r + 32, ShiftedCode: r, Text: k, Mod: tea.ModShift}
			}
		}
		m, cmd = m.Update(kp)
	}
	return m, cmd
}

// checkFrame asserts the view is exactly w×h cells, CJK counted as two.
func checkFrame(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("line %d is %d cells, want %d: %q", i, got, w, ansi.Strip(l))
		}
	}
}

func sample() rules.Set {
	return rules.Set{
		Rules: []rules.Rule{
			{Name: "报价", Conditions: []rules.Condition{{Field: rules.FieldSubject, Match: rules.MatchContains, Value: "报价"}},
				Actions: []rules.Action{{Kind: rules.ActionMove, Arg: "客户/2026"}, {Kind: rules.ActionFlag}}},
			{Name: "jira", Disabled: true, Conditions: []rules.Condition{{Field: rules.FieldFrom, Match: rules.MatchIs, Value: "jira@corp.example"}},
				Actions: []rules.Action{{Kind: rules.ActionRead}}},
		},
		Block: []string{"@spam.example"},
		Vacation: &rules.Vacation{Enabled: true, Subject: "休假中", Body: "x", Days: 3,
			Start: time.Date(2026, 12, 20, 0, 0, 0, 0, time.Local), End: time.Date(2027, 1, 3, 0, 0, 0, 0, time.Local)},
	}
}

func TestViewAndKeys(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		p := i18n.New(lang)
		cfg := &account.Config{Accounts: []account.Account{{Name: "work"}, {Name: "sales"}}}
		m := New(Deps{Printer: p, Config: cfg, Context: context.Background()}, "work", Source{Sender: "pest@bad.example", Subject: "cheap 报价"})
		m.SetSize(80, 24)
		m.seq = 1
		m, _ = m.Update(LoadedMsg{ID: 1, Account: "work", Place: Place{Server: "mail.example:4190"}, Set: sample(), Folders: []string{"客户", "Junk"}})
		v := ansi.Strip(m.View())
		checkFrame(t, m.View(), 80, 24)
		want := map[i18n.Lang][]string{
			i18n.ZH: {"邮件规则 · work", "在服务器上执行", "> [x] 报价  subject:报价 → move:客户/2026 flag", "[ ] jira", "黑名单：@spam.example", "2026-12-20 至 2027-01-03", "b 拉黑发件人"},
			i18n.EN: {"Mail rules · work", "Run on the server (ManageSieve mail.example:4190)", "> [x] 报价", "Blocked: @spam.example", "pest@bad.example", "a always allow sender"},
		}[lang]
		for _, w := range want {
			if !strings.Contains(v, w) {
				t.Errorf("%s view lacks %q:\n%s", lang, w, v)
			}
		}
		// A stale answer is dropped.
		m2, _ := m.Update(LoadedMsg{ID: 0, Account: "work", Set: rules.Set{}})
		if len(m2.set.Rules) != 2 {
			t.Fatal("stale load applied")
		}
		// J moves the rule down and saves; the busy screen takes no edits.
		m3, cmd := press(m, "J")
		if cmd == nil || !m3.busy || m3.cursor != 1 {
			t.Fatalf("J: busy %v cursor %d", m3.busy, m3.cursor)
		}
		m3.busy = false
		// x asks first, then removes.
		m4, cmd := press(m, "x")
		if cmd != nil || !m4.confirm || !strings.Contains(ansi.Strip(m4.View()), "x") {
			t.Fatal("x did not ask")
		}
		m4, _ = press(m4, "j")
		if m4.confirm {
			t.Fatal("another key did not cancel")
		}
		if _, cmd := press(m, "esc"); cmd == nil {
			t.Fatal("esc does not close")
		} else if _, ok := cmd().(ClosedMsg); !ok {
			t.Fatal("esc does not close")
		}
		// n makes a rule from the message: from:=sender → move:客户.
		ed, _ := press(m, "n")
		v = ansi.Strip(ed.View())
		checkFrame(t, ed.View(), 80, 24)
		for _, w := range []string{map[i18n.Lang]string{i18n.ZH: "> 如果 [发件人] 等于 \"pest@bad.example\"", i18n.EN: "> if [from] is \"pest@bad.example\""}[lang],
			map[i18n.Lang]string{i18n.ZH: "则 移到 客户", i18n.EN: "then move to 客户"}[lang]} {
			if !strings.Contains(v, w) {
				t.Errorf("%s editor lacks %q:\n%s", lang, w, v)
			}
		}
		r := ed.ed.r
		if r.Name != "pest@bad.example" || len(r.Conditions) != 1 || r.Actions[0].String() != "move:客户" {
			t.Errorf("prefilled rule %+v", r)
		}
		saved, cmd := press(ed, "ctrl+s")
		if cmd == nil || !saved.busy || saved.editing {
			t.Fatalf("enter did not save: busy %v editing %v err %s", saved.busy, saved.editing, saved.err)
		}
		// Tab goes to the next account and reads its rules.
		m5, cmd := press(m, "tab")
		if m5.account != "sales" || cmd == nil || m5.sender != "" {
			t.Fatalf("tab: %s", m5.account)
		}
	}
}

// TestOnDovecot reads and changes rules on a real ManageSieve server
// through the screen's Cmds, and keeps local rules in the store.
func TestOnDovecot(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	sieve, _ := account.ParseSieveSetting(d.Addr(d.SievePort))
	ep, _ := account.ParseEndpoint(d.IMAPSAddr(), account.SecurityTLS)
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(t.Context(), "dove", u.Password)
	_ = secrets.Set(t.Context(), "here", u.Password)
	cfg := &account.Config{Accounts: []account.Account{
		{Name: "dove", Email: u.Email, Kind: account.KindMember, IMAP: ep, CAFile: d.CAFile, Sieve: sieve},
		{Name: "here", Email: u.Email, Kind: account.KindMember, IMAP: ep, CAFile: d.CAFile, Sieve: account.SieveSetting{Off: true}},
	}}
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	deps := Deps{Printer: i18n.New(i18n.EN), Config: cfg, Store: st, Dialer: &account.Dialer{Secrets: secrets}, Context: t.Context()}

	// Put a rule on the server the way the command line does.
	h, err := rules.OpenHome(t.Context(), cfg.Accounts[0], deps.Dialer, st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Save(t.Context(), sample(), false); err != nil {
		t.Fatal(err)
	}
	h.Close()

	id, _ := st.Account(t.Context(), "dove")
	if _, err := st.UpsertFolder(t.Context(), store.Folder{Account: id, Name: "客户", RawName: "&W6JiNw-", Delim: "/"}); err != nil {
		t.Fatal(err)
	}
	m := New(deps, "dove", Source{Sender: "pest@bad.example", Subject: "cheap"})
	m.SetSize(100, 30)
	m, _ = m.Update(m.Init()())
	if !m.loaded || len(m.set.Rules) != 2 || m.place.Server == "" {
		t.Fatalf("loaded %v rules %d place %+v err %s", m.loaded, len(m.set.Rules), m.place, m.err)
	}
	m, cmd := press(m, "space") // 报价 off
	m, _ = m.Update(cmd())
	m, cmd = press(m, "b") // block the sender
	m, _ = m.Update(cmd())
	m, _ = press(m, "n")
	m, cmd = press(m, "ctrl+s") // from:=pest@bad.example → move:客户
	m, _ = m.Update(cmd())
	if m.err != "" {
		t.Fatal(m.err)
	}
	h, err = rules.OpenHome(t.Context(), cfg.Accounts[0], deps.Dialer, st)
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.Load(t.Context(), false)
	h.Close()
	if err != nil || !got.Rules[0].Disabled || len(got.Block) != 2 || got.Block[1] != "pest@bad.example" ||
		len(got.Rules) != 3 || got.Rules[2].Name != "pest@bad.example" || got.Rules[2].Actions[0].String() != "move:客户" {
		t.Fatalf("on the server: %+v %v", got, err)
	}

	// Rules that run here: kept in the store.
	m = New(deps, "here", Source{})
	m.SetSize(80, 24)
	m, _ = m.Update(m.Init()())
	if !m.loaded || m.place.Server != "" || !strings.Contains(ansi.Strip(m.View()), "Run on this computer") {
		t.Fatalf("local: %s\n%s", m.err, ansi.Strip(m.View()))
	}
}
