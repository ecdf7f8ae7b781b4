package app

import (
	"strings"
	"testing"

	"github.com/magpie-mail/magpie/ui/i18n"
	"github.com/magpie-mail/magpie/ui/migration"
)

// M opens the migration wizard over the mail; HideMsg shows the mail
// again with the wizard kept; M brings it back; esc on its first step
// closes it.
func TestMigrationWizardKey(t *testing.T) {
	m := newTestModel(t, newFixture(t), i18n.EN, 80, 24)
	press(t, m, "M")
	s := screen(m)
	checkFrame(t, s, 80, 24)
	if !m.migOn || !strings.Contains(s, "Mailbox migration  step 1 of 5: Prepare") {
		t.Fatalf("M did not open the wizard:\n%s", s)
	}
	press(t, m, "down") // the wizard's cursor, not the list's
	send(t, m, migration.HideMsg{})
	if m.migOn || !m.migStarted || strings.Contains(screen(m), "Mailbox migration") {
		t.Fatalf("hide: on %v started %v\n%s", m.migOn, m.migStarted, screen(m))
	}
	press(t, m, "M")
	if !strings.Contains(screen(m), "› QQ Mail") {
		t.Fatalf("the wizard was not kept:\n%s", screen(m))
	}
	press(t, m, "esc")
	if m.migOn || m.migStarted {
		t.Fatal("esc on the first step did not close the wizard")
	}
	if !strings.Contains(screen(m), "Magpie") {
		t.Fatalf("mail not shown again:\n%s", screen(m))
	}
}
