package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// at finds text in the right-hand pane (right of the sidebar's "|"): the
// screen cell where it starts.
func at(t *testing.T, m *Model, text string) (int, int) {
	t.Helper()
	for y, l := range strings.Split(screen(m), "\n") {
		sep := strings.Index(l, "|")
		if sep < 0 {
			continue
		}
		if i := strings.Index(l[sep:], text); i >= 0 {
			return ansi.StringWidth(l[:sep+i]), y
		}
	}
	t.Fatalf("%q is not on the screen:\n%s", text, screen(m))
	return 0, 0
}

func listed(m *Model, id store.MessageID) bool {
	for _, r := range m.list.Rows() {
		if r.ID == id {
			return true
		}
	}
	return false
}

// TestMouseInDialogs: clicks work where the keyboard does in dialogs and
// the reader: a click on the attachment opens it; the help closes on a
// click; in the folder picker and the save dialog a click selects a row
// and a second one chooses it; a question is answered by clicking its
// answers.
func TestMouseInDialogs(t *testing.T) {
	home := t.TempDir()
	for _, d := range []string{"alpha", "beta"} {
		must(t, os.Mkdir(filepath.Join(home, d), 0o700))
	}
	t.Setenv("HOME", home)
	f := newFixture(t)
	m := newTestModel(t, f, i18n.EN, 80, 24)
	var opened string
	m.d.Open = func(path string) error { opened = path; return nil }
	openWorkInbox(t, m, f)

	// The reader: a click on the attachment (selected: the only one) opens it.
	press(t, m, "enter")
	x, y := at(t, m, "报告.pdf")
	click(t, m, x, y)
	if filepath.Base(opened) != "报告.pdf" {
		t.Fatalf("a click on the attachment opened %q", opened)
	}
	click(t, m, x, 3) // in the headers: nothing
	if m.modal != modalNone || m.focus != paneReader {
		t.Fatal("a click on the headers did something")
	}

	// The save dialog: a click selects a folder, a second goes into it.
	press(t, m, "s", "ctrl+u")
	typeText(t, m, "~/")
	x, y = at(t, m, "beta/")
	click(t, m, x, y)
	if m.dirs.Value() != "~/" {
		t.Fatalf("one click went into %q", m.dirs.Value())
	}
	click(t, m, x, y)
	if m.dirs.Value() != "~/beta/" {
		t.Fatalf("a second click gave %q, want ~/beta/", m.dirs.Value())
	}
	press(t, m, "esc", "esc")

	// The help closes on a click.
	press(t, m, "?")
	if m.modal != modalHelp {
		t.Fatal("? did not open the help")
	}
	click(t, m, 40, 5)
	if m.modal != modalNone {
		t.Fatal("a click did not close the help")
	}

	// The move picker: "move" (the selected row) to Trash.
	press(t, m, "m")
	x, y = at(t, m, "Trash")
	click(t, m, x, y)
	if m.modal != modalPicker {
		t.Fatal("one click chose already")
	}
	click(t, m, x, y)
	if m.modal != modalNone || listed(m, f.ids["move"]) {
		t.Fatal("a second click on Trash did not move the message")
	}

	// Delete forever asks; a click on "no" keeps the message, on "yes"
	// deletes it.
	sel, _ := m.list.Selected()
	press(t, m, "D")
	if m.modal != modalConfirm {
		t.Fatal("D did not ask")
	}
	click(t, m, 2, 5) // on the sidebar: nothing
	if m.modal != modalConfirm {
		t.Fatal("a click beside the question answered it")
	}
	x, y = at(t, m, "n no")
	click(t, m, x+1, y)
	if m.modal != modalNone || !listed(m, sel.ID) {
		t.Fatal("a click on no did not keep the message")
	}
	press(t, m, "D")
	x, y = at(t, m, "y yes")
	click(t, m, x, y)
	if m.modal != modalNone || listed(m, sel.ID) {
		t.Fatal("a click on yes did not delete the message")
	}
	checkFrame(t, screen(m), 80, 24)
}
