package calendar

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/magpie-mail/magpie/store"
)

// Offline writes are stored first and sent by the next flush; a conflict
// copy is settled by keeping mine or theirs.
func TestQueuedWritesAndResolve(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t, "radicale")
	ctx := context.Background()
	a := f.col.URL + "a.ics"
	f.other.do("PUT", a, event("a", "周会", "20260302T100000"))
	cal := f.sync(t, false).Calendar

	// Offline: the client points at a closed port.
	online := f.s.Client
	f.s.Client = NewClient(ClientOptions{})
	off := *f.s
	base, err := f.s.Store.CalObjectByUID(ctx, cal.ID, "a")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://127.0.0.1:1/"
	if err := off.Save(ctx, cal, strings.Replace(a, f.col.URL, deadURL, 1), store.CalObject{}, event("x", "x", "20260302T100000")); !errors.Is(err, ErrQueued) {
		t.Fatalf("offline save: %v, want ErrQueued", err)
	}
	// Drop that one (it targets a dead server) and queue real ones.
	q, _ := f.s.Store.CalObjectsIn(ctx, cal.ID, store.CalPending)
	for _, o := range q {
		_ = f.s.Store.DeleteCalObject(ctx, o.ID)
	}
	f.s.Client = NewClient(ClientOptions{Username: "nobody", Password: "x"})
	_ = f.s.Save(ctx, cal, a, base, event("a", "周会 offline", "20260302T100000"))
	_ = f.s.Save(ctx, cal, HrefFor(cal, "n1"), store.CalObject{}, event("n1", "新建 offline", "20260304T100000"))
	if q, _ := f.s.Store.CalObjectsIn(ctx, cal.ID, store.CalPending); len(q) != 2 {
		t.Fatalf("queued: %d, want 2", len(q))
	}
	if got := f.summaries(t, cal.ID); !strings.Contains(strings.Join(got, "|"), "新建 offline") {
		t.Fatalf("a queued event is in the cache: %q", got)
	}

	// Online again: the sync flushes first.
	f.s.Client = online
	f.sync(t, false)
	if _, err := f.s.Flush(ctx, cal); err != nil {
		t.Fatal(err)
	}
	if q, _ := f.s.Store.CalObjectsIn(ctx, cal.ID, store.CalPending, store.CalPendingDelete); len(q) != 0 {
		t.Fatalf("still queued after flush: %d", len(q))
	}
	res := f.sync(t, false)
	if got := strings.Join(f.summaries(t, res.Calendar.ID), "|"); got != "周会 offline|新建 offline" {
		t.Fatalf("after flush and sync: %q", got)
	}

	// A conflict, then keep mine.
	base, _ = f.s.Store.CalObjectByUID(ctx, cal.ID, "a")
	f.other.do("PUT", a, event("a", "theirs", "20260302T100000"))
	var ce *ConflictError
	if err := f.s.Save(ctx, cal, a, base, event("a", "mine", "20260302T100000")); !errors.As(err, &ce) {
		t.Fatalf("stale save: %v, want a conflict", err)
	}
	cp, err := f.s.Store.CalObject(ctx, ce.Copy)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.Resolve(ctx, cal, cp, true); err != nil {
		t.Fatalf("keep mine: %v", err)
	}
	f.sync(t, false)
	if got := strings.Join(f.summaries(t, cal.ID), "|"); got != "mine|新建 offline" {
		t.Fatalf("after keep mine: %q", got)
	}

	// Another conflict, then keep theirs; then delete offline-first.
	base, _ = f.s.Store.CalObjectByUID(ctx, cal.ID, "a")
	f.other.do("PUT", a, event("a", "theirs 2", "20260302T100000"))
	if err := f.s.Save(ctx, cal, a, base, event("a", "mine 2", "20260302T100000")); !errors.As(err, &ce) {
		t.Fatalf("stale save: %v", err)
	}
	cp, _ = f.s.Store.CalObject(ctx, ce.Copy)
	if err := f.s.Resolve(ctx, cal, cp, false); err != nil {
		t.Fatalf("keep theirs: %v", err)
	}
	n1, _ := f.s.Store.CalObjectByUID(ctx, cal.ID, "n1")
	if err := f.s.Delete(ctx, cal, n1); err != nil {
		t.Fatalf("delete: %v", err)
	}
	f.sync(t, false)
	if got := strings.Join(f.summaries(t, cal.ID), "|"); got != "theirs 2" {
		t.Fatalf("after keep theirs and delete: %q", got)
	}
}
