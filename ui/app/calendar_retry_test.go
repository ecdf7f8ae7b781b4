package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// A calendar write made while Radicale is down stays queued; the
// background retry leaves it queued while the server is away and sends it
// once the server is back, without a save or the view opening.
func TestCalendarRetryWhenServerBack(t *testing.T) {
	ctx := context.Background()
	dav := testenv.RadicaleOwn(t)
	user, pw := dav.NewUser(t)
	client := calendar.NewClient(calendar.ClientOptions{Username: user, Password: pw})
	colURL := dav.URL + user + "/cal/"
	must(t, client.MkCalendar(ctx, colURL, "工作", ""))
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	must(t, err)
	defer st.Close()
	acct, err := st.Account(ctx, "work")
	must(t, err)
	sy := &calendar.Syncer{Client: client, Store: st, Account: acct, Loc: time.UTC}
	col, err := client.Collection(ctx, colURL)
	must(t, err)
	_, err = sy.SyncAll(ctx, []calendar.Collection{col})
	must(t, err)
	cals, err := st.Calendars(ctx, acct)
	must(t, err)
	cal := cals[0]

	m := newModel(Deps{Config: config(), Store: st, Printer: i18n.New(i18n.EN),
		Calendars: func(context.Context, string) (*calendar.Syncer, error) { return sy, nil }}, clock, time.UTC)
	run(t, m, m.Init())

	must(t, dav.Stop())
	start := now.Add(24 * time.Hour)
	data, err := calendar.NewEvent{UID: "offline-1", Summary: "离线创建", Start: start, End: start.Add(time.Hour)}.Encode(true, now)
	must(t, err)
	href := calendar.HrefFor(cal, "offline-1")
	if err := sy.Save(ctx, cal, href, store.CalObject{}, data); !errors.Is(err, calendar.ErrQueued) {
		t.Fatalf("save with the server down: %v, want ErrQueued", err)
	}
	queued := func() int {
		q, err := st.CalObjectsIn(ctx, cal.ID, store.CalPending, store.CalPendingDelete)
		must(t, err)
		return len(q)
	}
	send(t, m, calRetryTickMsg{gen: m.calRetryAt})
	if n := queued(); n != 1 || m.calBusy {
		t.Fatalf("retry with the server down: %d queued (busy %v), want 1", n, m.calBusy)
	}

	must(t, dav.Restart())
	send(t, m, calRetryTickMsg{gen: m.calRetryAt})
	if n := queued(); n != 0 {
		t.Fatalf("retry with the server back: %d still queued", n)
	}
	got, err := client.Get(ctx, href)
	if err != nil || got.ETag == "" {
		t.Fatalf("the queued event on the server: %+v %v", got, err)
	}
	if o, err := st.CalObjectByHref(ctx, cal.ID, href); err != nil || o.ETag != got.ETag {
		t.Fatalf("cached after the retry: %+v %v", o, err)
	}
	send(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	if s := screen(m); !strings.Contains(s, "Calendar changes kept offline have been sent.") {
		t.Errorf("status after the retry:\n%s", s)
	}
}
