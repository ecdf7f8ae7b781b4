package app

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

func ctrl(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl} }

// Editing, creating (with an invitation) and deleting events in the TUI
// reach a real Radicale.
func TestCalendarEditsReachRadicale(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dav := testenv.Radicale(t)
	user, pw := dav.NewUser(t)
	client := calendar.NewClient(calendar.ClientOptions{Username: user, Password: pw})
	colURL := dav.URL + user + "/cal/"
	must(t, client.MkCalendar(ctx, colURL, "工作", "#FF2968FF"))
	get := func(u string) (int, string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		req.SetBasicAuth(user, pw)
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	day := now.UTC().Format("20060102")
	event := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:e1\r\nDTSTAMP:20240101T000000Z\r\n" +
		"DTSTART:" + day + "T100000Z\r\nDTEND:" + day + "T110000Z\r\nSUMMARY:周会\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, colURL+"e1.ics", strings.NewReader(event))
	req.SetBasicAuth(user, pw)
	req.Header.Set("Content-Type", "text/calendar")
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	resp.Body.Close()

	sy := &calendar.Syncer{Client: client, Store: f.st, Account: f.work, Loc: now.Location()}
	col, err := client.Collection(ctx, colURL)
	must(t, err)
	if _, err := sy.SyncAll(ctx, []calendar.Collection{col}); err != nil {
		t.Fatal(err)
	}
	cfg := config()
	cfg.Accounts[0].SMTP = account.Endpoint{Host: "smtp.example.test", Port: 587, Security: account.SecuritySTARTTLS}
	m := newModel(Deps{Config: cfg, Store: f.st, Printer: i18n.New(i18n.EN),
		Calendars: func(context.Context, string) (*calendar.Syncer, error) { return sy, nil }}, clock, now.Location())
	run(t, m, m.Init())
	send(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})

	// Edit the title and move it one hour later.
	press(t, m, "L", "d", "e")
	if s := screen(m); !strings.Contains(s, "Edit event") {
		t.Fatalf("e opens the editor:\n%s", s)
	}
	send(t, m, ctrl('u'))
	press(t, m, "评", "审", "tab")
	send(t, m, ctrl('u'))
	press(t, m, strings.Split(now.Format("2006-01-02")+" 11:00", "")...)
	press(t, m, "tab")
	send(t, m, ctrl('u'))
	press(t, m, strings.Split(now.Format("2006-01-02")+" 12:30", "")...)
	send(t, m, ctrl('s'))
	if s := screen(m); !strings.Contains(s, "Event saved on the server") || !strings.Contains(s, "11:00-12:30 评审") {
		t.Fatalf("after saving:\n%s", s)
	}
	if code, body := get(colURL + "e1.ics"); code != 200 || !strings.Contains(body, "SUMMARY:评审") ||
		!strings.Contains(body, "DTSTART:"+day+"T110000Z") || !strings.Contains(body, "DTEND:"+day+"T123000Z") {
		t.Fatalf("on the server (%d):\n%s", code, body)
	}

	// A new event with an attendee: stored on the server, REQUEST queued.
	press(t, m, "n")
	press(t, m, strings.Split("Lunch", "")...)
	for range 7 {
		press(t, m, "tab")
	}
	press(t, m, strings.Split("li@example.cn", "")...)
	send(t, m, ctrl('s'))
	if s := screen(m); !strings.Contains(s, "Invitations sent to 1") {
		t.Fatalf("after creating:\n%s", s)
	}
	out, err := f.st.Outbox(ctx, f.work)
	must(t, err)
	if len(out) != 1 || !strings.Contains(string(out[0].Raw), "method=REQUEST") || out[0].Rcpts[0] != "li@example.cn" {
		t.Fatalf("outbox: %+v", out)
	}
	cals, err := f.st.Calendars(ctx, f.work)
	must(t, err)
	synced, err := f.st.CalObjectsIn(ctx, cals[0].ID, store.CalSynced)
	must(t, err)
	if len(synced) != 2 || !strings.HasPrefix(synced[1].Href, colURL) || synced[1].ETag == "" {
		t.Fatalf("the new event is not on the server: %+v", synced)
	}

	// Delete with confirmation: n keeps it, y deletes it.
	press(t, m, "x", "n")
	if code, _ := get(colURL + "e1.ics"); code != 200 {
		t.Fatal("n deleted the event")
	}
	press(t, m, "x")
	if s := screen(m); !strings.Contains(s, "y delete") {
		t.Fatalf("x asks:\n%s", s)
	}
	press(t, m, "y")
	if code, _ := get(colURL + "e1.ics"); code != 404 {
		t.Fatalf("after y the event is still on the server: %d", code)
	}
}
