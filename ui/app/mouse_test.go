package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/reader"
	"github.com/magpie-mail/magpie/ui/components/sidebar"
	"github.com/magpie-mail/magpie/ui/i18n"
)

func click(t *testing.T, m *Model, x, y int) {
	t.Helper()
	send(t, m, tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
}

func wheel(t *testing.T, m *Model, x, y int, b tea.MouseButton) {
	t.Helper()
	send(t, m, tea.MouseWheelMsg{X: x, Y: y, Button: b})
}

// TestMouse: the view asks for mouse reports; a click on a folder opens
// it, a click on a row selects it and a second click opens it; the wheel
// scrolls the list, the reader and the sidebar under the pointer.
func TestMouse(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	long := "From: a@example.com\r\nSubject: long\r\n\r\n"
	for i := range 200 {
		long += fmt.Sprintf("第 %d 行\r\n", i)
	}
	must(t, f.st.PutHeaders(ctx, f.project, []store.Message{{UID: 50, MsgID: "long@x", From: store.Address{Addr: "a@example.com"},
		Subject: "long", Date: now.Add(-20 * time.Hour), Flags: store.FlagSeen}}))
	id, err := f.st.Lookup(ctx, f.project, 50)
	must(t, err)
	must(t, f.st.PutBody(ctx, id, store.Body{Raw: []byte(long), Text: "long"}))

	m := newTestModel(t, f, i18n.ZH, 80, 24)
	if m.View().MouseMode != tea.MouseModeCellMotion {
		t.Fatal("the view does not ask for mouse reports")
	}
	// The sidebar: 全部收件箱, work, 收件箱, 项目 on rows 1-4 of the screen.
	click(t, m, 3, bodyTop+3)
	if m.entry.Kind != sidebar.KindFolder || m.entry.Folder.ID != f.project {
		t.Fatalf("a click on 项目 opened %+v", m.entry)
	}
	if m.focus != paneList {
		t.Fatal("a click on a folder does not hand the keys to its list")
	}
	x := m.sidebarWidth() + 5
	click(t, m, x, bodyTop+2)
	sel, _ := m.list.Selected()
	if m.focus != paneList || sel.ID != m.list.Rows()[2].ID || m.reader.State() != reader.StateEmpty {
		t.Fatalf("a click on row 3 selected %d (focus %d)", sel.ID, m.focus)
	}
	click(t, m, x, bodyTop+2)
	if m.focus != paneReader || m.reader.Message().ID != sel.ID {
		t.Fatal("a second click on the row does not open it")
	}
	press(t, m, "esc")
	click(t, m, x, bodyTop+3)
	click(t, m, x, bodyTop+3) // the long message
	if m.reader.Message().ID != id {
		t.Fatalf("opened %d, want the long message", m.reader.Message().ID)
	}
	before := screen(m)
	wheel(t, m, x, 10, tea.MouseWheelDown)
	if after := screen(m); after == before || !strings.Contains(after, "第 ") {
		t.Fatal("the wheel does not scroll the reader")
	}
	wheel(t, m, x, 10, tea.MouseWheelUp)
	if screen(m) != before {
		t.Fatal("the wheel up does not scroll back")
	}
	press(t, m, "esc")
	press(t, m, "g")
	wheel(t, m, x, 10, tea.MouseWheelDown)
	if sel, _ := m.list.Selected(); sel.ID != m.list.Rows()[3].ID {
		t.Fatal("the wheel does not move the list")
	}
	wheel(t, m, 2, 10, tea.MouseWheelDown)
	if s, _ := m.sidebar.Selected(); s == m.entry {
		t.Fatal("the wheel over the sidebar does not move it")
	}
	// A click on the title or the status line does nothing.
	click(t, m, x, 0)
	click(t, m, x, 23)
	checkFrame(t, screen(m), 80, 24)
}
