package app

import (
	"context"
	"errors"
	"sort"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/sidebar"
)

// pageSize is how many rows one store read brings: a few screens, so that
// PageDown rarely waits and a 100k folder is never read whole.
const pageSize = 200

// firstPageSize is how many rows a list's first read brings: a tall
// screen's worth and more, half a page: the read the first frame waits
// for costs half as much, and PageDown reads the next page ahead as
// early as ever (msglist asks when two screens are left).
const firstPageSize = 100

// searchLimit bounds the rows of a search shown at once: the newest 500
// (the store stops once it has them; SearchRequest.After could page on).
const searchLimit = 500

// FoldersLoadedMsg carries every account's folders (their unread counts
// follow in an UnreadLoadedMsg of the same Req).
type FoldersLoadedMsg struct {
	Req      uint64
	Accounts []sidebar.Account
	IDs      []store.AccountID // parallel to Accounts
	Err      error
}

// UnreadLoadedMsg carries every account's unread counts, by account name.
type UnreadLoadedMsg struct {
	Req    uint64
	Unread map[string]map[store.FolderID]int
	Err    error
}

// PageLoadedMsg carries a page of the list's source. Gen is the list
// generation it was asked for; Append is false for a first page. In the
// thread view Heads holds the page instead of Rows. Next (NextThread in
// the thread view) is the store's cursor after the page.
type PageLoadedMsg struct {
	Gen        uint64
	Append     bool
	Rows       []store.Message
	Heads      []store.ThreadHead
	Next       store.SortCursor
	NextThread store.ThreadCursor
	More       bool
	Err        error
}

// BodyLoadedMsg carries the parsed body of the message the reader asked for.
type BodyLoadedMsg struct {
	Req     uint64
	Message store.MessageID
	Parsed  *message.Parsed
	NoBody  bool // not downloaded yet
	Err     error
}

// SyncEventMsg carries one event of an engine.
type SyncEventMsg struct{ Event mailsync.Event }

// EventsClosedMsg says the event channel closed (all engines stopped).
type EventsClosedMsg struct{}

// pageCursor is where the list's next page starts: msg in a list of
// messages, thread in the thread view.
type pageCursor struct {
	msg    store.SortCursor
	thread store.ThreadCursor
}

// source is what the list shows, resolved to folders: one folder, the
// inboxes of every account (unified), or a search; in which order, and
// whether as threads.
type source struct {
	folders []store.FolderID
	search  *store.Query
	order   listOrder
	threads bool
}

// loadFoldersCmd reads every configured account's folders. Unread counts
// are read apart (loadUnreadCmd), at the same time: counting a big folder
// takes longer than its first page, which needs only the folders.
func loadFoldersCmd(ctx context.Context, st *store.Store, req uint64, names []string) tea.Cmd {
	names = append([]string(nil), names...)
	return func() tea.Msg {
		out := FoldersLoadedMsg{Req: req}
		for _, n := range names {
			id, err := st.Account(ctx, n)
			if err != nil {
				out.Err = err
				return out
			}
			fs, err := st.Folders(ctx, id)
			if err != nil {
				out.Err = err
				return out
			}
			out.Accounts = append(out.Accounts, sidebar.Account{Name: n, Folders: fs})
			out.IDs = append(out.IDs, id)
		}
		return out
	}
}

// loadUnreadCmd reads every configured account's unread counts.
func loadUnreadCmd(ctx context.Context, st *store.Store, req uint64, names []string) tea.Cmd {
	names = append([]string(nil), names...)
	return func() tea.Msg {
		out := UnreadLoadedMsg{Req: req, Unread: make(map[string]map[store.FolderID]int, len(names))}
		for _, n := range names {
			id, err := st.Account(ctx, n)
			if err != nil {
				out.Err = err
				return out
			}
			un, err := st.UnreadCounts(ctx, id)
			if err != nil {
				out.Err = err
				return out
			}
			out.Unread[n] = un
		}
		return out
	}
}

// loadPageCmd reads the page of src after `after` (nil: the first page).
// Several folders (the unified Inbox) are merged by keyset: each folder is
// read after the same cursor and the first pageSize rows of their union
// are kept, which is exactly the next page of the union.
func loadPageCmd(ctx context.Context, st *store.Store, gen uint64, src source, after *pageCursor) tea.Cmd {
	src.folders = append([]store.FolderID(nil), src.folders...)
	if after != nil {
		c := *after
		after = &c
	}
	return func() tea.Msg {
		out := PageLoadedMsg{Gen: gen, Append: after != nil}
		switch {
		case src.search != nil:
			if after == nil {
				rows, err := st.Search(ctx, store.SearchRequest{Query: *src.search, Limit: searchLimit})
				out.Rows, out.Err = sortFound(rows, src.order), err
			}
		case src.threads:
			var t *store.ThreadCursor
			if after != nil {
				t = &after.thread
			}
			out.Heads, out.NextThread, out.More, out.Err = threadPage(ctx, st, src, t)
		default:
			var m *store.SortCursor
			if after != nil {
				m = &after.msg
			}
			out.Rows, out.Next, out.More, out.Err = sortedPage(ctx, st, src, m)
		}
		return out
	}
}

// sortedPage reads the next page of src's folders in src's order.
func sortedPage(ctx context.Context, st *store.Store, src source, after *store.SortCursor) ([]store.Message, store.SortCursor, bool, error) {
	type row struct {
		m store.Message
		c store.SortCursor
	}
	var all []row
	limit := pageSize
	if after == nil {
		limit = firstPageSize
	}
	req := store.SortedPageRequest{By: src.order.by, Desc: src.order.desc, Limit: limit + 1, After: after}
	for _, f := range src.folders {
		rows, curs, err := st.PageSorted(ctx, f, req)
		if err != nil {
			return nil, store.SortCursor{}, false, err
		}
		for i := range rows {
			all = append(all, row{rows[i], curs[i]})
		}
	}
	if len(src.folders) > 1 {
		sort.Slice(all, func(i, j int) bool { return all[i].c.Less(all[j].c, src.order.desc) })
	}
	more := len(all) > limit
	all = all[:min(len(all), limit)]
	out := make([]store.Message, len(all))
	for i, r := range all {
		out[i] = r.m
	}
	var next store.SortCursor
	if len(all) > 0 {
		next = all[len(all)-1].c
	}
	return out, next, more, nil
}

// threadPage reads the next page of src's folders' threads, the most
// recently active first (least recently, when the list runs oldest first).
func threadPage(ctx context.Context, st *store.Store, src source, after *store.ThreadCursor) ([]store.ThreadHead, store.ThreadCursor, bool, error) {
	oldest := src.order.by == store.SortDate && !src.order.desc
	limit := pageSize
	if after == nil {
		limit = firstPageSize
	}
	req := store.ThreadPageRequest{Limit: limit + 1, Oldest: oldest, After: after}
	var all []store.ThreadHead
	for _, f := range src.folders {
		heads, err := st.ThreadsPage(ctx, f, req)
		if err != nil {
			return nil, store.ThreadCursor{}, false, err
		}
		all = append(all, heads...)
	}
	if len(src.folders) > 1 {
		sort.Slice(all, func(i, j int) bool { return all[i].Cursor().Less(all[j].Cursor(), oldest) })
	}
	more := len(all) > limit
	all = all[:min(len(all), limit)]
	var next store.ThreadCursor
	if len(all) > 0 {
		next = all[len(all)-1].Cursor()
	}
	return all, next, more, nil
}

// sortFound puts search results (newest first from the store, at most
// searchLimit) in the list's order.
func sortFound(rows []store.Message, o listOrder) []store.Message {
	sk := store.NewSortKeyer() // the keys the store's own orders compare
	key := func(m store.Message) string {
		switch o.by {
		case store.SortSender:
			if m.From.Name != "" {
				return sk.Key(m.From.Name)
			}
			return sk.Key(m.From.Addr)
		case store.SortSubject:
			return sk.Key(m.Subject)
		}
		return ""
	}
	curs := make([]store.SortCursor, len(rows))
	for i, r := range rows {
		curs[i] = store.SortCursor{Key: key(r), Date: r.Cursor().Date, ID: r.ID}
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return curs[idx[i]].Less(curs[idx[j]], o.desc) })
	out := make([]store.Message, len(rows))
	for i, k := range idx {
		out[i] = rows[k]
	}
	return out
}

// loadBodyCmd reads and parses a message's raw bytes.
func loadBodyCmd(ctx context.Context, st *store.Store, req uint64, id store.MessageID) tea.Cmd {
	return func() tea.Msg {
		out := BodyLoadedMsg{Req: req, Message: id}
		raw, err := st.Raw(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			out.NoBody = true
			return out
		}
		if err != nil {
			out.Err = err
			return out
		}
		out.Parsed, out.Err = message.Parse(raw)
		return out
	}
}

// waitEventCmd waits for the next engine event; the root re-arms it after
// each one.
func waitEventCmd(ctx context.Context, ch <-chan mailsync.Event) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case ev, ok := <-ch:
			if !ok {
				return EventsClosedMsg{}
			}
			return SyncEventMsg{Event: ev}
		case <-ctx.Done():
			return nil
		}
	}
}
