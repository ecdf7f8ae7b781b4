package mailsync

import (
	"context"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

// TestTinyBodyBudget syncs with a memory budget far below the size of the
// corpus' messages (and its 1–5 MB attachments), over several connections,
// the bodies streamed with each folder's header batches: every body must
// still arrive, byte-exact, with no stall (a writer holding an unfinished
// batch while a fetcher waits for budget would deadlock; the deadline
// turns that into a failure instead of a hang). The unread counts of the
// pass are the store's.
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

// TestBodiesPagedAfterHeaders: bodies a store lacks from an earlier pass
// (headers only here) are listed from the store a page at a time (pages
// of 7) and fetched with a tiny budget, not streamed: every one arrives,
// byte-exact.
func TestBodiesPagedAfterHeaders(t *testing.T) {
	f := newFixture(t, 60)
	f.syncOnce(Options{Batch: 40, Bodies: account.BodyPolicy{Mode: account.BodiesNone}})
	e := f.engine(Options{Batch: 40})
	e.bodyBudget = 16 << 10
	e.needPage = 7 // the missing bodies read a few at a time
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sum, err := e.SyncOnce(ctx)
	if err != nil || sum.Failed() {
		t.Fatalf("SyncOnce: %v %+v", err, sum)
	}
	f.assertInStep(true)
	bodies := 0
	for _, fs := range sum.Folders {
		bodies += fs.Bodies
	}
	if bodies != 60 {
		t.Errorf("%d bodies stored, want 60", bodies)
	}
}

// A body is taken from the budget before it is read, by the literal's
// announced size: a fetcher that finds the budget spent waits without
// reading the body into memory (before, it read the body and then waited,
// so every connection could hold a large attachment beyond the budget),
// and goes on once the budget is given back.
func TestBodyBudgetTakenBeforeReading(t *testing.T) {
	f := newFixture(t, 0)
	const size = 4 << 20
	raw := []byte("From: a@example.com\r\nTo: b@example.com\r\nSubject: big\r\nMessage-ID: <big@example.com>\r\n\r\n" +
		strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/\r\n", size/66))
	c := f.client()
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	closeClient(c)
	f.syncOnce(Options{Bodies: account.BodyPolicy{Mode: account.BodiesNone}}) // the header row

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e := f.engine(Options{})
	var inbox store.Folder
	for _, fo := range f.storeFolders() {
		if fo.Name == "INBOX" {
			inbox = fo
		}
	}
	need, err := f.st.NeedBodies(ctx, inbox.ID, 10)
	if err != nil || len(need) != 1 {
		t.Fatalf("need bodies: %v %v", need, err)
	}
	conn := f.client()
	defer closeClient(conn)
	if _, err := conn.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}

	p := e.startBodyPipeline(ctx)
	if err := p.budget.acquire(ctx, int(p.budget.size)); err != nil { // all of it: spent
		t.Fatal(err)
	}
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(sample)
	before := sample[0].Value.Uint64()
	fetched := make(chan error, 1)
	go func() {
		fetched <- p.fetch(conn, inbox, imap.UIDSetNum(imap.UID(need[0].UID)), map[store.UID]store.MessageID{need[0].UID: need[0].ID})
	}()
	for !p.budget.pressed() { // the fetcher waits for budget
		select {
		case err := <-fetched:
			t.Fatalf("fetch returned with the budget spent: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	time.Sleep(200 * time.Millisecond) // a fetcher that reads first would have read the body by now
	metrics.Read(sample)
	if got := sample[0].Value.Uint64() - before; got > size/4 {
		t.Errorf("%d bytes allocated while the fetcher waited for budget: the %d-byte body was read before it was taken", got, len(raw))
	}
	p.budget.release(int(p.budget.size))
	if err := <-fetched; err != nil {
		t.Fatal(err)
	}
	res := p.finish()
	if res.err != nil || res.done[inbox.ID] != 1 {
		t.Fatalf("stored %v, %v; want the body", res.done, res.err)
	}
	f.assertInStep(true)
}
