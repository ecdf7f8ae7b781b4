package calendar

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/store"
)

// occString prints an occurrence with its instants in UTC, for comparing
// expansions that place times in equal but distinct locations.
func occString(o Occurrence) string {
	u := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("%s|%s|%s|%s|%s–%s|%v|%v|%s|%v|%s|%q|%v|%s", o.UID, o.Summary, o.Location, o.Description,
		u(o.Start), u(o.End), o.AllDay, o.Floating, u(o.RecurrenceID), o.Recurring, o.Organizer, o.Attendees, o.Reminders, o.RRule)
}

// checkBrief expands the encoded and decoded brief of series, as a view
// reads it from the cache, and wants what parsing gave (want).
func checkBrief(t *testing.T, series []*Series, loc *time.Location, from, to time.Time, want []Occurrence) {
	t.Helper()
	bs, err := decodeBrief(EncodeBrief(series))
	if err != nil {
		t.Fatalf("decode brief: %v", err)
	}
	var got []Occurrence
	for _, b := range bs {
		occ, err := b.expand(placer{def: loc, zc: &ZoneCache{}}, from, to)
		if err != nil {
			t.Fatalf("expand brief: %v", err)
		}
		got = append(got, occ...)
	}
	if len(got) != len(want) {
		t.Fatalf("brief gave %d occurrences, parsing %d", len(got), len(want))
	}
	for i := range got {
		if g, w := occString(got[i]), occString(want[i]); g != w {
			t.Errorf("brief occurrence %d:\n got %s\nwant %s", i, g, w)
		}
	}
}

// TestBriefBackfill: a cache row without a brief (as an older store holds)
// is expanded from its data, its brief stored by Backfill, and read from
// the brief alone on the next load, with the same occurrences, in a
// viewer's zone other than the one the brief was made in.
func TestBriefBackfill(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acct, _ := st.Account(ctx, "a")
	cal, _ := st.UpsertCalendar(ctx, store.Calendar{Account: acct, URL: "https://dav.test/c/"})
	data := ics(
		"BEGIN:VEVENT", "UID:f1", "DTSTART:20260302T090000", "DTEND:20260302T100000",
		"RRULE:FREQ=DAILY;COUNT=3", "SUMMARY:floating", "END:VEVENT",
		"BEGIN:VEVENT", "UID:f1", "RECURRENCE-ID:20260303T090000", "DTSTART:20260303T120000",
		"DTEND:20260303T130000", "SUMMARY:moved", "END:VEVENT",
	)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	row := (&Syncer{Loc: sh}).Row(Object{URL: "https://dav.test/c/f1.ics", ETag: `"1"`, Data: data})
	row.Brief = nil // as cached before briefs
	if err := st.PutCalObjects(ctx, cal, []store.CalObject{row}, nil); err != nil {
		t.Fatal(err)
	}
	from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, ny), time.Date(2026, 3, 8, 0, 0, 0, 0, ny)
	load := func() ([]store.CalObject, []Occurrence) {
		e := &Expander{Store: st, Loc: ny}
		objs, err := e.Objects(ctx, []store.CalendarID{cal}, from, to)
		if err != nil || len(objs) != 1 {
			t.Fatalf("objects: %v %v", objs, err)
		}
		occ, err := e.Expand(ctx, objs[0], from, to)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Backfill(ctx); err != nil {
			t.Fatal(err)
		}
		return objs, occ
	}
	objs, first := load()
	if objs[0].Data == "" || len(objs[0].Brief) != 0 {
		t.Fatalf("row without brief read as %+v", objs[0])
	}
	objs, second := load()
	if objs[0].Data != "" || len(objs[0].Brief) == 0 {
		t.Fatalf("backfilled row read with data %q, brief %d bytes", objs[0].Data, len(objs[0].Brief))
	}
	want := expandAll(t, data, ny, from, to)
	if len(first) != 3 || len(second) != 3 {
		t.Fatalf("occurrences: %d then %d, want 3", len(first), len(second))
	}
	for i := range want {
		if occString(first[i]) != occString(want[i]) || occString(second[i]) != occString(want[i]) {
			t.Errorf("occurrence %d: %s / %s, want %s", i, occString(first[i]), occString(second[i]), occString(want[i]))
		}
	}
	if h := want[1].Start.In(ny).Hour(); want[1].Summary != "moved" || h != 12 {
		t.Errorf("override = %s at %d h", want[1].Summary, h)
	}
}

// TestSkipWholePeriods: a DAILY or WEEKLY series begun years ago expands
// a range today to the same instances as walking it from its start.
func TestSkipWholePeriods(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	for _, rule := range []string{
		"FREQ=DAILY", "FREQ=DAILY;INTERVAL=3", "FREQ=DAILY;INTERVAL=5;BYMONTH=3,11",
		"FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "FREQ=WEEKLY;INTERVAL=3;WKST=SU;BYDAY=SU,SA",
		"FREQ=WEEKLY;INTERVAL=2;UNTIL=20260320T000000Z", "FREQ=DAILY;COUNT=4000",
	} {
		data := ics("BEGIN:VEVENT", "UID:s", "DTSTART;TZID=America/New_York:20150309T013000",
			"DTEND;TZID=America/New_York:20150309T023000", "RRULE:"+rule, "END:VEVENT")
		_, series, err := Parse(data, ny)
		if err != nil {
			t.Fatal(err)
		}
		b := series[0].brief()
		p := placer{def: ny}
		from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, ny), time.Date(2026, 4, 12, 0, 0, 0, 0, ny)
		got, err := b.expand(p, from, to)
		if err != nil {
			t.Fatal(err)
		}
		// The same, walked from the start.
		start, end, _, _, _ := p.times(b.master)
		set, _, err := b.recurrence(p, start, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		want := set.Between(from.Add(-end.Sub(start)-time.Second), to, true)
		if len(got) != len(want) || len(want) == 0 && rule != "FREQ=DAILY;COUNT=4000" {
			t.Fatalf("%s: %d instances, want %d", rule, len(got), len(want))
		}
		for i := range want {
			if !got[i].Start.Equal(want[i]) {
				t.Errorf("%s: instance %d at %v, want %v", rule, i, got[i].Start, want[i])
			}
		}
	}
}
