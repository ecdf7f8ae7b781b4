package calview

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/ui/components/evedit"
	"github.com/magpie-mail/magpie/ui/i18n"
)

func answer(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	if cmd == nil {
		return nil
	}
	return cmd()
}

// Keys on events: tab selects, x asks before deleting (and for a
// repeating event which ones), c settles a conflict copy, n and e open the
// editor, a read-only calendar refuses, a toggle is reported for keeping.
func TestEventActions(t *testing.T) {
	m := load(t, newFixture(t, i18n.EN, 120, 40))
	m, _ = m.Update(press("d")) // 2026-02-17: 春节团拜 10:00, Family dinner 19:00
	m = load(t, m)
	if ev, _ := m.Selected(); ev.Summary != "春节团拜" {
		t.Fatalf("first selected: %q", ev.Summary)
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	if ev, _ := m.Selected(); ev.Summary != "Family dinner" {
		t.Fatalf("tab selects the next: %q", ev.Summary)
	}
	m, _ = m.Update(press("x"))
	if v := ansi.Strip(m.View()); !strings.Contains(v, `Delete "Family dinner"? y delete`) {
		t.Fatalf("x asks:\n%s", v)
	}
	m, cmd := m.Update(press("n"))
	if answer(t, cmd) != nil {
		t.Fatal("n answered the question with a deletion")
	}
	m, _ = m.Update(press("x"))
	m, cmd = m.Update(press("y"))
	del, ok := answer(t, cmd).(DeleteRequestedMsg)
	if !ok || del.Event.Summary != "Family dinner" || del.Scope != calendar.ScopeAll {
		t.Fatalf("y: %+v", del)
	}

	// A repeating event: the scope is asked.
	m, _ = m.Update(press("t"))
	m, _ = m.Update(press("]"))
	m, _ = m.Update(press("[")) // back on 02-17
	m, _ = m.Update(press("h")) // 02-16, Monday: 周会 repeats weekly
	m = load(t, m)
	m, _ = m.Update(press("x"))
	m, _ = m.Update(press("y"))
	if v := ansi.Strip(m.View()); !strings.Contains(v, "2 this and following") {
		t.Fatalf("scope question:\n%s", v)
	}
	m, cmd = m.Update(press("1"))
	if del, ok := answer(t, cmd).(DeleteRequestedMsg); !ok || del.Scope != calendar.ScopeThis || !del.Event.Recurring {
		t.Fatalf("1: %+v", del)
	}

	// e opens the editor on the event; esc leaves it.
	m, _ = m.Update(press("e"))
	if !m.Editing() || !strings.Contains(ansi.Strip(m.View()), "Edit event") {
		t.Fatalf("e:\n%s", ansi.Strip(m.View()))
	}
	m, _ = m.Update(press("esc"))
	if m.Editing() {
		t.Fatal("esc closes the editor")
	}
	// n opens a new one on the cursor's day with the defaults.
	m.SetDefaults(evedit.Defaults{Duration: 30 * 60 * 1e9, Reminder: -1}, "生活")
	m, _ = m.Update(press("n"))
	if v := ansi.Strip(m.View()); !strings.Contains(v, "New event") || !strings.Contains(v, "2026-02-16 09:00") ||
		!strings.Contains(v, "2026-02-16 09:30") || !strings.Contains(v, "生活") {
		t.Fatalf("n:\n%s", v)
	}
	m, _ = m.Update(press("esc"))

	// The conflict copy (02-19 Review) is settled with c.
	m, _ = m.Update(press("l"))
	m, _ = m.Update(press("l"))
	m, _ = m.Update(press("l"))
	m = load(t, m)
	m, _ = m.Update(press("c"))
	m, cmd = m.Update(press("m"))
	if r, ok := answer(t, cmd).(ResolveRequestedMsg); !ok || !r.KeepMine || !r.Event.Conflict {
		t.Fatalf("c m: %+v", r)
	}

	// A read-only calendar refuses edits.
	m.cals[0].ReadOnly = true
	m, _ = m.Update(press("h"))
	m, _ = m.Update(press("h"))
	m = load(t, m)
	m.cals[0].ReadOnly = true
	m, _ = m.Update(press("e"))
	if m.Editing() || !strings.Contains(ansi.Strip(m.View()), "read-only") {
		t.Fatalf("read-only:\n%s", ansi.Strip(m.View()))
	}
	m, _ = m.Update(press("j")) // dismisses
	_, cmd = m.Update(press("2"))
	if h, ok := answer(t, cmd).(HiddenChangedMsg); !ok || h.Calendar != 2 || !h.Hidden {
		t.Fatalf("toggle: %+v", h)
	}
}
