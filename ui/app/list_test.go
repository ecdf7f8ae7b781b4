package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/sidebar"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// sortBy picks the i-th order of the sort picker (0 date newest first, 1
// oldest first, 2 sender A to Z, 3 Z to A, 4 subject A to Z, 5 Z to A).
func sortBy(t *testing.T, m *Model, i int) {
	t.Helper()
	press(t, m, "S")
	if m.modal != modalPicker || m.picker.Purpose() != actSort {
		t.Fatal("S did not open the sort picker")
	}
	for range 6 {
		press(t, m, "up")
	}
	for range i {
		press(t, m, "down")
	}
	press(t, m, "enter")
}

// bigFolder puts n messages in 项目 with senders and subjects that sort
// differently from their dates, and opens the folder.
func bigFolder(t *testing.T, f fixture, m *Model, n int) {
	t.Helper()
	ctx := context.Background()
	var batch []store.Message
	names := []string{"王五", "alice", "Bob", "", "李四", "zed"}
	for i := range n {
		msg := store.Message{UID: store.UID(100 + i), MsgID: fmt.Sprintf("big%d@x", i),
			From:    store.Address{Name: names[i%len(names)], Addr: fmt.Sprintf("u%d@example.com", i%7)},
			Subject: fmt.Sprintf("主题 %03d", (i*37)%n), Date: now.Add(-time.Duration(i+10) * time.Hour), Flags: store.FlagSeen}
		if i%3 != 0 { // threads of three, spread over the folder's dates
			msg.InReplyTo = fmt.Sprintf("big%d@x", i-1)
		}
		batch = append(batch, msg)
	}
	must(t, f.st.PutHeaders(ctx, f.project, batch))
	fo, err := f.st.Folder(ctx, f.project)
	must(t, err)
	send(t, m, sidebar.SelectedMsg{Entry: sidebar.Entry{Kind: sidebar.KindFolder, Account: "work", Folder: fo}})
}

// loadAll pages to the end of the list.
func loadAll(t *testing.T, m *Model) {
	t.Helper()
	for range 50 {
		press(t, m, "G")
	}
	if m.list.Loading() {
		t.Fatal("still loading")
	}
}

func senderKey(r store.Message) string {
	if r.From.Name != "" {
		return store.NewSortKeyer().Key(r.From.Name)
	}
	return store.NewSortKeyer().Key(r.From.Addr)
}

func subjectKey(r store.Message) string { return store.NewSortKeyer().Key(r.Subject) }

// TestSortBySenderAndSubjectPagesFromTheStore: each order reads one page
// from the store, pages on in that order, and the title names it.
func TestSortBySenderAndSubjectPagesFromTheStore(t *testing.T) {
	f := newFixture(t)
	m := newTestModel(t, f, i18n.EN, 120, 40)
	bigFolder(t, f, m, 450)
	cases := []struct {
		pick  int
		title string
		key   func(store.Message) string
		desc  bool
	}{
		{2, "sender: A to Z", senderKey, false},
		{3, "sender: Z to A", senderKey, true},
		{4, "subject: A to Z", subjectKey, false},
		{5, "subject: Z to A", subjectKey, true},
		{1, "date: oldest first", func(store.Message) string { return "" }, false},
	}
	for _, c := range cases {
		sortBy(t, m, c.pick)
		if got := len(m.list.Rows()); got != firstPageSize {
			t.Fatalf("%s: the first read holds %d rows, want a first page", c.title, got)
		}
		if !strings.Contains(screen(m), c.title) {
			t.Errorf("the title does not say %q:\n%s", c.title, screen(m))
		}
		checkFrame(t, screen(m), 120, 40)
		loadAll(t, m)
		rows := m.list.Rows()
		if len(rows) != 453 { // 450 and the fixture's thread of three
			t.Fatalf("%s: %d rows after paging to the end", c.title, len(rows))
		}
		want := slices.Clone(rows)
		slices.SortStableFunc(want, func(a, b store.Message) int {
			ca := store.SortCursor{Key: c.key(a), Date: a.Cursor().Date, ID: a.ID}
			cb := store.SortCursor{Key: c.key(b), Date: b.Cursor().Date, ID: b.ID}
			if ca.Less(cb, c.desc) {
				return -1
			}
			return 1
		})
		if !slices.Equal(ids(rows), ids(want)) {
			t.Errorf("%s: rows out of order", c.title)
		}
	}
	sortBy(t, m, 0)
	if strings.Contains(screen(m), "oldest") || m.order != newestFirst() {
		t.Error("newest first is not back")
	}
}

func ids(rows []store.Message) []store.MessageID {
	out := make([]store.MessageID, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

func TestSortOldestFirst(t *testing.T) {
	f := newFixture(t)
	m := newTestModel(t, f, i18n.EN, 120, 40)
	newest := m.list.Rows()
	if len(newest) < 2 {
		t.Fatalf("fixture lists %d rows", len(newest))
	}
	sortBy(t, m, 1)
	oldest := m.list.Rows()
	if len(oldest) != len(newest) {
		t.Fatalf("%d rows oldest first, %d newest first", len(oldest), len(newest))
	}
	for i := range newest {
		if newest[i].ID != oldest[len(oldest)-1-i].ID {
			t.Fatalf("oldest first is not newest first reversed")
		}
	}
	if !strings.Contains(m.View().Content, "oldest first") {
		t.Error("the title does not say the order")
	}
	sortBy(t, m, 0)
	if m.list.Rows()[0].ID != newest[0].ID {
		t.Error("newest first is not restored")
	}
}

// TestThreadViewCoversTheWholeFolder: the thread view lists the folder's
// threads from the store, with each thread's full size even when its
// messages lie pages apart; Enter expands a thread, Esc collapses it.
func TestThreadViewCoversTheWholeFolder(t *testing.T) {
	f := newFixture(t)
	m := newTestModel(t, f, i18n.ZH, 80, 24)
	bigFolder(t, f, m, 900)
	press(t, m, "t")
	if !m.list.Threaded() || len(m.list.Rows()) != firstPageSize {
		t.Fatalf("thread view: %d rows", len(m.list.Rows()))
	}
	loadAll(t, m)
	if got := len(m.list.Rows()); got != 301 { // 300 threads of three, and the fixture's
		t.Fatalf("%d threads, want 301", got)
	}
	press(t, m, "g")
	head, _ := m.list.Selected()
	if !strings.Contains(screen(m), "[+3] ") {
		t.Fatalf("no thread count shown:\n%s", screen(m))
	}
	press(t, m, "enter")
	if !m.list.Expanded(head.Thread) || m.list.Len() != 301+3 {
		t.Fatalf("enter did not expand the thread (%d lines)", m.list.Len())
	}
	s := screen(m)
	checkFrame(t, s, 80, 24)
	if !strings.Contains(s, "[-3] ") {
		t.Errorf("an expanded thread is not marked:\n%s", s)
	}
	press(t, m, "down")
	first, _ := m.list.Selected()
	if first.Thread != head.Thread || first.ID == head.ID {
		t.Fatalf("the line under the thread is %d, not its message", first.ID)
	}
	press(t, m, "enter")
	if m.focus != paneReader || m.reader.Message().ID != first.ID {
		t.Fatal("enter on a thread's message does not open it")
	}
	press(t, m, "esc", "esc")
	if m.list.Expanded(head.Thread) || m.focus != paneList {
		t.Fatal("esc on a thread's message does not collapse the thread")
	}
	if sel, _ := m.list.Selected(); sel.ID != head.ID {
		t.Fatal("the cursor did not go back to the thread")
	}
	press(t, m, "z")
	if !m.list.Expanded(head.Thread) {
		t.Fatal("z does not expand")
	}
	press(t, m, "z")
	if m.list.Expanded(head.Thread) {
		t.Fatal("z does not collapse")
	}
	press(t, m, "t")
	if m.list.Threaded() || len(m.list.Rows()) != firstPageSize {
		t.Fatalf("thread view off: %d rows", len(m.list.Rows()))
	}
}

// TestSearchResultsFollowTheOrder: search results (read whole, not paged)
// are sorted in memory by the list's order.
func TestSearchResultsFollowTheOrder(t *testing.T) {
	f := newFixture(t)
	m := newTestModel(t, f, i18n.EN, 120, 40)
	press(t, m, "/")
	typeText(t, m, "is:unread")
	press(t, m, "enter")
	if m.list.Len() < 3 {
		t.Fatalf("the search found %d rows", m.list.Len())
	}
	sortBy(t, m, 3) // sender, Z to A
	rows := m.list.Rows()
	for i := 1; i < len(rows); i++ {
		if senderKey(rows[i-1]) < senderKey(rows[i]) {
			t.Fatalf("row %d (%q) comes after %q", i, senderKey(rows[i]), senderKey(rows[i-1]))
		}
	}
	if m.entry.Kind != sidebar.KindSearch || !strings.Contains(screen(m), "sender: Z to A") {
		t.Fatal("the search is no longer shown, or the order not named")
	}
}
