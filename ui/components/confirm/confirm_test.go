package confirm

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/i18n"
)

func TestOnlyYConfirms(t *testing.T) {
	m := New(common.New(i18n.New(i18n.EN)), "p", "Delete?")
	for _, k := range []tea.KeyPressMsg{{Code: tea.KeyEnter}, {Code: 'x', Text: "x"}, {Code: tea.KeySpace, Text: " "}} {
		if _, cmd := m.Update(k); cmd != nil {
			t.Fatalf("%v answered", k)
		}
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: 'y', Text: "y"})
	if a := cmd().(AnsweredMsg); !a.Yes || a.Purpose != "p" {
		t.Fatalf("y gave %#v", a)
	}
	_, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if a := cmd().(AnsweredMsg); a.Yes {
		t.Fatal("esc said yes")
	}
}
