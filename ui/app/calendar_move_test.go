package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/calview"
	"github.com/magpie-mail/magpie/ui/components/evedit"
	"github.com/magpie-mail/magpie/ui/i18n"
)

func TestMoveEventBetweenCalendarsRadicale(t *testing.T) {
	t.Parallel()
	testMoveBetweenCalendars(t, "radicale")
}

func TestMoveEventBetweenCalendarsXandikos(t *testing.T) {
	t.Parallel()
	testMoveBetweenCalendars(t, "xandikos")
}

// testMoveBetweenCalendars moves a repeating event from one calendar of
// the account to another in the editor: the server then holds it in the
// second calendar only (the whole series), and a sync agrees.
func testMoveBetweenCalendars(t *testing.T, server string) {
	ctx := context.Background()
	var client *calendar.Client
	var home string
	switch server {
	case "radicale":
		dav := testenv.Radicale(t)
		user, pw := dav.NewUser(t)
		client = calendar.NewClient(calendar.ClientOptions{Username: user, Password: pw})
		home = dav.URL + user + "/"
	case "xandikos":
		dav := testenv.Xandikos(t)
		client = calendar.NewClient(calendar.ClientOptions{})
		home = dav.CalendarHomeURL + fmt.Sprintf("mv%d-", time.Now().UnixNano())
	}
	urlA, urlB := home+"work/", home+"home/"
	must(t, client.MkCalendar(ctx, urlA, "工作", ""))
	must(t, client.MkCalendar(ctx, urlB, "家庭", ""))
	sh, _ := time.LoadLocation("Asia/Shanghai")
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, sh)
	data, err := calendar.NewEvent{UID: "mv-1", Summary: "周会", Start: start, End: start.Add(time.Hour),
		RRule: "FREQ=WEEKLY;COUNT=3"}.Encode(false, start)
	must(t, err)
	_, err = client.Put(ctx, urlA+"mv-1.ics", "", data)
	must(t, err)

	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	must(t, err)
	defer st.Close()
	acct, err := st.Account(ctx, "work")
	must(t, err)
	sy := &calendar.Syncer{Client: client, Store: st, Account: acct, Loc: sh}
	syncAll := func() map[string]store.CalendarID {
		var cols []calendar.Collection
		for _, u := range []string{urlA, urlB} {
			c, err := client.Collection(ctx, u)
			must(t, err)
			cols = append(cols, c)
		}
		res, err := sy.SyncAll(ctx, cols)
		must(t, err)
		ids := map[string]store.CalendarID{}
		for _, r := range res {
			ids[r.Calendar.Name] = r.Calendar.ID
		}
		return ids
	}
	ids := syncAll()
	obj, err := st.CalObjectByUID(ctx, ids["工作"], "mv-1")
	must(t, err)

	m := newModel(Deps{Config: config(), Store: st, Printer: i18n.New(i18n.ZH),
		Calendars: func(context.Context, string) (*calendar.Syncer, error) { return sy, nil }}, clock, sh)
	run(t, m, m.Init())
	send(t, m, calview.SaveRequestedMsg{SubmittedMsg: evedit.SubmittedMsg{
		Draft:    evedit.Draft{Calendar: ids["家庭"], Title: "周会", Start: start, End: start.Add(time.Hour), RRule: "FREQ=WEEKLY;COUNT=3"},
		Existing: evedit.Existing{Object: obj.ID, UID: "mv-1", RID: start, Recurring: true, Start: start, End: start.Add(time.Hour)},
		Scope:    calendar.ScopeAll}})

	moved, err := client.Get(ctx, urlB+"mv-1.ics")
	if err != nil || !strings.Contains(moved.Data, "RRULE:FREQ=WEEKLY;COUNT=3") || !strings.Contains(moved.Data, "SUMMARY:周会") {
		t.Fatalf("the event in the second calendar: %v\n%s", err, moved.Data)
	}
	if _, err := client.Get(ctx, urlA+"mv-1.ics"); !errors.Is(err, calendar.ErrNotFound) {
		t.Fatalf("the event left in the first calendar: %v", err)
	}
	for _, id := range ids {
		if q, _ := st.CalObjectsIn(ctx, id, store.CalPending, store.CalPendingDelete, store.CalConflict); len(q) != 0 {
			t.Fatalf("left queued or in conflict: %+v", q)
		}
	}
	// Another device's sync sees the same; ours agrees.
	ids = syncAll()
	if _, err := st.CalObjectByUID(ctx, ids["工作"], "mv-1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("still cached in the first calendar: %v", err)
	}
	got, err := st.CalObjectByUID(ctx, ids["家庭"], "mv-1")
	if err != nil || got.ETag != moved.ETag {
		t.Fatalf("cached in the second calendar: %+v %v", got, err)
	}
}
