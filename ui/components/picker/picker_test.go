package picker

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/i18n"
)

func TestFilterAndPick(t *testing.T) {
	m := New(common.New(i18n.New(i18n.ZH)), "move", "t", []Item{{Label: "收件箱", Value: 1}, {Label: "归档", Value: 2}, {Label: "Archive/2023", Value: 3}})
	m.SetSize(40, 10)
	for _, r := range "归" {
		m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if p := cmd().(PickedMsg); p.Item.Value != 2 || p.Purpose != "move" {
		t.Fatalf("picked %#v", p)
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	m, _ = m.Update(tea.KeyPressMsg{Code: 'a', Text: "a"})
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	_, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if p := cmd().(PickedMsg); p.Item.Value != 3 {
		t.Fatalf("picked %#v", p)
	}
	if _, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEscape}); cmd().(CancelledMsg).Purpose != "move" {
		t.Fatal("esc did not cancel")
	}
}
