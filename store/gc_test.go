package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestGCLooksAtCandidates: GC's blob sweep reads only the blobs that lost
// a reference since the last GC (a no-op sync pass does not walk the
// store), and still finds every blob that lost its last one: a deleted
// message, a message relinked to another body, a dropped stash.
func TestGCLooksAtCandidates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := plan(t, f.s, gcBlobsSQL)
	if strings.Contains(p, "SCAN blobs") || strings.Contains(p, "SCAN messages") || strings.Contains(p, "SCAN ops") ||
		strings.Contains(p, "SCAN detached") {
		t.Fatalf("GC's sweep scans a table:\n%s", p)
	}
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(3, 1)))
	ids := make([]MessageID, 3)
	for i := range ids {
		var err error
		ids[i], err = f.s.Lookup(ctx, f.inbox, UID(i+1))
		must(t, err)
		must(t, f.s.PutBody(ctx, ids[i], Body{Raw: []byte("Subject: " + string(rune('a'+i)) + "\r\n\r\nbody\r\n")}))
	}
	gc := func(olderThan time.Time) GCStats {
		t.Helper()
		st, err := f.s.GC(ctx, olderThan)
		must(t, err)
		if n := count(t, f.s, `SELECT count(*) FROM blob_gc`); n != 0 {
			t.Fatalf("%d candidates left after GC", n)
		}
		return st
	}
	if st := gc(time.Now()); st.Blobs != 0 {
		t.Fatalf("GC of a store where every blob is in use = %+v", st)
	}
	// Nothing changed: nothing to look at.
	if n := count(t, f.s, `SELECT count(*) FROM blob_gc`); n != 0 {
		t.Fatalf("%d candidates without a change", n)
	}
	// Message 0 relinked to another body: its old blob goes.
	must(t, f.s.PutBody(ctx, ids[0], Body{Raw: []byte("Subject: new\r\n\r\nother body\r\n")}))
	if st := gc(time.Now()); st.Blobs != 1 {
		t.Errorf("GC after a relink = %+v, want one blob", st)
	}
	// Message 1 deleted: stashed, so its blob stays until the stash is dropped.
	must(t, f.s.DeleteUIDs(ctx, f.inbox, []UID{2}))
	if st := gc(time.Now().Add(-time.Hour)); st.Blobs != 0 {
		t.Errorf("GC removed a stashed body's blob: %+v", st)
	}
	if st := gc(time.Now().Add(time.Hour)); st.Blobs != 1 || st.Detached != 1 {
		t.Errorf("GC after the stash expired = %+v, want one stash and one blob", st)
	}
	if n := count(t, f.s, `SELECT count(*) FROM blobs`); n != 2 {
		t.Errorf("%d blobs left, want 2 (messages 0 and 2)", n)
	}
}
