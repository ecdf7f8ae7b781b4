package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/outbox"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// An invitation sent through Postfix to Dovecot is synced, shown as a card
// (with a conflict), accepted in Magpie: the event lands in the member's
// Radicale calendar and the organizer receives a valid REPLY.
func TestInvitationAcceptedReachesOrganizer(t *testing.T) {
	ctx := context.Background()
	pf := testenv.Postfix(t)
	d := pf.Dovecot
	boss, member := d.NewUser(t), d.NewUser(t)
	imapEP, err := account.ParseEndpoint(d.IMAPSAddr(), account.SecurityTLS)
	must(t, err)
	smtpEP, err := account.ParseEndpoint(pf.SubmissionAddr(), account.SecuritySTARTTLS)
	must(t, err)
	secrets := &account.MemorySecrets{}
	must(t, secrets.Set(ctx, "boss", boss.Password))
	must(t, secrets.Set(ctx, "work", member.Password))
	dialer := &account.Dialer{Secrets: secrets, Timeout: 10 * time.Second}
	bossAcct := account.Account{Name: "boss", Email: boss.Email, DisplayName: "老板", IMAP: imapEP, SMTP: smtpEP, CAFile: d.CAFile}
	workAcct := account.Account{Name: "work", Email: member.Email, DisplayName: "陈明", IMAP: imapEP, SMTP: smtpEP, CAFile: d.CAFile}

	// The organizer invites the member.
	sh, _ := time.LoadLocation("Asia/Shanghai")
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, sh)
	ev, err := calendar.NewEvent{UID: "inv-42@example", Summary: "评审会", Location: "三楼", Start: start, End: start.Add(time.Hour),
		Organizer: boss.Email, Attendees: []string{member.Email}}.Encode(false, start)
	must(t, err)
	req, err := calendar.Request(ev)
	must(t, err)
	bossStore, err := store.Open(ctx, filepath.Join(t.TempDir(), "boss.db"))
	must(t, err)
	defer bossStore.Close()
	bossOut := &outbox.Outbox{Store: bossStore, Dialer: dialer}
	invite := &message.Outgoing{From: message.Address{Addr: boss.Email}, To: []message.Address{{Addr: member.Email}},
		Subject: "邀请：评审会", Text: "请参加", Calendar: &message.CalendarPart{Method: "REQUEST", Data: req}}
	_, err = bossOut.Queue(ctx, bossAcct, invite, time.Time{})
	must(t, err)
	if rep, err := bossOut.Flush(ctx, bossAcct); err != nil || rep.Sent() != 1 {
		t.Fatalf("sending the invitation: %+v %v", rep, err)
	}
	d.WaitMessage(t, member.Name, "INBOX", invite.MessageID)

	// The member's Magpie: mail synced, a Radicale calendar with a
	// conflicting event.
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	must(t, err)
	defer st.Close()
	if _, err := mailsync.New(workAcct, dialer, st, mailsync.Options{}).SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	dav := testenv.Radicale(t)
	user, pw := dav.NewUser(t)
	client := calendar.NewClient(calendar.ClientOptions{Username: user, Password: pw})
	colURL := dav.URL + user + "/cal/"
	must(t, client.MkCalendar(ctx, colURL, "工作", ""))
	busy, _ := calendar.NewEvent{UID: "busy", Summary: "周会", Start: start.Add(30 * time.Minute), End: start.Add(90 * time.Minute)}.Encode(false, start)
	_, err = client.Put(ctx, colURL+"busy.ics", "", busy)
	must(t, err)
	acctID, err := st.Account(ctx, "work")
	must(t, err)
	sy := &calendar.Syncer{Client: client, Store: st, Account: acctID, Loc: sh}
	col, err := client.Collection(ctx, colURL)
	must(t, err)
	_, err = sy.SyncAll(ctx, []calendar.Collection{col})
	must(t, err)

	m := newModel(Deps{Config: &account.Config{Accounts: []account.Account{workAcct}}, Store: st, Printer: i18n.New(i18n.EN),
		Calendars: func(context.Context, string) (*calendar.Syncer, error) { return sy, nil }}, clock, sh)
	run(t, m, m.Init())
	send(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	press(t, m, "enter")
	s := screen(m)
	for _, want := range []string{"Calendar invitation: 评审会", "When: 2026-03-02 10:00 - 11:00 (Asia/Shanghai)", "Where: 三楼",
		"Organizer: " + boss.Email, member.Email + " (no answer yet)", "Conflicts with: 10:30-11:30 周会", "Press i to answer"} {
		if !strings.Contains(s, want) {
			t.Fatalf("card lacks %q:\n%s", want, s)
		}
	}
	press(t, m, "i")
	if s := screen(m); !strings.Contains(s, "Accept -> 工作") {
		t.Fatalf("answers:\n%s", s)
	}
	press(t, m, "enter")
	if s := screen(m); !strings.Contains(s, "Accepted; the reply is in the outbox") {
		t.Fatalf("after accepting:\n%s", s)
	}

	// The event is in the member's calendar on Radicale, marked accepted.
	got, err := client.Get(ctx, calendar.HrefFor(store.Calendar{URL: colURL}, "inv-42@example"))
	if err != nil || !strings.Contains(got.Data, "PARTSTAT=ACCEPTED") || strings.Contains(got.Data, "METHOD") {
		t.Fatalf("stored event: %v\n%s", err, got.Data)
	}

	// The reply leaves from the invited identity and reaches the organizer.
	queued, err := st.Outbox(ctx, acctID)
	must(t, err)
	if len(queued) != 1 || queued[0].From != member.Email || queued[0].Rcpts[0] != boss.Email {
		t.Fatalf("reply queued: %+v", queued)
	}
	if rep, err := (&outbox.Outbox{Store: st, Dialer: dialer}).Flush(ctx, workAcct); err != nil || rep.Sent() != 1 {
		t.Fatalf("sending the reply: %+v %v", rep, err)
	}
	d.WaitMessage(t, boss.Name, "INBOX", queued[0].MsgID)
	raw := fetchRaw(t, dialer, bossAcct, queued[0].MsgID)
	parsed, err := message.Parse(raw)
	must(t, err)
	var part string
	for _, a := range parsed.Attachments {
		if a.ContentType == "text/calendar" {
			b, err := message.PartData(raw, a.PartPath)
			must(t, err)
			part = string(b)
		}
	}
	if !strings.Contains(string(raw), "method=REPLY") {
		t.Fatalf("no text/calendar; method=REPLY:\n%s", raw)
	}
	reply, err := calendar.ParseInvite(part, sh)
	if err != nil || reply.Method != "REPLY" || reply.UID != "inv-42@example" || len(reply.Attendees) != 1 ||
		!strings.EqualFold(reply.Attendees[0].Addr, member.Email) || reply.Attendees[0].PartStat != "ACCEPTED" ||
		reply.Organizer != boss.Email || !reply.Start.Equal(start) {
		t.Fatalf("reply: %+v %v\n%s", reply, err, part)
	}
	// The organizer's copy takes the answer.
	updated, changed, err := calendar.ApplyReply(ev, part)
	if err != nil || !changed || !strings.Contains(updated, "PARTSTAT=ACCEPTED") {
		t.Fatalf("applying the reply: %v %v", changed, err)
	}
}

// fetchRaw reads the message with msgID from a's INBOX over IMAP.
func fetchRaw(t *testing.T, d *account.Dialer, a account.Account, msgID string) []byte {
	t.Helper()
	c, err := d.DialIMAP(context.Background(), a, nil)
	must(t, err)
	defer c.Close()
	_, err = c.Select("INBOX", nil).Wait()
	must(t, err)
	data, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: msgID}}}, nil).Wait()
	if err != nil || len(data.AllUIDs()) != 1 {
		t.Fatalf("search %s: %v %v", msgID, data, err)
	}
	msgs, err := c.Fetch(imap.UIDSetNum(data.AllUIDs()[0]), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("fetch: %v", err)
	}
	for _, b := range msgs[0].BodySection {
		return b.Bytes
	}
	t.Fatal("no body")
	return nil
}
