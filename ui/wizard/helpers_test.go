package wizard

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// keyMsg builds the KeyPressMsg a terminal sends for name ("enter", "esc",
// "ctrl+c", "shift+tab", "a"…).
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
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	r := []rune(name)
	return tea.KeyPressMsg{Code: r[0], Text: name}
}

// driver feeds a Model keys and runs the Cmds it returns, as the runtime
// would, collecting the messages meant for the root (DoneMsg, CancelledMsg).
type driver struct {
	t    *testing.T
	m    Model
	out  []tea.Msg
	runs bool // run Cmds (false: keep them in pending)
	// pending holds the last Cmd when runs is false.
	pending tea.Cmd
}

func newDriver(t *testing.T, d Deps) *driver {
	t.Helper()
	if d.Context == nil {
		d.Context = t.Context()
	}
	m := New(d)
	m.SetSize(80, 24)
	return &driver{t: t, m: m, runs: true}
}

// send delivers msg and runs what follows from it.
func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(msg)
	if !d.runs {
		d.pending = cmd
		return
	}
	d.run(cmd)
}

// run executes cmd and feeds its messages back, except spinner ticks
// (which would only animate) and messages for the root.
func (d *driver) run(cmd tea.Cmd) {
	d.t.Helper()
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil, spinner.TickMsg:
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	case DoneMsg, CancelledMsg:
		d.out = append(d.out, msg)
	default:
		d.send(msg)
	}
}

func (d *driver) keys(names ...string) {
	d.t.Helper()
	for _, n := range names {
		d.send(keyMsg(n))
	}
}

func (d *driver) typ(s string) {
	d.t.Helper()
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// view is the plain text of the wizard (no styles).
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

// providerIndex is the list position of preset id ("" for "other").
func providerIndex(t *testing.T, id string) int {
	t.Helper()
	ps := account.Providers()
	if id == "" {
		return len(ps)
	}
	for i, p := range ps {
		if p.ID == id {
			return i
		}
	}
	t.Fatalf("no provider %q", id)
	return 0
}

// pick moves to preset id and chooses it.
func (d *driver) pick(id string) {
	d.t.Helper()
	for range providerIndex(d.t, id) {
		d.keys("down")
	}
	d.keys("enter")
	d.wantStep(stepAddress)
}

// emptyConfig is a config whose file does not exist yet.
func emptyConfig(t *testing.T) *account.Config {
	t.Helper()
	cfg, err := account.LoadConfig(filepath.Join(t.TempDir(), "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// noWeb is an HTTP client for which every autoconfig host refuses the
// connection (a closed port on loopback), as a domain without autoconfig does.
func noWeb(t *testing.T) *http.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, closed)
		},
	}}
}

func printer(lang i18n.Lang) *i18n.Printer { return i18n.New(lang) }

// golden compares got with testdata/name.golden; UPDATE_GOLDEN=1 rewrites it.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if os.Getenv("UPDATE_GOLDEN") != "" {
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
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// fitsScreen checks a view is at most w cells wide and h lines high.
func fitsScreen(t *testing.T, name, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) > h {
		t.Errorf("%s: %d lines, more than %d", name, len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("%s: line %d is %d cells wide: %q", name, i+1, n, l)
		}
	}
}

func stringWidth(s string) int { return ansi.StringWidth(s) }
