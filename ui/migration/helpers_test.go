package migration

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/ui/i18n"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var update = flag.Bool("update", false, "rewrite the golden files")

// t0 is the fixed clock of the views: a run started at t0 is looked at
// two minutes later.
var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func keyMsg(name string) tea.KeyPressMsg {
	switch name {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	r := []rune(name)
	return tea.KeyPressMsg{Code: r[0], Text: name}
}

// driver feeds the Model keys and messages. Cmds are kept, not run,
// unless run is called: Update is tested pure.
type driver struct {
	t   *testing.T
	m   Model
	cmd tea.Cmd
}

func newDriver(t *testing.T, lang i18n.Lang, w, h int, d Deps) *driver {
	t.Helper()
	d.Printer = i18n.New(lang)
	if d.Config == nil {
		d.Config = &account.Config{Accounts: []account.Account{{Name: "新邮箱", Email: "chen@new.test"}}}
	}
	if d.DataDir == "" {
		d.DataDir = t.TempDir()
	}
	if d.Now == nil {
		d.Now = func() time.Time { return t0.Add(2 * time.Minute) }
	}
	m := New(d)
	m.SetSize(w, h)
	return &driver{t: t, m: m}
}

func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	d.m, d.cmd = d.m.Update(msg)
}

func (d *driver) keys(names ...string) {
	d.t.Helper()
	for _, n := range names {
		d.send(keyMsg(n))
	}
}

func (d *driver) typ(s string) {
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// out runs the last Cmd and returns its message.
func (d *driver) out() tea.Msg {
	d.t.Helper()
	if d.cmd == nil {
		d.t.Fatal("no Cmd")
	}
	return d.cmd()
}

func (d *driver) view() string { return ansi.Strip(d.m.View()) }

func (d *driver) wantStep(s step) {
	d.t.Helper()
	if d.m.step != s {
		d.t.Fatalf("step %d, want %d\n%s", d.m.step, s, d.view())
	}
}

func (d *driver) wantView(subs ...string) {
	d.t.Helper()
	v := d.view()
	for _, s := range subs {
		if !strings.Contains(v, s) {
			d.t.Fatalf("view lacks %q:\n%s", s, v)
		}
	}
}

// pick chooses the provider preset id ("" for other).
func (d *driver) pick(id string) {
	d.t.Helper()
	for _, p := range d.m.providers {
		if p.ID == id {
			break
		}
		d.keys("down")
	}
	d.keys("enter")
	d.wantStep(stepConnect)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
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
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// checkFrame asserts the frame is exactly w×h cells.
func checkFrame(t *testing.T, name, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != h {
		t.Fatalf("%s: %d lines, want %d", name, len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n != w {
			t.Errorf("%s: line %d is %d cells wide, want %d: %q", name, i, n, w, l)
		}
	}
}
