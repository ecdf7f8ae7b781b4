package sidebar

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/i18n"
)

func TestTreeUnreadAndChoose(t *testing.T) {
	m := New(common.New(i18n.New(i18n.ZH)))
	m.SetSize(24, 10)
	m.Focus()
	m.SetAccounts([]Account{{Name: "work", Folders: []store.Folder{
		{ID: 1, Name: "Archive", RawName: "Archive", Role: "archive", Delim: "/"},
		{ID: 2, Name: "INBOX", RawName: "INBOX", Role: "inbox", Delim: "/"},
		{ID: 3, Name: "INBOX/项目\x1b[31m", RawName: "INBOX/x", Parent: 2, Delim: "/"},
	}, Unread: map[store.FolderID]int{2: 5, 3: 1}}}, "")
	got := ansi.Strip(m.View())
	want := []string{" 全部收件箱           5", "work", "  收件箱              5", "    项目              1", "  归档"}
	lines := strings.Split(got, "\n")
	for i, w := range want {
		if strings.TrimRight(lines[i], " ") != w {
			t.Errorf("line %d = %q, want %q", i, lines[i], w)
		}
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	m, _ = m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	sel, ok := cmd().(SelectedMsg)
	if !ok || sel.Entry.Kind != KindFolder || sel.Entry.Folder.ID != 2 {
		t.Fatalf("chose %#v", sel)
	}
	if cmd := m.Click(3); cmd == nil {
		t.Fatal("click did not choose")
	} else if e := cmd().(SelectedMsg).Entry; e.Folder.ID != 3 {
		t.Fatalf("click chose %#v", e)
	}
}
