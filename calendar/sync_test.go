package calendar

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/store"
)

func event(uid, summary, start string) string {
	return ics("BEGIN:VEVENT", "UID:"+uid, "DTSTAMP:20260101T000000Z",
		"DTSTART;TZID=Asia/Shanghai:"+start, "DURATION:PT1H", "SUMMARY:"+summary, "END:VEVENT")
}

// other is "another client" writing straight to the server with plain
// HTTP, as curl would.
type other struct {
	t          *testing.T
	user, pass string
}

func (o other) do(method, u, body string) int {
	o.t.Helper()
	req, err := http.NewRequestWithContext(o.t.Context(), method, u, strings.NewReader(body))
	if err != nil {
		o.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
	}
	if o.user != "" {
		req.SetBasicAuth(o.user, o.pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		o.t.Fatalf("other client: %s %s: %d", method, u, resp.StatusCode)
	}
	return resp.StatusCode
}

type syncFixture struct {
	s     *Syncer
	col   Collection
	other other
	shang *time.Location
}

func newSyncFixture(t *testing.T, server string) syncFixture {
	t.Helper()
	var c *Client
	var colURL string
	var o other
	switch server {
	case "radicale":
		s := testenv.Radicale(t)
		user, pw := s.NewUser(t)
		c = NewClient(ClientOptions{Username: user, Password: pw})
		colURL = s.URL + user + "/cal/"
		o = other{t: t, user: user, pass: pw}
	case "xandikos":
		s := testenv.Xandikos(t)
		c = NewClient(ClientOptions{})
		colURL = s.CalendarHomeURL + fmt.Sprintf("t%d/", time.Now().UnixNano())
		o = other{t: t}
	}
	if err := c.MkCalendar(t.Context(), colURL, "Test", ""); err != nil {
		t.Fatalf("MKCALENDAR: %v", err)
	}
	col, err := c.Collection(t.Context(), colURL)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	acct, err := st.Account(t.Context(), "a")
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	return syncFixture{s: &Syncer{Client: c, Store: st, Account: acct, Loc: sh}, col: col, other: o, shang: sh}
}

// sync re-reads the collection's properties (as discovery would) and syncs.
func (f syncFixture) sync(t *testing.T, forceETags bool) SyncResult {
	t.Helper()
	col, err := f.s.Client.Collection(t.Context(), f.col.URL)
	if err != nil {
		t.Fatal(err)
	}
	if forceETags {
		col.SyncCollection = false
	}
	res, err := f.s.Sync(t.Context(), col)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return res
}

// summaries lists the cached events of March 2026, conflict copies marked.
func (f syncFixture) summaries(t *testing.T, calID store.CalendarID) []string {
	t.Helper()
	objs, err := f.s.Store.CalObjects(t.Context(), []store.CalendarID{calID},
		time.Date(2026, 3, 1, 0, 0, 0, 0, f.shang), time.Date(2026, 4, 1, 0, 0, 0, 0, f.shang))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		_, series, err := Parse(o.Data, f.shang)
		if err != nil {
			t.Fatalf("cached object %s: %v", o.Href, err)
		}
		s := propText(series[0].Master, "SUMMARY")
		if o.State == store.CalConflict {
			s += " (mine)"
		}
		out = append(out, s)
	}
	return out
}

func testSyncCycle(t *testing.T, server string, forceETags bool) {
	f := newSyncFixture(t, server)
	ctx := context.Background()
	a, b := f.col.URL+"a.ics", f.col.URL+"b.ics"
	f.other.do("PUT", a, event("a", "周会", "20260302T100000"))
	f.other.do("PUT", b, event("b", "Lunch", "20260303T120000"))

	res := f.sync(t, forceETags)
	if res.Fetched != 2 || res.Deleted != 0 {
		t.Fatalf("first sync: %+v", res)
	}
	want := SyncCollection
	if forceETags {
		want = SyncETags
	}
	if res.Method != want {
		t.Errorf("method %s, want %s", res.Method, want)
	}
	calID := res.Calendar.ID
	if got := f.summaries(t, calID); strings.Join(got, "|") != "周会|Lunch" {
		t.Fatalf("cached: %q", got)
	}
	if res := f.sync(t, forceETags); res.Method != SyncUnchanged || res.Fetched != 0 {
		t.Errorf("no-op resync: %+v", res)
	}

	// Another client edits a and deletes b: the next sync sees both, and
	// fetches only what changed.
	f.other.do("PUT", a, event("a", "周会（改）", "20260302T100000"))
	f.other.do("DELETE", b, "")
	if res := f.sync(t, forceETags); res.Fetched != 1 || res.Deleted != 1 {
		t.Fatalf("incremental sync: %+v", res)
	}
	if got := f.summaries(t, calID); strings.Join(got, "|") != "周会（改）" {
		t.Fatalf("after edit and delete: %q", got)
	}

	// A conflicting edit: the cached ETag is stale when we write.
	cal := res.Calendar
	obj, err := f.s.Store.CalObjectByUID(ctx, calID, "a")
	if err != nil {
		t.Fatal(err)
	}
	f.other.do("PUT", a, event("a", "周会 by them", "20260302T100000"))
	_, err = f.s.Update(ctx, cal, obj, event("a", "周会 by me", "20260302T110000"))
	var ce *ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, ErrPrecondition) || ce.Copy == 0 {
		t.Fatalf("stale update: %v, want a ConflictError with a copy", err)
	}
	if got := f.summaries(t, calID); strings.Join(got, "|") != "周会 by them|周会 by me (mine)" {
		t.Fatalf("after conflict both versions should show: %q", got)
	}

	// Now with the fresh ETag the update goes through.
	obj, _ = f.s.Store.CalObjectByUID(ctx, calID, "a")
	if _, err := f.s.Update(ctx, cal, obj, event("a", "周会 merged", "20260302T100000")); err != nil {
		t.Fatalf("update with fresh etag: %v", err)
	}
	// A deletion racing an edit keeps the server's newer version.
	obj, _ = f.s.Store.CalObjectByUID(ctx, calID, "a")
	f.other.do("PUT", a, event("a", "周会 v3", "20260302T100000"))
	if err := f.s.Remove(ctx, cal, obj); !errors.As(err, &ce) {
		t.Fatalf("stale delete: %v, want a conflict", err)
	}
	if got := f.summaries(t, calID); !strings.Contains(strings.Join(got, "|"), "周会 v3") {
		t.Fatalf("after delete conflict: %q", got)
	}

	// Create, then a second create of the same UID must not overwrite.
	created, err := f.s.Create(ctx, cal, "new-1", event("new-1", "新建", "20260310T090000"))
	if err != nil || created.ETag == "" {
		t.Fatalf("create: %+v %v", created, err)
	}
	if _, err := f.s.Create(ctx, cal, "new-1", event("new-1", "again", "20260310T090000")); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("create over an existing object: %v, want ErrPrecondition", err)
	}
	if err := f.s.Remove(ctx, cal, created); err != nil {
		t.Fatalf("remove: %v", err)
	}
	// The next sync agrees with what our own writes left in the cache.
	f.sync(t, forceETags)
	if got := f.summaries(t, calID); strings.Join(got, "|") != "周会 v3|周会 by me (mine)" {
		t.Errorf("after resync: %q", got)
	}
}

func TestSyncRadicale(t *testing.T) {
	t.Parallel()
	testSyncCycle(t, "radicale", false)
}

func TestSyncRadicaleETags(t *testing.T) {
	t.Parallel()
	testSyncCycle(t, "radicale", true)
}

func TestSyncXandikos(t *testing.T) {
	t.Parallel()
	testSyncCycle(t, "xandikos", false)
}

// TestSyncWithoutCTag: against a server that offers no getctag the
// sync-collection REPORT from the stored token is the "nothing changed"
// check: an empty report, nothing fetched; a change is then seen.
func TestSyncWithoutCTag(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t, "radicale")
	sync := func() SyncResult {
		col, err := f.s.Client.Collection(t.Context(), f.col.URL)
		if err != nil {
			t.Fatal(err)
		}
		col.CTag = ""
		res, err := f.s.Sync(t.Context(), col)
		if err != nil {
			t.Fatalf("sync: %v", err)
		}
		return res
	}
	f.other.do("PUT", f.col.URL+"a.ics", event("a", "周会", "20260302T100000"))
	if res := sync(); res.Fetched != 1 || res.Method != SyncCollection {
		t.Fatalf("first sync: %+v", res)
	}
	if res := sync(); res.Fetched != 0 || res.Deleted != 0 {
		t.Fatalf("no-op resync: %+v", res)
	}
	f.other.do("PUT", f.col.URL+"b.ics", event("b", "Lunch", "20260303T120000"))
	if res := sync(); res.Fetched != 1 || res.Method != SyncCollection {
		t.Fatalf("sync after a change: %+v", res)
	}
}
