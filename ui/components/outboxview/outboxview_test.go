package outboxview

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/outbox"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/i18n"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var sh = time.FixedZone("CST", 8*3600)

func clock() time.Time { return time.Date(2026, 3, 2, 9, 30, 0, 0, sh) }

func items() []Item {
	return []Item{
		{ID: 1, Account: "work", From: "chen@example.com", Rcpts: []string{"nobody@client.com"}, Subject: "季度报告（第一季度）",
			State: store.OutFailed, Updated: clock().Add(-time.Hour), Attempts: 1,
			Err: &outbox.RejectedError{Stage: "recipient", Recipients: []string{"nobody@client.com"}, Code: 550, Text: "5.1.1 mailbox unavailable"}},
		{ID: 2, Account: "work", From: "sales@example.com", Rcpts: []string{"wang@client.com", "li@client.com"}, Subject: "周报",
			State: store.OutQueued, NotBefore: clock().Add(24 * time.Hour), Updated: clock().Add(-2 * time.Hour)},
		{ID: 3, Account: "sales", From: "sales@example.com", Rcpts: []string{"client@example.org"}, Subject: "Quote for March",
			State: store.OutQueued, Updated: clock().Add(-time.Minute)},
		{ID: 4, Account: "work", From: "chen@example.com", Rcpts: []string{"boss@example.com"}, Subject: "大附件",
			State: store.OutFailed, Updated: clock().Add(-3 * time.Hour), Err: &outbox.TooLargeError{Size: 60 << 20, Limit: 50 << 20}},
	}
}

func newModel(lang i18n.Lang, w, h int) Model {
	m := New(common.New(i18n.New(lang)), clock, sh)
	m.SetSize(w, h)
	m.SetItems(items())
	return m
}

func keyPress(s string) tea.KeyPressMsg {
	switch s {
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	return tea.KeyPressMsg{Code: []rune(s)[0], Text: s}
}

func typeKeys(m Model, keys ...string) (Model, tea.Msg) {
	var msg tea.Msg
	for _, k := range keys {
		var cmd tea.Cmd
		m, cmd = m.Update(keyPress(k))
		msg = nil
		if cmd != nil {
			msg = cmd()
		}
	}
	return m, msg
}

func TestActions(t *testing.T) {
	m := newModel(i18n.EN, 100, 30)
	if _, msg := typeKeys(m, "r"); msg != (ActionMsg{Action: ActRetry, ID: 1, Account: "work"}) {
		t.Fatalf("r: %#v", msg)
	}
	if _, msg := typeKeys(m, "j", "e"); msg != (ActionMsg{Action: ActEdit, ID: 2, Account: "work"}) {
		t.Fatalf("e: %#v", msg)
	}
	if _, msg := typeKeys(m, "j", "j", "x"); msg != (ActionMsg{Action: ActToDrafts, ID: 3, Account: "sales"}) {
		t.Fatalf("x: %#v", msg)
	}
	if _, msg := typeKeys(m, "esc"); msg != (ClosedMsg{}) {
		t.Fatalf("esc: %#v", msg)
	}
	// Reschedule: a bad time is said and kept; a good one is asked for.
	m, msg := typeKeys(m, "t", "x", "y", "enter")
	if msg != nil || !m.Asking() || !strings.Contains(ansi.Strip(m.View()), "Cannot read “xy”") {
		t.Fatalf("bad time: %#v\n%s", msg, ansi.Strip(m.View()))
	}
	m, msg = typeKeys(m, "backspace", "backspace", "+", "2", "h", "enter")
	want := ActionMsg{Action: ActReschedule, ID: 1, Account: "work", At: clock().Add(2 * time.Hour)}
	if got, ok := msg.(ActionMsg); !ok || got.Action != want.Action || got.ID != 1 || !got.At.Equal(want.At) || m.Asking() {
		t.Fatalf("reschedule: %#v", msg)
	}
	// Esc while typing gives up the time, not the panel.
	m, msg = typeKeys(m, "t", "1", "esc")
	if msg != nil || m.Asking() {
		t.Fatalf("esc while asking: %#v", msg)
	}
	// A message being sent cannot be touched.
	m.SetItems([]Item{{ID: 9, Account: "work", State: store.OutSending}})
	if _, msg := typeKeys(m, "r"); msg != nil {
		t.Fatalf("acted on a message being sent: %#v", msg)
	}
	// Reloading keeps the selection on the same message.
	m = newModel(i18n.EN, 100, 30)
	m, _ = typeKeys(m, "j", "j")
	m.SetItems(items()[1:])
	if it, _ := m.Selected(); it.ID != 3 {
		t.Fatalf("selection moved to %d", it.ID)
	}
}

func TestGoldenViews(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			m := newModel(lang, size[0], size[1])
			golden(t, string(lang)+"_failed", m.View(), size)
			m, _ = typeKeys(m, "j")
			golden(t, string(lang)+"_scheduled", m.View(), size)
			m, _ = typeKeys(m, "j", "j", "t", "1", "5", ":", "0", "0")
			golden(t, string(lang)+"_too_large_reschedule", m.View(), size)
			e := New(common.New(i18n.New(lang)), clock, sh)
			e.SetSize(size[0], size[1])
			e.SetItems(nil)
			golden(t, string(lang)+"_empty", e.View(), size)
		}
	}
}

func golden(t *testing.T, name, view string, size [2]int) {
	t.Helper()
	w, h := size[0], size[1]
	name = name + "_" + strings.Join([]string{itoa(w), itoa(h)}, "x")
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("%s: %d lines, want %d", name, len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("%s: line %d is %d cells wide, want %d: %q", name, i, got, w, ansi.Strip(l))
		}
	}
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

func itoa(n int) string { return strconv.Itoa(n) }
