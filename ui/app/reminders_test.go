package app

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// A reminder 15 minutes before an event fires once, in the minute it is
// due: in the status bar and as a desktop notification. The help lists L.
func TestReminderNotifies(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cal, err := f.st.UpsertCalendar(ctx, store.Calendar{Account: f.work, URL: "https://dav.test/u/work/", Name: "工作"})
	must(t, err)
	start := now.Add(15 * time.Minute)
	data, err := calendar.NewEvent{UID: "r1", Summary: "站会", Location: "3F", Start: start, End: start.Add(time.Hour),
		Remind: true, Reminder: 15 * time.Minute}.Encode(true, now)
	must(t, err)
	sy := &calendar.Syncer{Store: f.st, Account: f.work, Loc: time.UTC}
	must(t, f.st.PutCalObjects(ctx, cal, []store.CalObject{sy.Row(calendar.Object{URL: "https://dav.test/u/work/r1.ics", ETag: `"1"`, Data: data})}, nil))

	var notified []string
	m := newModel(Deps{Config: config(), Store: f.st, Printer: i18n.New(i18n.EN),
		Notify: func(title, body string) { notified = append(notified, title+": "+body) }}, clock, time.UTC)
	run(t, m, m.Init())
	send(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	run(t, m, remindersCmd(ctx, f.st, m.accountIDs, now.Add(-2*time.Minute), now.Add(-time.Minute), time.UTC))
	if len(notified) != 0 {
		t.Fatalf("fired early: %q", notified)
	}
	run(t, m, remindersCmd(ctx, f.st, m.accountIDs, now.Add(-time.Minute), now, time.UTC))
	if len(notified) != 1 || !strings.Contains(notified[0], "12:15 站会 @ 3F") {
		t.Fatalf("notified: %q", notified)
	}
	if s := screen(m); !strings.Contains(s, "Reminder: 12:15 站会") {
		t.Fatalf("status bar:\n%s", s)
	}
	press(t, m, "?")
	if s := screen(m); !strings.Contains(s, "L") || !strings.Contains(s, "calendar") {
		t.Fatalf("help lists L:\n%s", s)
	}
}
