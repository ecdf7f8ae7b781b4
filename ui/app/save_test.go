package app

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func typeText(t *testing.T, m *Model, s string) {
	t.Helper()
	for _, r := range s {
		press(t, m, string(r))
	}
}

// TestSaveFolderPickerCompletesAndBrowses: the save dialog lists the typed
// folder's sub-folders (hidden ones and files left out), Tab completes a
// name as far as the choices agree and then walks them, Enter goes into
// the folder selected and then saves into the folder typed.
func TestSaveFolderPickerCompletesAndBrowses(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"项目资料", "photos", "photo-2024", ".hidden"} {
		must(t, os.Mkdir(filepath.Join(dir, d), 0o700))
	}
	must(t, os.WriteFile(filepath.Join(dir, "a.txt"), nil, 0o600))
	t.Setenv("HOME", dir) // paths typed as ~/…: the same screen on every machine
	for _, lang := range langs {
		f := newFixture(t)
		m := newTestModel(t, f, lang, 80, 24)
		openWorkInbox(t, m, f)
		press(t, m, "enter", "s", "ctrl+u")
		typeText(t, m, "~/")
		if got, want := m.dirs.Shown(), []string{"..", "photo-2024", "photos", "项目资料"}; !slices.Equal(got, want) {
			t.Fatalf("offered %q, want %q", got, want)
		}
		s := screen(m)
		checkFrame(t, s, 80, 24)
		if !strings.Contains(s, "项目资料/") || strings.Contains(s, "a.txt") {
			t.Fatalf("the folder list:\n%s", s)
		}
		golden(t, string(lang)+"_80x24_save", s)
		send(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
		checkFrame(t, screen(m), 120, 40)
		golden(t, string(lang)+"_120x40_save", screen(m))
		send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
		typeText(t, m, "p")
		press(t, m, "tab")
		if m.dirs.Value() != "~/photo" {
			t.Fatalf("tab completed to %q", m.dirs.Value())
		}
		press(t, m, "tab", "enter") // walks to photo-2024, goes into it
		if m.dirs.Value() != "~/photo-2024/" {
			t.Fatalf("enter on photo-2024 gave %q", m.dirs.Value())
		}
		press(t, m, "enter")
		if _, err := os.Stat(filepath.Join(dir, "photo-2024", "报告.pdf")); err != nil {
			t.Fatalf("not saved in photo-2024: %v", err)
		}
		press(t, m, "s", "ctrl+u")
		typeText(t, m, "~/项")
		press(t, m, "tab")
		if m.dirs.Value() != "~/项目资料/" {
			t.Fatalf("tab on a single match gave %q", m.dirs.Value())
		}
		press(t, m, "down", "enter") // "..": back up
		if m.dirs.Value() != "~/" {
			t.Fatalf(".. gave %q", m.dirs.Value())
		}
		press(t, m, "esc")
		if m.modal != modalNone {
			t.Fatal("esc did not close the dialog")
		}
		must(t, os.Remove(filepath.Join(dir, "photo-2024", "报告.pdf")))
	}
}
