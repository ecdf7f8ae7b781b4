package mailsync

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/magpie-mail/magpie/store"
)

// TestWholeFetchEqualsHeaderFetch syncs the same mailbox twice into empty
// stores: once with a header FETCH for every message (then its body), once
// with headers first for the newest few only and every other message
// fetched whole (header fields taken from the raw bytes). The stores must
// hold the same rows (every header field, flags, dates, sizes, threads,
// synthetic Message-IDs of mail without one) and byte-exact bodies.
func TestWholeFetchEqualsHeaderFetch(t *testing.T) {
	f := newFixture(t, 400)
	byHeaders := f.syncInto(t, filepath.Join(t.TempDir(), "headers.db"), Options{Batch: 50, HeadersFirst: -1})
	whole := f.syncInto(t, filepath.Join(t.TempDir(), "whole.db"), Options{Batch: 50, HeadersFirst: 3})
	a, b := dumpStore(t, byHeaders, f.acct.Name), dumpStore(t, whole, f.acct.Name)
	if len(a) != len(b) || len(a) < 400 {
		t.Fatalf("header path stored %d messages, whole path %d", len(a), len(b))
	}
	for k, ma := range a {
		mb, ok := b[k]
		if !ok {
			t.Errorf("%s: missing from the whole-fetch store", k)
			continue
		}
		if ma.row != mb.row {
			t.Errorf("%s differs:\nheaders %s\nwhole   %s", k, ma.row, mb.row)
		}
		if !bytes.Equal(ma.raw, mb.raw) {
			t.Errorf("%s: raw bytes differ", k)
		}
		if ma.thread != mb.thread {
			t.Errorf("%s: thread of %s by headers, of %s whole", k, ma.thread, mb.thread)
		}
	}
	f.assertInStep(true) // f.st is the whole-fetch default path: see syncInto
}

// syncInto runs one cold SyncOnce into a new store at path and returns the
// store (closed at cleanup). The fixture's own store gets a default sync
// too, for assertInStep.
func (f *fixture) syncInto(t *testing.T, path string, opts Options) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sum, err := New(f.acct, f.dialer, st, opts).SyncOnce(context.Background())
	if err != nil || sum.Failed() {
		t.Fatalf("SyncOnce: %v %+v", err, sum)
	}
	if opts.HeadersFirst > 0 {
		f.syncOnce(opts)
	}
	return st
}

type dumped struct {
	row    string
	raw    []byte
	thread string
}

// dumpStore reads every message of an account, keyed by folder and UID,
// with its thread named by its least member's key (IDs differ between
// stores).
func dumpStore(t *testing.T, st *store.Store, account string) map[string]dumped {
	t.Helper()
	ctx := context.Background()
	acct, err := st.Account(ctx, account)
	if err != nil {
		t.Fatal(err)
	}
	folders, err := st.Folders(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]dumped{}
	threadOf := map[string]store.ThreadID{}
	names := map[store.ThreadID]string{}
	for _, fo := range folders {
		msgs, err := st.Page(ctx, fo.ID, store.PageRequest{Limit: 1 << 20, Oldest: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			key := fmt.Sprintf("%s/%d", fo.RawName, m.UID)
			raw, err := st.Raw(ctx, m.ID)
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			if n, ok := names[m.Thread]; !ok || key < n {
				names[m.Thread] = key
			}
			threadOf[key] = m.Thread
			m.ID, m.Thread, m.Account, m.Folder = 0, 0, 0, 0
			out[key] = dumped{row: fmt.Sprintf("%+v", m), raw: raw}
		}
	}
	for key, d := range out {
		d.thread = names[threadOf[key]]
		out[key] = d
	}
	return out
}
