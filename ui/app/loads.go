package app

import (
	"context"
	"errors"
	"slices"
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

// searchLimit bounds the rows of a search (the store's search does not page).
const searchLimit = 500

// FoldersLoadedMsg carries every account's folders and unread counts.
type FoldersLoadedMsg struct {
	Req      uint64
	Accounts []sidebar.Account
	IDs      []store.AccountID // parallel to Accounts
	Err      error
}

// PageLoadedMsg carries a page of the list's source. Gen is the list
// generation it was asked for; Append is false for a first page.
type PageLoadedMsg struct {
	Gen    uint64
	Append bool
	Rows   []store.Message
	More   bool
	Err    error
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

// source is what the list shows, resolved to folders: one folder, the
// inboxes of every account (unified), or a search.
type source struct {
	folders []store.FolderID
	search  *store.Query
	oldest  bool // oldest first
}

// loadFoldersCmd reads every configured account's folders and unread counts.
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
			un, err := st.UnreadCounts(ctx, id)
			if err != nil {
				out.Err = err
				return out
			}
			out.Accounts = append(out.Accounts, sidebar.Account{Name: n, Folders: fs, Unread: un})
			out.IDs = append(out.IDs, id)
		}
		return out
	}
}

// loadPageCmd reads the page of src after `after` (nil: the first page).
// Several folders (the unified Inbox) are merged by keyset: each folder is
// read after the same cursor and the newest pageSize rows are kept, which is
// exactly the next page of their union.
func loadPageCmd(ctx context.Context, st *store.Store, gen uint64, src source, after *store.Cursor) tea.Cmd {
	src.folders = append([]store.FolderID(nil), src.folders...)
	if after != nil {
		c := *after
		after = &c
	}
	return func() tea.Msg {
		out := PageLoadedMsg{Gen: gen, Append: after != nil}
		if src.search != nil {
			if after != nil {
				return out
			}
			rows, err := st.Search(ctx, store.SearchRequest{Query: *src.search, Limit: searchLimit})
			if src.oldest {
				slices.Reverse(rows)
			}
			out.Rows, out.Err = rows, err
			return out
		}
		var all []store.Message
		for _, f := range src.folders {
			rows, err := st.Page(ctx, f, store.PageRequest{Limit: pageSize + 1, After: after, Oldest: src.oldest})
			if err != nil {
				out.Err = err
				return out
			}
			all = append(all, rows...)
		}
		if len(src.folders) > 1 {
			sort.Slice(all, func(i, j int) bool {
				a, b := all[i].Cursor(), all[j].Cursor()
				if src.oldest {
					a, b = b, a
				}
				return a.Date > b.Date || a.Date == b.Date && a.ID > b.ID
			})
		}
		if len(all) > pageSize {
			out.Rows, out.More = all[:pageSize], true
		} else {
			out.Rows = all
		}
		return out
	}
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
