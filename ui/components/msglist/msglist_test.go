package msglist

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/i18n"
)

var now = time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC)

func rows(n int, first store.MessageID) []store.Message {
	out := make([]store.Message, n)
	for i := range out {
		id := first + store.MessageID(i)
		out[i] = store.Message{ID: id, Thread: store.ThreadID(id), Subject: fmt.Sprintf("s%d", id),
			From: store.Address{Name: "发件人"}, Date: now.Add(-time.Duration(id) * time.Hour)}
	}
	return out
}

func newList(h int) Model {
	m := New(common.New(i18n.New(i18n.EN)), func() time.Time { return now }, time.UTC)
	m.SetSize(60, h)
	m.Reset(false, false, nil)
	return m
}

func TestPagingAsksForMoreNearTheEnd(t *testing.T) {
	m := newList(10)
	m.SetRows(rows(50, 1), true)
	var cmd tea.Cmd
	m, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	if cmd != nil {
		t.Fatal("asked for more far from the end")
	}
	for i := 0; cmd == nil && i < 5; i++ {
		m, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyPgDown})
	}
	if cmd == nil {
		t.Fatal("no request for more near the end")
	}
	if _, ok := cmd().(MoreRequestedMsg); !ok {
		t.Fatal("the request is not a MoreRequestedMsg")
	}
	if _, again := m.Update(tea.KeyPressMsg{Code: tea.KeyDown}); again != nil {
		t.Fatal("asked twice while a page is on its way")
	}
	m.AppendRows(rows(50, 51), false)
	if m.Len() != 100 || m.Loading() {
		t.Fatalf("len %d loading %v", m.Len(), m.Loading())
	}
	for range 20 {
		m, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyPgDown})
		if cmd != nil {
			t.Fatal("asked for more after the store said there is none")
		}
	}
}

func TestViewIsExactAndOnlyVisibleRows(t *testing.T) {
	m := newList(5)
	m.SetRows(rows(1000, 1), true)
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		if ansi.StringWidth(l) != 60 {
			t.Errorf("line %q is %d cells", l, ansi.StringWidth(l))
		}
	}
	if !strings.HasPrefix(lines[0], ">") || !strings.Contains(lines[4], "s5") {
		t.Errorf("view:\n%s", strings.Join(lines, "\n"))
	}
}

func TestThreadsCollapse(t *testing.T) {
	m := newList(10)
	rs := rows(4, 1)
	rs[1].Thread, rs[2].Thread = rs[0].Thread, rs[0].Thread
	m.SetRows(rs, false)
	m.SetThreaded(true)
	if m.Len() != 2 {
		t.Fatalf("threaded len %d, want 2", m.Len())
	}
	if !strings.Contains(ansi.Strip(m.View()), "[+3] s1") {
		t.Errorf("thread count missing:\n%s", ansi.Strip(m.View()))
	}
	m.SetThreaded(false)
	if m.Len() != 4 {
		t.Fatalf("flat len %d", m.Len())
	}
}

func TestClickSelectsThenOpens(t *testing.T) {
	m := newList(10)
	m.SetRows(rows(5, 1), false)
	if cmd := m.Click(2); cmd != nil {
		t.Fatal("first click opened")
	}
	cmd := m.Click(2)
	if msg, ok := cmd().(OpenedMsg); !ok || msg.Message.ID != 3 {
		t.Fatalf("second click gave %#v", msg)
	}
}

func TestRemoveKeepsCursorInPlace(t *testing.T) {
	m := newList(10)
	m.SetRows(rows(5, 1), false)
	m.Move(2)
	m.Remove(3)
	if sel, _ := m.Selected(); sel.ID != 4 {
		t.Fatalf("selected %d after removal, want 4", sel.ID)
	}
}
