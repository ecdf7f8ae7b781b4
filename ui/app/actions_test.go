package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/sidebar"
	"github.com/magpie-mail/magpie/ui/i18n"
)

func msgOf(t *testing.T, f fixture, name string) store.Message {
	t.Helper()
	m, err := f.st.Message(context.Background(), f.ids[name])
	must(t, err)
	return m
}

// openWorkInbox shows work's Inbox (newest first: move, report, hostile, nobody).
func openWorkInbox(t *testing.T, m *Model, f fixture) {
	t.Helper()
	fo, err := f.st.Folder(context.Background(), f.inbox)
	must(t, err)
	send(t, m, sidebar.SelectedMsg{Entry: sidebar.Entry{Kind: sidebar.KindFolder, Account: "work", Folder: fo}})
}

func TestFlagAndReadGoThroughTheQueue(t *testing.T) {
	f := newFixture(t)
	m := newTestModel(t, f, i18n.EN, 80, 24)
	openWorkInbox(t, m, f)
	press(t, m, "F") // flag "move"
	if got := msgOf(t, f, "move"); !got.Flags.Has(store.FlagFlagged) {
		t.Fatalf("flag not applied in the store: %v", got.Flags)
	}
	if sel, _ := m.list.Selected(); !sel.Flags.Has(store.FlagFlagged) {
		t.Error("the list does not show the flag at once")
	}
	press(t, m, "enter") // opening marks read
	if got := msgOf(t, f, "move"); !got.Flags.Has(store.FlagSeen) {
		t.Fatal("opening did not mark read")
	}
	press(t, m, "u") // in the reader: mark unread again
	if got := msgOf(t, f, "move"); got.Flags.Has(store.FlagSeen) {
		t.Fatal("u did not mark unread")
	}
	ops := pendingOps(t, f, f.inbox)
	if len(ops) != 3 {
		t.Errorf("queued %d ops, want 3 (flag, seen, unseen)", len(ops))
	}
}

func pendingOps(t *testing.T, f fixture, folder store.FolderID) []store.Op {
	t.Helper()
	ops, err := f.st.PendingOps(context.Background(), f.work)
	must(t, err)
	var out []store.Op
	for _, o := range ops {
		if o.Folder == folder {
			out = append(out, o)
		}
	}
	return out
}

func TestDeleteMovesToTrashAndExpungeAsks(t *testing.T) {
	f := newFixture(t)
	m := newTestModel(t, f, i18n.EN, 80, 24)
	openWorkInbox(t, m, f)
	press(t, m, "d")
	if got := msgOf(t, f, "move"); got.Folder != f.trash {
		t.Fatalf("deleted message is in folder %d, want Trash %d", got.Folder, f.trash)
	}
	if sel, _ := m.list.Selected(); sel.ID == f.ids["move"] {
		t.Fatal("deleted message still listed")
	}
	// Permanent delete asks; a stray key does not confirm, n cancels.
	press(t, m, "D", "x")
	if m.modal != modalConfirm {
		t.Fatal("D did not ask")
	}
	press(t, m, "n")
	if _, err := f.st.Message(context.Background(), f.ids["report"]); err != nil {
		t.Fatalf("cancelled delete removed the message: %v", err)
	}
	press(t, m, "D", "y")
	if _, err := f.st.Message(context.Background(), f.ids["report"]); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("confirmed delete kept the message: %v", err)
	}
}

func TestArchiveAndMoveWithPicker(t *testing.T) {
	f := newFixture(t)
	m := newTestModel(t, f, i18n.ZH, 80, 24)
	openWorkInbox(t, m, f)
	press(t, m, "a")
	if got := msgOf(t, f, "move"); got.Folder != f.archive {
		t.Fatalf("archived message in folder %d, want %d", got.Folder, f.archive)
	}
	press(t, m, "m", "项", "目", "enter") // filter the picker by typing
	if got := msgOf(t, f, "report"); got.Folder != f.project {
		t.Fatalf("moved message in folder %d, want 项目 %d", got.Folder, f.project)
	}
	press(t, m, "C", "esc")
	if m.modal != modalNone {
		t.Fatal("esc did not close the picker")
	}
}

func TestArchiveWithoutArchiveFolderSaysSo(t *testing.T) {
	f := newFixture(t)
	m := newTestModel(t, f, i18n.EN, 80, 24)
	// The unified Inbox starts on "home"'s message; home has no Archive.
	press(t, m, "a")
	if !strings.Contains(m.status.Error(), "no Archive") {
		t.Fatalf("status = %q", m.status.Error())
	}
}

func TestSaveAttachmentNeverOverwritesSilently(t *testing.T) {
	f := newFixture(t)
	m := newTestModel(t, f, i18n.EN, 80, 24)
	openWorkInbox(t, m, f)
	dir := t.TempDir()
	press(t, m, "enter", "s")
	if m.modal != modalDirs {
		t.Fatal("s did not ask for a folder")
	}
	press(t, m, "ctrl+u")
	for _, r := range dir {
		press(t, m, string(r))
	}
	press(t, m, "enter")
	path := filepath.Join(dir, "报告.pdf")
	data, err := os.ReadFile(path)
	must(t, err)
	if string(data) != "%PDF-1.4 fake report" {
		t.Fatalf("saved %q", data)
	}
	must(t, os.WriteFile(path, []byte("mine"), 0o600))
	press(t, m, "s", "ctrl+u")
	for _, r := range dir {
		press(t, m, string(r))
	}
	press(t, m, "enter")
	if m.modal != modalConfirm {
		t.Fatal("an existing file was not asked about")
	}
	press(t, m, "n")
	if data, _ := os.ReadFile(path); string(data) != "mine" {
		t.Fatal("file replaced although the user said no")
	}
}

func TestHostileMailRendersSafely(t *testing.T) {
	for _, lang := range langs {
		for _, sz := range sizes {
			f := newFixture(t)
			m := newTestModel(t, f, lang, sz.w, sz.h)
			openWorkInbox(t, m, f)
			checkFrame(t, screen(m), sz.w, sz.h)
			press(t, m, "down", "down", "enter")
			if m.reader.Message().ID != f.ids["hostile"] {
				t.Fatal("did not open the hostile message")
			}
			s := screen(m)
			checkFrame(t, s, sz.w, sz.h)
			if strings.Contains(s, "..") && strings.Contains(s, "/.bashrc") {
				t.Error("attachment name keeps a path")
			}
			// Save it: the name stays inside the folder.
			dir := t.TempDir()
			press(t, m, "s", "ctrl+u")
			for _, r := range dir {
				press(t, m, string(r))
			}
			press(t, m, "enter")
			entries, err := os.ReadDir(dir)
			must(t, err)
			if len(entries) != 1 || strings.ContainsAny(entries[0].Name(), "/\x1b\u202e") {
				t.Fatalf("saved as %v", entries)
			}
			if _, err := os.Stat(filepath.Join(dir, "..", ".bashrc")); err == nil {
				t.Fatal("attachment escaped its folder")
			}
			if sz.w == 80 && lang == i18n.EN {
				golden(t, "hostile_reader", s)
			}
		}
	}
}

func TestStaleResultsAreDropped(t *testing.T) {
	f := newFixture(t)
	m := newTestModel(t, f, i18n.EN, 80, 24)
	openWorkInbox(t, m, f)
	before := m.list.Len()
	old := m.listGen
	// A page for an older generation must not replace the rows.
	send(t, m, PageLoadedMsg{Gen: old - 1, Rows: nil})
	if m.list.Len() != before {
		t.Fatal("a stale page replaced the list")
	}
	send(t, m, BodyLoadedMsg{Req: m.bodyReq + 100, Message: f.ids["move"]})
	send(t, m, FoldersLoadedMsg{Req: m.foldersReq - 1})
	if len(m.accounts) != 2 {
		t.Fatal("stale folders applied")
	}
}

// TestBigFolderPagesFromTheStore: the list holds only the pages read, and
// paging down asks the store for the next keyset page.
func TestBigFolderPagesFromTheStore(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var batch []store.Message
	for i := range 1000 {
		batch = append(batch, store.Message{UID: store.UID(100 + i), MsgID: fmt.Sprintf("big%d@x", i),
			From: store.Address{Name: "Bulk"}, Subject: fmt.Sprintf("bulk %04d", i), Date: now.Add(-time.Duration(i+10) * time.Hour)})
	}
	must(t, f.st.PutHeaders(ctx, f.project, batch))
	m := newTestModel(t, f, i18n.EN, 80, 24)
	fo, err := f.st.Folder(ctx, f.project)
	must(t, err)
	send(t, m, sidebar.SelectedMsg{Entry: sidebar.Entry{Kind: sidebar.KindFolder, Account: "work", Folder: fo}})
	if got := len(m.list.Rows()); got != firstPageSize {
		t.Fatalf("first read holds %d rows, want a first page (%d)", got, firstPageSize)
	}
	for range 12 {
		press(t, m, "pgdown")
	}
	if got := len(m.list.Rows()); got <= pageSize || got >= 1001 {
		t.Fatalf("after paging the list holds %d rows, want a few pages", got)
	}
	seen := map[store.MessageID]bool{}
	for i, r := range m.list.Rows() {
		if seen[r.ID] {
			t.Fatalf("row %d repeats message %d", i, r.ID)
		}
		seen[r.ID] = true
		if i > 0 && r.SortDate().After(m.list.Rows()[i-1].SortDate()) {
			t.Fatalf("row %d out of order", i)
		}
	}
	checkFrame(t, screen(m), 80, 24)
}

func TestSearchShowsAVirtualFolder(t *testing.T) {
	f := newFixture(t)
	m := newTestModel(t, f, i18n.ZH, 120, 40)
	press(t, m, "/")
	for _, r := range "搬家" {
		press(t, m, string(r))
	}
	press(t, m, "enter")
	if m.entry.Kind != sidebar.KindSearch || m.list.Len() != 1 {
		t.Fatalf("search shows %d rows (entry %v)", m.list.Len(), m.entry.Kind)
	}
	golden(t, "zh-CN_120x40_search", screen(m))
	press(t, m, "/", "ctrl+u", "f", "r", "o", "m", ":", "enter")
	if m.status.Error() == "" {
		t.Fatal("a malformed query is not explained")
	}
}

func TestEventsReachTheStatusBar(t *testing.T) {
	f := newFixture(t)
	var notified []string
	// Events is nil: SyncEventMsg is delivered directly (the re-armed wait
	// on a real channel would block this synchronous driver).
	m := newModel(Deps{Config: config(), Store: f.st, Printer: i18n.New(i18n.EN),
		Notify: func(title, body string) { notified = append(notified, title+": "+body) }}, clock, time.UTC)
	send(t, m, SyncEventMsg{Event: mailsync.Online{Account: "work", Online: false}})
	send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if !strings.Contains(screen(m), "Offline: work") {
		t.Errorf("offline not shown:\n%s", screen(m))
	}
	send(t, m, SyncEventMsg{Event: mailsync.Online{Account: "work", Online: true}})
	send(t, m, SyncEventMsg{Event: mailsync.NewMail{Account: "work", Folder: "INBOX", Count: 2}})
	if len(notified) != 1 || !strings.Contains(notified[0], "2 new") {
		t.Errorf("notifications: %q", notified)
	}
	send(t, m, SyncEventMsg{Event: mailsync.SyncError{Account: "work", Folder: "INBOX", Err: context.DeadlineExceeded}})
	if !strings.Contains(m.status.Error(), "cannot be reached") {
		t.Errorf("error not worded: %q", m.status.Error())
	}
	checkFrame(t, screen(m), 80, 24)
}

// A body downloaded but not yet indexed is not found; when the engine
// reports indexing, the search on screen is asked again and finds it.
func TestSearchOnScreenSeesLateIndexing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m := newTestModel(t, f, i18n.EN, 120, 40)
	must(t, f.st.PutHeaders(ctx, f.inbox, []store.Message{{UID: 9, MsgID: "late@example.com",
		From: store.Address{Addr: "late@example.com"}, Subject: "late body", Date: now, InternalDate: now}}))
	id, err := f.st.Lookup(ctx, f.inbox, 9)
	must(t, err)
	raw := "From: late@example.com\r\nSubject: late body\r\n\r\n萤火虫 in the body\r\n"
	body, err := store.PrepareBody(id, store.Body{Raw: []byte(raw)})
	must(t, err)
	must(t, f.st.PutRawBodies(ctx, []store.PreparedBody{body}))
	press(t, m, "/")
	for _, r := range "萤火虫" {
		press(t, m, string(r))
	}
	press(t, m, "enter")
	if m.entry.Kind != sidebar.KindSearch || m.list.Len() != 0 {
		t.Fatalf("before indexing the search shows %d rows", m.list.Len())
	}
	// The fixture's rows without a body wait for the index too (their
	// headers); this one waits with its body.
	pending, err := f.st.Unindexed(ctx, f.work, 0, 100)
	must(t, err)
	i := slices.IndexFunc(pending, func(u store.Unindexed) bool { return u.ID == id })
	if i < 0 || pending[i].Hash == (store.Hash{}) {
		t.Fatalf("waiting for the index: %+v", pending)
	}
	must(t, f.st.PutTexts(ctx, []store.BodyText{{ID: id, Hash: pending[i].Hash, Text: "萤火虫 in the body"}}))
	send(t, m, SyncEventMsg{Event: mailsync.Indexed{Account: "work", Count: 1}})
	if m.list.Len() != 1 {
		t.Fatalf("after indexing the search shows %d rows", m.list.Len())
	}
}
