package app

import (
	"strings"
	"testing"

	"github.com/magpie-mail/magpie/ui/i18n"
)

func TestSortOldestFirst(t *testing.T) {
	f := newFixture(t)
	m := newTestModel(t, f, i18n.EN, 120, 40)
	newest := m.list.Rows()
	if len(newest) < 2 {
		t.Fatalf("fixture lists %d rows", len(newest))
	}
	press(t, m, "S")
	oldest := m.list.Rows()
	if len(oldest) != len(newest) {
		t.Fatalf("%d rows oldest first, %d newest first", len(oldest), len(newest))
	}
	for i := range newest {
		if newest[i].ID != oldest[len(oldest)-1-i].ID {
			t.Fatalf("oldest first is not newest first reversed")
		}
	}
	if !strings.Contains(m.View().Content, "oldest first") {
		t.Error("the title does not say the order")
	}
	press(t, m, "S")
	if m.list.Rows()[0].ID != newest[0].ID {
		t.Error("S again does not restore newest first")
	}
}

// TestTypeAheadAfterADialog: a key typed right after a dialog's answer goes
// to the app, even before the answer went round the event loop.
func TestTypeAheadAfterADialog(t *testing.T) {
	f := newFixture(t)
	m := newTestModel(t, f, i18n.EN, 120, 40)
	press(t, m, "m")
	if m.modal != modalPicker {
		t.Fatal("m did not open the move picker")
	}
	m.Update(keyMsg("esc")) // the returned Cmds are not run: the next key comes first
	if m.modal != modalNone {
		t.Fatal("the picker is still open after Esc")
	}
	m.Update(keyMsg("c"))
	if m.modal != modalPicker || !strings.Contains(m.View().Content, "Jump to which folder?") {
		t.Fatalf("the key typed after Esc was lost:\n%s", m.View().Content)
	}
}
