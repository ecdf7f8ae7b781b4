package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestCalendarCache(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	acct, err := s.Account(ctx, "work")
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.UpsertCalendar(ctx, Calendar{Account: acct, URL: "https://dav/u/cal/", Name: "工作", Color: "#FF0000"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.UpsertCalendar(ctx, Calendar{Account: acct, URL: "https://dav/u/cal/", Name: "Work", ReadOnly: true})
	if err != nil || again != id {
		t.Fatalf("upsert again: %d %v, want %d", again, err, id)
	}
	if err := s.SetCalendarState(ctx, id, "ctag1", "tok1", time.Unix(100, 0)); err != nil {
		t.Fatal(err)
	}
	cals, err := s.Calendars(ctx, acct)
	if err != nil || len(cals) != 1 {
		t.Fatalf("calendars: %+v %v", cals, err)
	}
	if c := cals[0]; c.Name != "Work" || !c.ReadOnly || c.SyncToken != "tok1" || c.CTag != "ctag1" || c.LastSync.Unix() != 100 {
		t.Fatalf("calendar: %+v", c)
	}
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	objs := []CalObject{
		{Href: "https://dav/u/cal/a.ics", ETag: `"1"`, UID: "a", Data: "A", Start: day(2), End: day(3)},
		{Href: "https://dav/u/cal/b.ics", ETag: `"1"`, UID: "b", Data: "B", Start: day(10), End: Forever},
	}
	if err := s.PutCalObjects(ctx, id, objs, nil); err != nil {
		t.Fatal(err)
	}
	objs[0].ETag, objs[0].Data = `"2"`, "A2"
	if err := s.PutCalObjects(ctx, id, objs[:1], nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddCalConflict(ctx, id, CalObject{UID: "a", Data: "mine", Start: day(2), End: day(3), ConflictOf: objs[0].Href}); err != nil {
		t.Fatal(err)
	}
	got, err := s.CalObjects(ctx, []CalendarID{id}, day(1), day(5))
	if err != nil || len(got) != 2 {
		t.Fatalf("objects in range: %+v %v", got, err)
	}
	if got[0].Data != "A2" || got[1].State != CalConflict || got[1].Data != "mine" {
		t.Fatalf("objects: %+v", got)
	}
	far, _ := s.CalObjects(ctx, []CalendarID{id}, day(1).AddDate(5, 0, 0), day(2).AddDate(5, 0, 0))
	if len(far) != 1 || far[0].UID != "b" || !far[0].End.Equal(Forever) {
		t.Fatalf("endless object: %+v", far)
	}
	etags, _ := s.CalETags(ctx, id)
	if len(etags) != 2 || etags[objs[0].Href] != `"2"` {
		t.Fatalf("etags: %v", etags)
	}
	if err := s.PutCalObjects(ctx, id, nil, []string{objs[1].Href}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CalObjectByUID(ctx, id, "b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted object: %v", err)
	}
	if o, err := s.CalObjectByUID(ctx, id, "a"); err != nil || o.Data != "A2" {
		t.Fatalf("by uid: %+v %v", o, err)
	}
	if err := s.SetCalendarHidden(ctx, id, true); err != nil {
		t.Fatal(err)
	}
}
