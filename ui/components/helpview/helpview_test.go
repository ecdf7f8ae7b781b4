package helpview

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/i18n"
)

func TestEveryBindingIsListedAndEscCloses(t *testing.T) {
	c := common.New(i18n.New(i18n.ZH))
	m := New(c, c.Keys)
	m.SetSize(80, 22)
	v := ansi.Strip(m.View())
	for _, col := range c.Keys.FullHelp() {
		for _, b := range col {
			if !strings.Contains(v, b.Help().Desc) {
				t.Errorf("help lacks %q", b.Help().Desc)
			}
		}
	}
	for i, l := range strings.Split(v, "\n") {
		if ansi.StringWidth(l) != 80 {
			t.Errorf("line %d is %d cells", i, ansi.StringWidth(l))
		}
	}
	if _, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEscape}); cmd == nil {
		t.Fatal("esc did not close")
	} else if _, ok := cmd().(ClosedMsg); !ok {
		t.Fatal("esc did not close")
	}
}
