package dirpicker

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// run delivers the listing a Cmd reads, as the program would.
func run(m Model, cmd tea.Cmd) Model {
	if cmd != nil {
		m, _ = m.Update(cmd())
	}
	return m
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	return tea.KeyPressMsg{Code: []rune(s)[0], Text: s}
}

func TestListsCompletesAndDropsStaleListings(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"docs", ".git", "dl", "\x1b[2Jevil"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	c := common.New(i18n.New(i18n.EN))
	m := New(c, "save", "Save where?", "hint", dir)
	m.SetSize(40, 8)
	m = run(m, m.Init())
	if got := m.Shown(); !slices.Equal(got, []string{"..", "\x1b[2Jevil", "dl", "docs"}) {
		t.Fatalf("shown %q", got)
	}
	v := ansi.Strip(m.View())
	if strings.ContainsRune(v, 0x1b) {
		t.Fatal("a folder name reached the screen unsanitised")
	}
	for _, l := range strings.Split(v, "\n") {
		if ansi.StringWidth(l) != 40 {
			t.Fatalf("line %q is %d cells", l, ansi.StringWidth(l))
		}
	}
	var cmd tea.Cmd
	m, _ = m.Update(press("."))
	if got := m.Shown(); !slices.Equal(got, []string{".git"}) {
		t.Fatalf("a dot shows hidden folders: %q", got)
	}
	m, _ = m.Update(press("backspace"))
	m, _ = m.Update(press("d"))
	m, cmd = m.Update(press("tab")) // dl, docs: nothing in common beyond "d": walks
	m = run(m, cmd)
	if m.Value() != dir+"/d" || m.cursor != 0 {
		t.Fatalf("tab: %q, cursor %d", m.Value(), m.cursor)
	}
	m, _ = m.Update(press("o"))
	m, cmd = m.Update(press("tab"))
	if m.Value() != dir+"/docs/" || cmd == nil {
		t.Fatalf("tab on one match: %q", m.Value())
	}
	stale := list(m.req-1, dir+"/")
	m, _ = m.Update(stale)
	if len(m.names) != 0 {
		t.Fatal("a stale listing was applied")
	}
	m = run(m, cmd)
	m, cmd = m.Update(press("enter"))
	if sub, ok := cmd().(SubmittedMsg); !ok || sub.Dir != dir+"/docs/" || sub.Purpose != "save" {
		t.Fatalf("enter gave %#v", cmd())
	}
}
