package store

import (
	"context"
	"strings"
	"testing"
)

// TestPageOldestFirst walks a folder both ways by keyset and checks each
// direction is the other reversed, with no row twice or missing.
func TestPageOldestFirst(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(23, 1)))
	walk := func(oldest bool) []MessageID {
		var ids []MessageID
		var after *Cursor
		for {
			page, err := f.s.Page(ctx, f.inbox, PageRequest{Limit: 5, After: after, Oldest: oldest})
			must(t, err)
			if len(page) == 0 {
				return ids
			}
			for _, m := range page {
				ids = append(ids, m.ID)
			}
			c := page[len(page)-1].Cursor()
			after = &c
		}
	}
	newest, oldest := walk(false), walk(true)
	if len(newest) != 23 || len(oldest) != 23 {
		t.Fatalf("walked %d newest-first and %d oldest-first, want 23", len(newest), len(oldest))
	}
	for i := range newest {
		if newest[i] != oldest[len(oldest)-1-i] {
			t.Fatalf("oldest-first is not newest-first reversed:\n%v\n%v", newest, oldest)
		}
	}
	first, err := f.s.Page(ctx, f.inbox, PageRequest{Limit: 1, Oldest: true})
	must(t, err)
	all, err := f.s.Page(ctx, f.inbox, PageRequest{Limit: 100})
	must(t, err)
	if first[0].ID != all[len(all)-1].ID {
		t.Error("the first oldest-first row is not the last newest-first row")
	}
	if p := plan(t, f.s, `SELECT id FROM messages m INDEXED BY messages_folder_date WHERE m.folder_id = ? AND (m.sort_date, m.id) > (?, ?) ORDER BY m.sort_date ASC, m.id ASC LIMIT 5`, f.inbox, 0, 0); !strings.Contains(p, "messages_folder_date") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("oldest-first keyset page does not use the date index:\n%s", p)
	}
}
