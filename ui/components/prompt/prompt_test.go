package prompt

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/i18n"
)

func TestEditAndSubmit(t *testing.T) {
	m := New(common.New(i18n.New(i18n.EN)), "search", "t", "h", "old")
	m.SetSize(40, 3)
	m, _ = m.Update(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	for _, r := range "邮箱" {
		m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	m, _ = m.Update(tea.PasteMsg{Content: " x\x1b[31m"})
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if s := cmd().(SubmittedMsg); s.Value != "邮箱 x[31" || s.Purpose != "search" {
		t.Fatalf("submitted %#v", s)
	}
}
