package app

import (
	"strings"
	"testing"

	"github.com/magpie-mail/magpie/ui/i18n"
)

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
