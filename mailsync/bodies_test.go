package mailsync

import (
	"context"
	"testing"
	"time"
)

// TestTinyBodyBudget syncs with a memory budget far below the size of the
// corpus' messages (and its 1–5 MB attachments), over several connections:
// every body must still arrive, byte-exact, with no stall (a writer holding
// an unfinished batch while a fetcher waits for budget would deadlock; the
// deadline turns that into a failure instead of a hang). The unread counts
// of the pass are the store's.
func TestTinyBodyBudget(t *testing.T) {
	f := newFixture(t, 120)
	e := f.engine(Options{Batch: 40})
	e.bodyBudget = 16 << 10
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sum, err := e.SyncOnce(ctx)
	if err != nil || sum.Failed() {
		t.Fatalf("SyncOnce: %v %+v", err, sum)
	}
	f.assertInStep(true)
	acct, err := f.st.Account(ctx, "dove")
	if err != nil {
		t.Fatal(err)
	}
	unread, err := f.st.UnreadCounts(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	folders, err := f.st.Folders(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]int{}
	for _, fo := range folders {
		byName[fo.Name] = unread[fo.ID]
		if fo.Unseen != unread[fo.ID] {
			t.Errorf("%s: folder row says %d unseen, the store counts %d", fo.Name, fo.Unseen, unread[fo.ID])
		}
	}
	bodies := 0
	for _, fs := range sum.Folders {
		bodies += fs.Bodies
		if fs.Unseen != byName[fs.Folder] {
			t.Errorf("%s: summary says %d unseen, the store counts %d", fs.Folder, fs.Unseen, byName[fs.Folder])
		}
	}
	if bodies != 120 || sum.Indexed != 120 {
		t.Errorf("%d bodies stored, %d indexed; want 120 each", bodies, sum.Indexed)
	}
}
