package cli

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/store"
)

// The calendar commands against a real Radicale: discovery through the
// well-known redirect, sync, an event added from the command line, an event
// put by another client, and the offline agenda with lunar dates.
func TestCalendarCommandsAgainstRadicale(t *testing.T) {
	dav := testenv.Radicale(t)
	user, pw := dav.NewUser(t)
	// Radicale creates the principal on first use; make one calendar.
	req, _ := http.NewRequestWithContext(t.Context(), "MKCALENDAR", dav.URL+user+"/work/", strings.NewReader(
		`<?xml version="1.0"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>工作</d:displayname></d:prop></d:set></c:mkcalendar>`))
	req.SetBasicAuth(user, pw)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("MKCALENDAR: %v %v", resp, err)
	}
	// Another client puts a weekly event.
	put, _ := http.NewRequestWithContext(t.Context(), "PUT", dav.URL+user+"/work/weekly.ics", strings.NewReader(
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:weekly\r\nDTSTAMP:20260101T000000Z\r\n"+
			"DTSTART;TZID=China Standard Time:20260216T090000\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;COUNT=3\r\nSUMMARY:值班\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	put.SetBasicAuth(user, pw)
	put.Header.Set("Content-Type", "text/calendar")
	if resp, err := http.DefaultClient.Do(put); err != nil || resp.StatusCode >= 300 {
		t.Fatalf("PUT: %v %v", resp, err)
	}

	h := newHarness(t, "zh_CN.UTF-8")
	pwFile := filepath.Join(h.home, "pw")
	if err := os.WriteFile(pwFile, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := "[[account]]\nname = \"work\"\nemail = \"" + user + "@example.com\"\npassword_cmd = \"echo wrong\"\n" +
		"[account.imap]\nhost = \"127.0.0.1\"\nport = 1\nsecurity = \"tls\"\n" +
		"[account.caldav]\nurl = \"" + dav.URL + "\"\nusername = \"" + user + "\"\npassword_cmd = \"cat " + pwFile + "\"\n"
	if err := os.MkdirAll(filepath.Dir(h.configPath()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.configPath(), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.run("", "calendar", "sync")
	if r.code != 0 || !strings.Contains(r.stdout, "work / 工作：获取 1，删除 0（sync-collection）") {
		t.Fatalf("calendar sync: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = h.run("", "calendar", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "工作") {
		t.Fatalf("calendar list: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = h.run("", "calendar", "add", "--account", "work", "--calendar", "工作", "--title", "春节团拜",
		"--start", "2026-02-17 10:00", "--tz", "Asia/Shanghai", "--duration", "90m")
	if r.code != 0 {
		t.Fatalf("calendar add: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = h.run("", "calendar", "agenda", "--from", "2026-02-16", "--days", "3", "--json")
	if r.code != 0 {
		t.Fatalf("agenda: %d %s", r.code, r.stderr)
	}
	var items []agendaItem
	if err := json.Unmarshal([]byte(r.stdout), &items); err != nil {
		t.Fatalf("agenda json: %v\n%s", err, r.stdout)
	}
	var got []string
	for _, it := range items {
		st, _ := time.Parse(time.RFC3339, it.Start)
		got = append(got, st.UTC().Format("01-02 15:04")+" "+it.Title+" "+it.Lunar+" "+it.Calendar)
	}
	want := "02-16 01:00 值班 腊月廿九 工作|02-17 01:00 值班 正月初一 工作|02-17 02:00 春节团拜 正月初一 工作|02-18 01:00 值班 正月初二 工作"
	if strings.Join(got, "|") != want {
		t.Fatalf("agenda:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	r = h.run("", "calendar", "agenda", "--from", "2026-02-17", "--days", "1")
	if r.code != 0 || !strings.Contains(r.stdout, "2026-02-17 周二  正月初一 春节 休") || !strings.Contains(r.stdout, "春节团拜") {
		t.Fatalf("agenda text:\n%s%s", r.stdout, r.stderr)
	}
	// A write that raced another client's change leaves a conflict copy;
	// conflicts lists it and resolve --keep mine writes it to the server.
	r = h.run("", "calendar", "conflicts")
	if r.code != 0 || !strings.Contains(r.stdout, "没有冲突副本") {
		t.Fatalf("no conflicts yet: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	ctx := t.Context()
	st, err := store.Open(ctx, filepath.Join(h.env["XDG_DATA_HOME"], "magpie", "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	acct, _ := st.Account(ctx, "work")
	cals, _ := st.Calendars(ctx, acct)
	client := calendar.NewClient(calendar.ClientOptions{Username: user, Password: pw})
	sy := &calendar.Syncer{Client: client, Store: st, Account: acct, Loc: time.UTC}
	obj, err := st.CalObjectByUID(ctx, cals[0].ID, "weekly")
	if err != nil {
		t.Fatal(err)
	}
	theirs := strings.Replace(obj.Data, "值班", "值班（他们改）", 1)
	if _, err := client.Put(ctx, obj.Href, obj.ETag, theirs); err != nil {
		t.Fatal(err)
	}
	if _, err := sy.Update(ctx, cals[0], obj, strings.Replace(obj.Data, "值班", "值班（我改）", 1)); err == nil {
		t.Fatal("a stale write went through")
	}
	st.Close()
	r = h.run("", "calendar", "conflicts")
	fields := strings.Fields(r.stdout)
	if r.code != 0 || len(fields) == 0 || !strings.Contains(r.stdout, "冲突副本") || !strings.Contains(r.stdout, "值班（我改）") {
		t.Fatalf("conflicts: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r = h.run("", "calendar", "resolve", fields[0], "--keep", "maybe"); r.code != 2 {
		t.Fatalf("resolve --keep maybe: %d", r.code)
	}
	if r = h.run("", "calendar", "resolve", fields[0], "--keep", "mine"); r.code != 0 || !strings.Contains(r.stdout, "冲突已处理") {
		t.Fatalf("resolve: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got, err := client.Get(ctx, obj.Href); err != nil || !strings.Contains(got.Data, "值班（我改）") {
		t.Fatalf("after keep mine the server has: %v\n%s", err, got.Data)
	}
	if r = h.run("", "calendar", "conflicts"); !strings.Contains(r.stdout, "没有冲突副本") {
		t.Fatalf("conflict left:\n%s", r.stdout)
	}

	// A separate CalDAV password goes to the keyring, and the account is
	// marked to use it.
	r = h.run("dav-secret\n", "calendar", "password", "work")
	if r.code != 0 {
		t.Fatalf("calendar password: %d %s", r.code, r.stderr)
	}
	if got, _ := h.secrets.Get(t.Context(), "work/caldav"); got != "dav-secret" {
		t.Fatalf("keyring holds %q", got)
	}
	if data, _ := os.ReadFile(h.configPath()); !strings.Contains(string(data), "separate_password = true") {
		t.Fatalf("config:\n%s", data)
	}
	// A wrong CalDAV password is explained.
	bad := strings.Replace(cfg, "cat "+pwFile, "echo nope", 1)
	if err := os.WriteFile(h.configPath(), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	r = h.run("", "calendar", "sync")
	if r.code != 1 || !strings.Contains(r.stderr, "拒绝了用户名或密码") {
		t.Fatalf("wrong password: %d\n%s", r.code, r.stderr)
	}
}
