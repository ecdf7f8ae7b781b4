package rulescreen

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
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

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name, view string, w, h int) {
	t.Helper()
	checkFrame(t, view, w, h)
	got := ansi.Strip(view) + "\n"
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func typeText(m Model, s string) Model {
	for _, r := range s {
		m, _ = press(m, string(r))
	}
	return m
}

var today = time.Date(2026, 12, 18, 9, 30, 0, 0, time.Local)

// localScreen is a loaded screen for an account whose rules run here,
// kept in a real store, so saving runs for real without a network.
func localScreen(t *testing.T, lang i18n.Lang, w, h int, server string) Model {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := &account.Config{Accounts: []account.Account{{Name: "work", Email: "me@corp.example", Provider: "exmail",
		Aliases: []account.Identity{{Address: "sales@corp.example", Kind: account.IdentityAlias}},
		Sieve:   account.SieveSetting{Off: true}}}}
	m := New(Deps{Printer: i18n.New(lang), Config: cfg, Store: st, Context: t.Context(), Now: func() time.Time { return today }}, "work", Source{})
	m.SetSize(w, h)
	m.seq = 1
	m, _ = m.Update(LoadedMsg{ID: 1, Account: "work", Place: Place{Server: server}, Set: sample(), Folders: []string{"客户", "客户/2026", "Junk"}})
	return m
}

// saved runs the save the last key started and hands its answer back.
func saved(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	if cmd == nil {
		t.Fatalf("nothing saved (err %q)", m.err)
	}
	m, _ = m.Update(cmd())
	if m.err != "" {
		t.Fatal(m.err)
	}
	return m
}

// TestEditRule changes every kind of row of an existing rule by picking
// and typing, and saves it in its place.
func TestEditRule(t *testing.T) {
	m := localScreen(t, i18n.EN, 100, 30, "")
	m, _ = press(m, "enter") // edit 报价: the cursor on its condition
	if !m.editing || m.ed.orig != "报价" || m.ed.cursor != 3 {
		t.Fatalf("enter did not edit: %+v", m.ed)
	}
	m, _ = press(m, "space")                   // subject → body
	m, _ = press(m, "right", "space", "right") // contains → is; to the value
	m, _ = press(m, "enter", "ctrl+u")         // the value prompt, cleared
	m = typeText(m, "季度报价")                    //
	m, _ = press(m, "enter", "!")              // typed; negated
	m, _ = press(m, "down", "enter")           // + add a condition: from contains, value asked
	m = typeText(m, "boss@corp.example")       //
	m, _ = press(m, "enter", "down", "down")   // to the move action
	m, _ = press(m, "right", "enter")          // the folder picker
	m = typeText(m, "Ju")                      //
	m, _ = press(m, "enter", "down", "space")  // Junk; flag → keyword
	m, _ = press(m, "right", "enter")          // keyword prompt
	m = typeText(m, "$urgent")                 //
	m, _ = press(m, "enter", "down", "down")   // + add an action
	m, _ = press(m, "enter", "right", "enter") // move to the first folder; the picker
	m = typeText(m, "新项目")                     // no such folder: made on first use
	m, _ = press(m, "enter")                   //
	for range 9 {
		m, _ = press(m, "up")
	}
	m, _ = press(m, "down", "space", "down", "space") // any; disabled
	want := rules.Rule{Name: "报价", Any: true, Disabled: true,
		Conditions: []rules.Condition{{Field: rules.FieldBody, Match: rules.MatchIs, Value: "季度报价", Not: true},
			{Field: rules.FieldFrom, Match: rules.MatchContains, Value: "boss@corp.example"}},
		Actions: []rules.Action{{Kind: rules.ActionMove, Arg: "Junk"}, {Kind: rules.ActionKeyword, Arg: "$urgent"},
			{Kind: rules.ActionMove, Arg: "新项目"}}}
	if got := m.ed.r; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("edited\n%+v\nwant\n%+v\n%s", got, want, ansi.Strip(m.View()))
	}
	m, cmd := press(m, "ctrl+s")
	m = saved(t, m, cmd)
	if m.editing || len(m.set.Rules) != 2 || fmt.Sprint(m.set.Rules[0]) != fmt.Sprint(want) {
		t.Fatalf("saved %+v", m.set.Rules)
	}
	// Kept in the store: read back as the arrival rules will.
	id, _ := m.d.Store.Account(t.Context(), "work")
	got, err := rules.LoadLocal(t.Context(), m.d.Store, id)
	if err != nil || fmt.Sprint(got.Rules[0]) != fmt.Sprint(want) {
		t.Fatalf("in the store: %+v %v", got.Rules, err)
	}
}

// TestNewRuleFromScreen makes a rule with no message open; an invalid
// rule is not saved, the editor says why; esc leaves without saving.
func TestNewRuleFromScreen(t *testing.T) {
	m := localScreen(t, i18n.ZH, 80, 24, "")
	m, _ = press(m, "n")
	if !m.editing || m.ed.r.Name != "rule" || m.ed.r.Conditions[0].Field != rules.FieldFrom {
		t.Fatalf("n: %+v", m.ed.r)
	}
	m, cmd := press(m, "ctrl+s") // the value is empty
	if cmd != nil || !m.editing || m.ed.err == "" || !strings.Contains(ansi.Strip(m.View()), "规则有误") {
		t.Fatalf("an empty value saved:\n%s", ansi.Strip(m.View()))
	}
	// The field cycles to "addressed to", whose value is picked from the
	// account's addresses.
	for range 9 {
		m, _ = press(m, "space")
	}
	m, _ = press(m, "right", "space")
	if c := m.ed.r.Conditions[0]; c.Field != rules.FieldIdentity || c.Value != "sales@corp.example" {
		t.Fatalf("identity: %+v", c)
	}
	m, _ = press(m, "up", "up", "up", "enter", "ctrl+u") // rename
	m = typeText(m, "别名邮件")
	m, _ = press(m, "enter")
	m, cmd = press(m, "ctrl+s")
	m = saved(t, m, cmd)
	if len(m.set.Rules) != 3 || m.set.Rules[2].Name != "别名邮件" || m.set.Rules[2].Conditions[0].String() != "identity:sales@corp.example" {
		t.Fatalf("saved %+v", m.set.Rules)
	}
	m, _ = press(m, "n", "esc")
	if m.editing || len(m.set.Rules) != 3 {
		t.Fatal("esc saved")
	}
	// A size is typed and read as one.
	m, _ = press(m, "n")
	for range 8 {
		m, _ = press(m, "space")
	}
	m, _ = press(m, "right", "right", "enter", "ctrl+u")
	m = typeText(m, "2M")
	m, _ = press(m, "enter")
	if c := m.ed.r.Conditions[0]; c.Field != rules.FieldSize || c.Match != rules.MatchOver || c.Size != 2<<20 {
		t.Fatalf("size: %+v", c)
	}
}

// TestVacationScreen fills the vacation reply by picking and typing.
func TestVacationScreen(t *testing.T) {
	m := localScreen(t, i18n.EN, 100, 30, "mail.example:4190")
	m.set.Vacation = nil
	m, _ = press(m, "v")
	if !m.vacOn || m.vac.v.Body != Template() || len(m.vac.addrs) != 2 {
		t.Fatalf("v: %+v", m.vac)
	}
	m, _ = press(m, "space", "down", "right", "right") // on; first day today, then the next
	m, _ = press(m, "down", "enter")
	m = typeText(m, "2027-13-01")
	m, _ = press(m, "enter")
	if m.vac.err == "" || !m.vac.v.End.IsZero() {
		t.Fatalf("a bad date was taken: %+v", m.vac)
	}
	m, _ = press(m, "enter")
	m = typeText(m, "2027-01-03")
	m, _ = press(m, "enter", "down", "enter", "ctrl+u")
	m = typeText(m, "休假中")
	m, _ = press(m, "enter", "down", "enter")
	m = typeText(m, "x")
	m, _ = press(m, "enter")
	m = typeText(m, "Li Lei")
	m, _ = press(m, "ctrl+s")
	m, _ = press(m, "down", "down", "space", "down", "left", "left")
	v := m.vac.vacation()
	if !v.Enabled || !v.Start.Equal(time.Date(2026, 12, 19, 0, 0, 0, 0, time.Local)) ||
		!v.End.Equal(time.Date(2027, 1, 3, 0, 0, 0, 0, time.Local)) || v.Subject != "休假中" ||
		!strings.HasSuffix(v.Body, "x\nLi Lei") || !slices.Equal(v.Addresses, []string{"me@corp.example"}) || v.Days != 5 {
		t.Fatalf("vacation %+v", v)
	}
	m, cmd := press(m, "ctrl+s")
	if cmd == nil || m.vacOn || !m.busy {
		t.Fatalf("ctrl+s did not save: %s", m.err)
	}
}

// TestVacationWithoutSieve says which web page to use, and offers no form.
func TestVacationWithoutSieve(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		m := localScreen(t, lang, 80, 24, "")
		m, _ = press(m, "v", "space", "ctrl+s")
		if !m.vacOn || m.busy || !strings.Contains(strings.Join(strings.Fields(ansi.Strip(m.View())), ""), "exmail.qq.com") {
			t.Fatalf("%s:\n%s", lang, ansi.Strip(m.View()))
		}
		m, _ = press(m, "esc")
		if m.vacOn {
			t.Fatal("esc did not close")
		}
	}
}

func TestGoldenViews(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			w, h := size[0], size[1]
			name := func(s string) string { return fmt.Sprintf("%s_%s_%dx%d", lang, s, w, h) }
			m := localScreen(t, lang, w, h, "mail.example:4190")
			golden(t, name("list"), m.View(), w, h)
			ed, _ := press(m, "enter", "right")
			golden(t, name("editor"), ed.View(), w, h)
			ed, _ = press(ed, "down", "down", "right", "enter")
			golden(t, name("editor_picker"), ed.View(), w, h)
			vac, _ := press(m, "v")
			golden(t, name("vacation"), vac.View(), w, h)
			vac, _ = press(m, "v", "down", "down", "down", "down", "enter")
			golden(t, name("vacation_body"), vac.View(), w, h)
			no := localScreen(t, lang, w, h, "")
			no, _ = press(no, "v")
			golden(t, name("vacation_nosieve"), no.View(), w, h)
		}
	}
}

// TestEveryChoiceIsWorded: the words of every field, operator and action.
func TestEveryChoiceIsWorded(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		p := i18n.New(lang)
		var keys []string
		for _, f := range fieldOrder {
			keys = append(keys, "rscr.field."+string(f))
			for _, mt := range matchesFor(f) {
				keys = append(keys, "rscr.match."+string(mt))
			}
		}
		for _, a := range actionOrder {
			keys = append(keys, "rscr.action."+string(a))
		}
		for _, k := range keys {
			if p.T(k) == k {
				t.Errorf("%s lacks %s", lang, k)
			}
		}
	}
}

// TestEditOnDovecot: a rule edited in the screen and a vacation reply
// switched on reach the script on a real ManageSieve server.
func TestEditOnDovecot(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	sieve, _ := account.ParseSieveSetting(d.Addr(d.SievePort))
	ep, _ := account.ParseEndpoint(d.IMAPSAddr(), account.SecurityTLS)
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(t.Context(), "dove", u.Password)
	a := account.Account{Name: "dove", Email: u.Email, Kind: account.KindMember, IMAP: ep, CAFile: d.CAFile, Sieve: sieve}
	cfg := &account.Config{Accounts: []account.Account{a}}
	deps := Deps{Printer: i18n.New(i18n.ZH), Config: cfg, Dialer: &account.Dialer{Secrets: secrets},
		Context: context.Background(), Now: func() time.Time { return today }}
	h, err := rules.OpenHome(t.Context(), a, deps.Dialer, nil)
	if err != nil {
		t.Fatal(err)
	}
	set := sample()
	set.Vacation = nil
	if _, err := h.Save(t.Context(), set, false); err != nil {
		t.Fatal(err)
	}
	h.Close()

	m := New(deps, "dove", Source{})
	m.SetSize(100, 30)
	m, _ = m.Update(m.Init()())
	if !m.loaded || m.place.Server == "" {
		t.Fatalf("not loaded: %s", m.err)
	}
	m, _ = press(m, "enter", "right", "right", "enter", "ctrl+u") // 报价: its value
	m = typeText(m, "询价单")
	m, _ = press(m, "enter")
	m, cmd := press(m, "ctrl+s")
	m = saved(t, m, cmd)
	m, _ = press(m, "v", "space") // on, answering for the account's address
	m, cmd = press(m, "ctrl+s")
	m = saved(t, m, cmd)

	h, err = rules.OpenHome(t.Context(), a, deps.Dialer, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	script, err := h.Sieve.GetScript(t.Context(), rules.ScriptName)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`header :contains "subject" "询价单"`, "vacation :days 7", `:addresses "` + u.Email + `"`} {
		if !strings.Contains(script, w) {
			t.Errorf("the server script lacks %q:\n%s", w, script)
		}
	}
	got, err := h.Load(t.Context(), false)
	if err != nil || got.Rules[0].Conditions[0].Value != "询价单" || got.Vacation == nil || !got.Vacation.Enabled ||
		!strings.Contains(got.Vacation.Body, "休假") {
		t.Fatalf("read back: %+v %v", got, err)
	}
}

// TestGuessedServerRunsHere: an account without a sieve setting whose IMAP
// host has port 4190 closed keeps its rules here, and the screen says so.
func TestGuessedServerRunsHere(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	ep, _ := account.ParseEndpoint(d.IMAPSAddr(), account.SecurityTLS)
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(t.Context(), "dove", u.Password)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	dialer := &account.Dialer{Secrets: secrets, NetDial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if strings.HasSuffix(addr, ":4190") {
			addr = closed
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := &account.Config{Accounts: []account.Account{{Name: "dove", Email: u.Email, Kind: account.KindMember, IMAP: ep, CAFile: d.CAFile}}}
	m := New(Deps{Printer: i18n.New(i18n.EN), Config: cfg, Store: st, Dialer: dialer, Context: t.Context()}, "dove", Source{})
	m.SetSize(80, 24)
	m, _ = m.Update(m.Init()())
	v := strings.Join(strings.Fields(ansi.Strip(m.View())), " ")
	if !m.loaded || m.place.Guessed != "127.0.0.1:4190" || !strings.Contains(v, "No ManageSieve answered on the IMAP host (127.0.0.1:4190)") {
		t.Fatalf("err %q place %+v:\n%s", m.err, m.place, v)
	}
	m, _ = press(m, "n", "right", "right", "enter") // from contains: the value
	m = typeText(m, "报价")
	m, _ = press(m, "enter")
	m, cmd := press(m, "ctrl+s")
	m = saved(t, m, cmd)
	id, _ := st.Account(t.Context(), "dove")
	if got, err := rules.LoadLocal(t.Context(), st, id); err != nil || len(got.Rules) != 1 {
		t.Fatalf("kept here: %+v %v", got, err)
	}
}
