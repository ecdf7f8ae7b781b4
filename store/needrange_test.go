package store

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestNeedBodiesIn: the messages of a UID range lacking their body,
// highest UID first, found through the (folder_id, uid) key, not by
// walking the folder's bodiless messages.
func TestNeedBodiesIn(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(50, 1)))
	must(t, f.s.PutHeaders(ctx, f.archive, genMessages(50, 1)))
	id, err := f.s.Lookup(ctx, f.inbox, 12)
	must(t, err)
	p, err := PrepareBody(id, Body{Raw: []byte("Subject: x\r\n\r\nbody\r\n")})
	must(t, err)
	must(t, f.s.PutRawBodies(ctx, []PreparedBody{p}))
	got, err := f.s.NeedBodiesIn(ctx, f.inbox, 10, 14)
	must(t, err)
	var uids []UID
	for _, n := range got {
		uids = append(uids, n.UID)
		if want, _ := f.s.Lookup(ctx, f.inbox, n.UID); n.ID != want || n.Size <= 0 {
			t.Fatalf("UID %d: %+v, want ID %d and its size", n.UID, n, want)
		}
	}
	if want := []UID{14, 13, 11, 10}; !slices.Equal(uids, want) {
		t.Fatalf("UIDs %v, want %v", uids, want)
	}
	q := plan(t, f.s, `SELECT id, uid, size, sort_date FROM messages
		WHERE folder_id = ? AND uid BETWEEN ? AND ? AND blob_hash IS NULL ORDER BY uid DESC`, f.inbox, 10, 14)
	if !strings.Contains(q, "uid>? AND uid<?") || strings.Contains(q, "TEMP B-TREE") {
		t.Fatalf("plan is not a range of the (folder_id, uid) key:\n%s", q)
	}
}
