package app

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// pagingFolder is a store with one account ("big") whose INBOX holds n
// messages "row 00000" (oldest) … "row n-1" (newest), and a model over it
// sized 120×40 with its start run.
type pagingFolder struct {
	st    *store.Store
	inbox store.FolderID
	m     *Model
	base  time.Time
}

func newPagingFolder(t *testing.T, n int) *pagingFolder {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t) // a store of its own; its accounts are not configured here
	p := &pagingFolder{st: f.st, base: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	acct, err := p.st.Account(ctx, "big")
	must(t, err)
	p.inbox, err = p.st.UpsertFolder(ctx, store.Folder{Account: acct, Name: "INBOX", RawName: "INBOX", Delim: "/", Role: "inbox"})
	must(t, err)
	p.add(t, 0, n)
	cfg := &account.Config{Accounts: []account.Account{{Name: "big", Email: "big@example.com"}}}
	p.m = newModel(Deps{Config: cfg, Store: p.st, Printer: i18n.New(i18n.EN)}, clock, time.UTC)
	run(t, p.m, p.m.Init())
	send(t, p.m, tea.WindowSizeMsg{Width: 120, Height: 40})
	return p
}

// add stores rows lo…hi-1, one a minute.
func (p *pagingFolder) add(t *testing.T, lo, hi int) {
	t.Helper()
	var batch []store.Message
	for i := lo; i < hi; i++ {
		batch = append(batch, store.Message{UID: store.UID(i + 1), MsgID: fmt.Sprintf("r%d@paging", i),
			From: store.Address{Name: "Sender", Addr: "s@example.com"}, Subject: fmt.Sprintf("row %05d", i),
			Date: p.base.Add(time.Duration(i) * time.Minute), Flags: store.FlagSeen})
	}
	must(t, p.st.PutHeaders(context.Background(), p.inbox, batch))
}

var rowNumber = regexp.MustCompile(`row (\d{5})`)

// visible is the row numbers on screen, top to bottom.
func (p *pagingFolder) visible() []int {
	var out []int
	for _, m := range rowNumber.FindAllStringSubmatch(screen(p.m), -1) {
		n, _ := strconv.Atoi(m[1])
		out = append(out, n)
	}
	return out
}

// checkScreen fails unless the screen shows height consecutive rows,
// newest first, starting at top.
func checkScreen(t *testing.T, got []int, top, height int, when string) {
	t.Helper()
	want := make([]int, height)
	for i := range want {
		want[i] = top - i
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: rows %v, want %v", when, got, want)
	}
}

// TestPageDownShowsPrefetchedRows: every PageDown through a folder of
// several store pages shows the next screen of rows in the Update of the
// key itself (the page it needs was read ahead, while earlier screens
// were shown), down to the oldest row, where PageDown stops and reads
// nothing more.
func TestPageDownShowsPrefetchedRows(t *testing.T) {
	n := 3*pageSize + 17
	p := newPagingFolder(t, n)
	first := p.visible()
	h := len(first)
	if h < 20 {
		t.Fatalf("a screen of %d rows", h)
	}
	checkScreen(t, first, n-1, h, "start")
	// A PageDown moves by a screen less one row: the last row stays on top.
	top := n - 1
	for press := 1; top > h-1; press++ {
		_, cmd := p.m.Update(keyMsg("pgdown"))
		top = max(top-(h-1), h-1)
		// Before the read the key asked for (if any) has run.
		checkScreen(t, p.visible(), top, h, fmt.Sprintf("PageDown %d", press))
		run(t, p.m, cmd)
	}
	if top != h-1 {
		t.Fatalf("stopped at %d", top)
	}
	_, cmd := p.m.Update(keyMsg("pgdown"))
	checkScreen(t, p.visible(), h-1, h, "PageDown at the end")
	if msgs := cmdMsgs(cmd); slices.ContainsFunc(msgs, func(m tea.Msg) bool { _, ok := m.(PageLoadedMsg); return ok }) {
		t.Fatal("PageDown at the end read another page")
	}
}

// TestPageDownAfterNewMail: new mail arriving while the list is still on
// its first store page reloads it with the cursor kept on its message;
// PageDown then shows every older row, and the new ones are at the top.
func TestPageDownAfterNewMail(t *testing.T) {
	n := 2*pageSize + 5
	p := newPagingFolder(t, n)
	h := len(p.visible())
	press(t, p.m, "down", "down", "down", "down", "down")
	if len(p.m.list.Rows()) != firstPageSize {
		t.Fatalf("%d rows read, want the first page only", len(p.m.list.Rows()))
	}
	sel, _ := p.m.list.Selected()
	p.add(t, n, n+3)
	send(t, p.m, SyncEventMsg{Event: mailsync.NewMail{Account: "big", Folder: "INBOX", Count: 3}})
	if now, _ := p.m.list.Selected(); now.Subject != sel.Subject {
		t.Fatalf("the cursor moved from %q to %q", sel.Subject, now.Subject)
	}
	seen := map[int]int{}
	for _, r := range p.visible() {
		seen[r]++
	}
	for range n {
		send(t, p.m, keyMsg("pgdown"))
		rows := p.visible()
		if len(rows) != h || rows[0]-rows[h-1] != h-1 {
			t.Fatalf("a screen of rows %v", rows)
		}
		for _, r := range rows {
			seen[r]++
		}
		if rows[h-1] == 0 {
			break
		}
	}
	send(t, p.m, keyMsg("g"))
	checkScreen(t, p.visible(), n+2, h, "back at the top")
	// The screens from the cursor down, after the new mail, cover every
	// older row.
	for r := range sel.UID - 1 {
		if seen[int(r)] == 0 {
			t.Fatalf("row %d never shown", r)
		}
	}
}

// TestStalePrefetchDropped: a page read ahead for a list that was
// reloaded since (here: sorted another way) is dropped when it comes.
func TestStalePrefetchDropped(t *testing.T) {
	n := 2*pageSize + 5
	p := newPagingFolder(t, n)
	var ahead tea.Cmd
	for range 20 {
		if _, cmd := p.m.Update(keyMsg("pgdown")); cmd != nil {
			// The list asks for more; the app's answer is the read.
			for _, msg := range cmdMsgs(cmd) {
				_, ahead = p.m.Update(msg)
			}
			break
		}
	}
	if ahead == nil {
		t.Fatal("PageDown never read ahead")
	}
	stale := cmdMsgs(ahead)
	if len(stale) != 1 {
		t.Fatalf("the read ahead brought %d messages", len(stale))
	}
	if pm, ok := stale[0].(PageLoadedMsg); !ok || !pm.Append || len(pm.Rows) == 0 {
		t.Fatalf("the read ahead brought %#v", stale[0])
	}
	press(t, p.m, "S", "down", "enter") // oldest first: the list is read again
	before := p.m.list.Rows()
	if len(before) == 0 || before[0].Subject != "row 00000" {
		t.Fatalf("the list was not read again oldest first: %d rows", len(before))
	}
	for _, msg := range stale {
		send(t, p.m, msg)
	}
	if got := p.m.list.Rows(); !slices.EqualFunc(got, before, func(a, b store.Message) bool { return a.ID == b.ID }) {
		t.Fatalf("a stale page was added: %d rows, had %d", len(got), len(before))
	}
}
