package app

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// putITIP stores a message carrying an iTIP part at the top of the inbox.
func putITIP(t *testing.T, f fixture, uid store.UID, method, data string) {
	t.Helper()
	ctx := context.Background()
	out := &message.Outgoing{From: message.Address{Addr: "boss@example.cn"}, To: []message.Address{{Addr: "me@example.cn"}},
		Subject: method, Text: method, Calendar: &message.CalendarPart{Method: method, Data: data}, Date: now}
	raw, err := out.Build()
	must(t, err)
	m := store.Message{UID: uid, From: store.Address{Addr: "boss@example.cn"}, To: []store.Address{{Addr: "me@example.cn"}},
		Subject: method, Date: now.Add(-time.Duration(100-uid) * time.Second), MsgID: out.MessageID}
	m.InternalDate = m.Date
	must(t, f.st.PutHeaders(ctx, f.inbox, []store.Message{m}))
	id, err := f.st.Lookup(ctx, f.inbox, uid)
	must(t, err)
	must(t, f.st.PutBody(ctx, id, store.Body{Raw: raw, Text: method}))
}

// A CANCEL removes the event from the member's calendar (queued: no
// connection here); a REPLY to the member's own event records the
// attendee's answer.
func TestInvitationCancelAndReply(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cal, err := f.st.UpsertCalendar(ctx, store.Calendar{Account: f.work, URL: "https://dav.test/u/work/", Name: "工作"})
	must(t, err)
	start := now.Add(48 * time.Hour)
	mine, err := calendar.NewEvent{UID: "mine", Summary: "我的会", Start: start, End: start.Add(time.Hour),
		Organizer: "me@example.cn", Attendees: []string{"li@example.cn"}}.Encode(true, now)
	must(t, err)
	theirs, err := calendar.NewEvent{UID: "theirs", Summary: "他们的会", Start: start, End: start.Add(time.Hour),
		Organizer: "boss@example.cn", Attendees: []string{"me@example.cn"}}.Encode(true, now)
	must(t, err)
	sy := &calendar.Syncer{Store: f.st, Account: f.work, Loc: time.UTC}
	must(t, f.st.PutCalObjects(ctx, cal, []store.CalObject{
		sy.Row(calendar.Object{URL: "https://dav.test/u/work/mine.ics", ETag: `"1"`, Data: mine}),
		sy.Row(calendar.Object{URL: "https://dav.test/u/work/theirs.ics", ETag: `"1"`, Data: theirs})}, nil))

	cancel, err := calendar.Request(theirs)
	must(t, err)
	putITIP(t, f, 20, "CANCEL", strings.Replace(cancel, "METHOD:REQUEST", "METHOD:CANCEL", 1))
	m := newModel(Deps{Config: config(), Store: f.st, Printer: i18n.New(i18n.ZH)}, clock, time.UTC)
	run(t, m, m.Init())
	send(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	press(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "会议已取消：他们的会") || !strings.Contains(s, "按 i 从日历中删除") {
		t.Fatalf("cancel card:\n%s", s)
	}
	press(t, m, "i", "enter")
	if s := screen(m); !strings.Contains(s, "已从日历中删除") {
		t.Fatalf("after removing:\n%s", s)
	}
	if q, _ := f.st.CalObjectsIn(ctx, cal, store.CalPendingDelete); len(q) != 1 || q[0].UID != "theirs" {
		t.Fatalf("queued deletion: %+v", q)
	}

	req, err := calendar.Request(mine)
	must(t, err)
	reply, err := calendar.Reply(req, "li@example.cn", "DECLINED", now)
	must(t, err)
	putITIP(t, f, 21, "REPLY", reply)
	m = newModel(Deps{Config: config(), Store: f.st, Printer: i18n.New(i18n.EN)}, clock, time.UTC)
	run(t, m, m.Init())
	send(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	press(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "Reply to your invitation: 我的会") || !strings.Contains(s, "li@example.cn (declined)") {
		t.Fatalf("reply card:\n%s", s)
	}
	press(t, m, "i", "enter")
	q, _ := f.st.CalObjectsIn(ctx, cal, store.CalPending)
	if len(q) != 1 || q[0].UID != "mine" || !strings.Contains(q[0].Data, "PARTSTAT=DECLINED") {
		t.Fatalf("the organizer's copy: %+v", q)
	}
}

// An invitation to one occurrence of a series the member keeps becomes
// that occurrence's override in the series (not a replacement of it, nor a
// second object); a CANCEL of another occurrence removes only that one.
func TestInvitationOccurrenceMergesIntoSeries(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	smtp, err := account.ParseEndpoint("smtp.example.cn:587", account.SecuritySTARTTLS)
	must(t, err)
	cfg := config()
	cfg.Accounts[0].SMTP = smtp
	cal, err := f.st.UpsertCalendar(ctx, store.Calendar{Account: f.work, URL: "https://dav.test/u/work/", Name: "工作"})
	must(t, err)
	start := time.Date(2024, 3, 18, 2, 0, 0, 0, time.UTC)
	series, err := calendar.NewEvent{UID: "weekly", Summary: "周会", Start: start, End: start.Add(time.Hour), RRule: "FREQ=WEEKLY;COUNT=4",
		Organizer: "boss@example.cn", Attendees: []string{"me@example.cn"}}.Encode(true, now)
	must(t, err)
	sy := &calendar.Syncer{Store: f.st, Account: f.work, Loc: time.UTC}
	href := "https://dav.test/u/work/weekly.ics"
	must(t, f.st.PutCalObjects(ctx, cal, []store.CalObject{sy.Row(calendar.Object{URL: href, ETag: `"1"`, Data: series})}, nil))
	occurrence := func(method, rid, startAt string) string {
		return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//boss//EN\r\nMETHOD:" + method + "\r\nBEGIN:VEVENT\r\nUID:weekly\r\n" +
			"DTSTAMP:20240301T000000Z\r\nSEQUENCE:1\r\nRECURRENCE-ID:" + rid + "\r\nDTSTART:" + startAt + "\r\nDURATION:PT1H\r\n" +
			"SUMMARY:周会（改时间）\r\nORGANIZER:mailto:boss@example.cn\r\nATTENDEE;RSVP=TRUE:mailto:me@example.cn\r\n" +
			"END:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	putITIP(t, f, 20, "REQUEST", occurrence("REQUEST", "20240325T020000Z", "20240325T070000Z"))
	m := newModel(Deps{Config: cfg, Store: f.st, Printer: i18n.New(i18n.EN)}, clock, time.UTC)
	run(t, m, m.Init())
	send(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	press(t, m, "enter", "i", "enter")
	if s := screen(m); !strings.Contains(s, "Accepted") {
		t.Fatalf("after accepting:\n%s", s)
	}
	q, _ := f.st.CalObjectsIn(ctx, cal, store.CalPending)
	if len(q) != 1 || q[0].ConflictOf != href {
		t.Fatalf("queued writes: %+v", q)
	}
	occs := expandQueued(t, q[0].Data)
	if want := "03-18 02:00 周会 | 03-25 07:00 周会（改时间） | 04-01 02:00 周会 | 04-08 02:00 周会"; occs != want {
		t.Fatalf("series after accepting one occurrence:\n got %s\nwant %s", occs, want)
	}
	if !strings.Contains(q[0].Data, "PARTSTAT=ACCEPTED") {
		t.Fatalf("the occurrence is not marked accepted:\n%s", q[0].Data)
	}

	putITIP(t, f, 21, "CANCEL", occurrence("CANCEL", "20240401T020000Z", "20240401T020000Z"))
	m = newModel(Deps{Config: cfg, Store: f.st, Printer: i18n.New(i18n.EN)}, clock, time.UTC)
	run(t, m, m.Init())
	send(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	press(t, m, "enter", "i", "enter")
	q, _ = f.st.CalObjectsIn(ctx, cal, store.CalPending, store.CalPendingDelete)
	if len(q) != 1 || q[0].State != store.CalPending {
		t.Fatalf("queued writes after the cancel: %+v", q)
	}
	if occs, want := expandQueued(t, q[0].Data), "03-18 02:00 周会 | 03-25 07:00 周会（改时间） | 04-08 02:00 周会"; occs != want {
		t.Fatalf("series after one occurrence cancelled:\n got %s\nwant %s", occs, want)
	}
}

func expandQueued(t *testing.T, data string) string {
	t.Helper()
	_, series, err := calendar.Parse(data, time.UTC)
	must(t, err)
	var out []string
	for _, s := range series {
		occs, err := s.Expand(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
		must(t, err)
		for _, o := range occs {
			out = append(out, o.Start.Format("01-02 15:04")+" "+o.Summary)
		}
	}
	return strings.Join(out, " | ")
}
