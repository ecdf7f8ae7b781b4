package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestCalBriefsUpgrade builds a store whose calendar cache predates briefs
// (schema v8), opens it with this build, and checks that the cached rows
// are read with their data until a brief is stored, then without.
func TestCalBriefsUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := open(ctx, path, 8)
	must(t, err)
	for _, q := range []string{
		`INSERT INTO accounts(id, name) VALUES (1, 'work')`,
		`INSERT INTO cal_calendars(id, account_id, url, name) VALUES (1, 1, 'https://dav/u/cal/', '工作')`,
		`INSERT INTO cal_objects(id, calendar_id, href, etag, uid, data, start, end_at)
			VALUES (1, 1, 'https://dav/u/cal/a.ics', '"1"', 'a', 'BEGIN:VCALENDAR', 1772409600, 1772413200)`,
	} {
		_, err := old.w.ExecContext(ctx, q)
		must(t, err)
	}
	must(t, old.Close())

	s, err := Open(ctx, path)
	must(t, err)
	defer s.Close()
	from, to := time.Unix(1772409600-86400, 0), time.Unix(1772409600+86400, 0)
	got, err := s.CalBriefs(ctx, []CalendarID{1}, from, to, 7)
	must(t, err)
	if len(got) != 1 || len(got[0].Brief) != 0 || got[0].Data != "BEGIN:VCALENDAR" || got[0].UID != "a" {
		t.Fatalf("upgraded row = %+v", got)
	}
	must(t, s.SetCalBriefs(ctx, []CalObject{{ID: 1, Data: "changed meanwhile", Brief: []byte{7, 1}}}))
	if got, _ := s.CalBriefs(ctx, []CalendarID{1}, from, to, 7); len(got[0].Brief) != 0 {
		t.Fatalf("brief stored over changed data: %+v", got[0])
	}
	must(t, s.SetCalBriefs(ctx, []CalObject{{ID: 1, Data: "BEGIN:VCALENDAR", Brief: []byte{7, 1}}}))
	got, err = s.CalBriefs(ctx, []CalendarID{1}, from, to, 7)
	must(t, err)
	if len(got) != 1 || string(got[0].Brief) != "\x07\x01" || got[0].Data != "" {
		t.Fatalf("row with brief = %+v", got)
	}
	// A brief of another format version is read with its data again.
	if got, _ := s.CalBriefs(ctx, []CalendarID{1}, from, to, 8); got[0].Data != "BEGIN:VCALENDAR" {
		t.Fatalf("stale brief read without data: %+v", got[0])
	}
	// Writers store briefs.
	must(t, s.PutCalObjects(ctx, 1, []CalObject{{Href: "https://dav/u/cal/a.ics", UID: "a", Data: "X",
		Start: from.Add(time.Hour), End: to, Brief: []byte{7, 2}}}, nil))
	if got, _ := s.CalBriefs(ctx, []CalendarID{1}, from, to, 7); string(got[0].Brief) != "\x07\x02" {
		t.Fatalf("put brief = %+v", got[0])
	}
	id, err := s.QueueCalWrite(ctx, 1, CalObject{ConflictOf: "https://dav/u/cal/b.ics", UID: "b", Data: "Y",
		Start: from.Add(time.Hour), End: to, Brief: []byte{7, 3}}, false)
	must(t, err)
	got, _ = s.CalBriefs(ctx, []CalendarID{1}, from, to, 7)
	if len(got) != 2 || got[1].ID != id || string(got[1].Brief) != "\x07\x03" {
		t.Fatalf("queued brief = %+v", got)
	}
}
