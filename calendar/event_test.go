package calendar

import (
	"strings"
	"testing"
	"time"
)

func ics(lines ...string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VCALENDAR\r\n"
}

func expandAll(t *testing.T, data string, loc *time.Location, from, to time.Time) []Occurrence {
	t.Helper()
	_, series, err := Parse(data, loc)
	if err != nil {
		t.Fatal(err)
	}
	var out []Occurrence
	for _, s := range series {
		occ, err := s.Expand(from, to)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, occ...)
	}
	checkBrief(t, series, loc, from, to, out)
	return out
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// A weekly event across the US DST change (2026-03-08) with one EXDATE and
// one instance moved by a RECURRENCE-ID override in the same object.
func TestExpandWeeklyExdateOverrideAcrossDST(t *testing.T) {
	data := ics(
		"BEGIN:VEVENT", "UID:weekly-1", "DTSTAMP:20260101T000000Z",
		"DTSTART;TZID=America/New_York:20260226T100000", "DTEND;TZID=America/New_York:20260226T110000",
		"RRULE:FREQ=WEEKLY;BYDAY=TH", "EXDATE;TZID=America/New_York:20260312T100000",
		"SUMMARY:Standup", "END:VEVENT",
		"BEGIN:VEVENT", "UID:weekly-1", "DTSTAMP:20260101T000000Z",
		"RECURRENCE-ID;TZID=America/New_York:20260319T100000",
		"DTSTART;TZID=America/New_York:20260320T150000", "DTEND;TZID=America/New_York:20260320T160000",
		"SUMMARY:Standup (moved)", "END:VEVENT",
	)
	occ := expandAll(t, data, time.UTC, utc("2026-02-20 00:00"), utc("2026-04-01 00:00"))
	want := []struct {
		start, summary string
	}{
		{"2026-02-26 15:00", "Standup"},
		{"2026-03-05 15:00", "Standup"},
		{"2026-03-20 19:00", "Standup (moved)"},
		{"2026-03-26 14:00", "Standup"},
	}
	if len(occ) != len(want) {
		t.Fatalf("got %d occurrences: %+v", len(occ), occ)
	}
	for i, w := range want {
		if !occ[i].Start.Equal(utc(w.start)) || occ[i].Summary != w.summary || occ[i].End.Sub(occ[i].Start) != time.Hour {
			t.Errorf("occurrence %d: %s %q, want %s %q", i, occ[i].Start.UTC(), occ[i].Summary, w.start, w.summary)
		}
	}
	if !occ[2].RecurrenceID.Equal(utc("2026-03-19 14:00")) {
		t.Errorf("moved instance keeps its RECURRENCE-ID: %v", occ[2].RecurrenceID.UTC())
	}
}

func TestWindowsZoneLandsAtTheRightInstant(t *testing.T) {
	data := ics("BEGIN:VEVENT", "UID:w", "DTSTAMP:20260101T000000Z",
		"DTSTART;TZID=China Standard Time:20260501T090000", "DTEND;TZID=China Standard Time:20260501T100000",
		"SUMMARY:会议", "END:VEVENT")
	occ := expandAll(t, data, time.UTC, utc("2026-04-30 00:00"), utc("2026-05-03 00:00"))
	if len(occ) != 1 || !occ[0].Start.Equal(utc("2026-05-01 01:00")) || occ[0].Floating {
		t.Fatalf("occurrences: %+v", occ)
	}
	if loc, ok := ResolveTZID("/mozilla.org/20050126_1/Asia/Shanghai"); !ok || loc.String() != "Asia/Shanghai" {
		t.Errorf("prefixed TZID: %v %v", loc, ok)
	}
	if _, ok := ResolveTZID("Nowhere Standard Time"); ok {
		t.Error("unknown TZID resolved")
	}
}

// A private TZID is resolved from the document's own VTIMEZONE, DST rules
// included.
func TestEmbeddedVTimezone(t *testing.T) {
	data := ics(
		"BEGIN:VTIMEZONE", "TZID:Custom Eastern",
		"BEGIN:STANDARD", "DTSTART:20071104T020000", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
		"TZOFFSETFROM:-0400", "TZOFFSETTO:-0500", "END:STANDARD",
		"BEGIN:DAYLIGHT", "DTSTART:20070311T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
		"TZOFFSETFROM:-0500", "TZOFFSETTO:-0400", "END:DAYLIGHT",
		"END:VTIMEZONE",
		"BEGIN:VEVENT", "UID:e1", "DTSTAMP:20260101T000000Z",
		"DTSTART;TZID=Custom Eastern:20260115T100000", "DURATION:PT30M", "RRULE:FREQ=MONTHLY;COUNT=7", "END:VEVENT",
	)
	occ := expandAll(t, data, time.UTC, utc("2026-01-01 00:00"), utc("2026-12-31 00:00"))
	if len(occ) != 7 {
		t.Fatalf("got %d occurrences", len(occ))
	}
	if !occ[0].Start.Equal(utc("2026-01-15 15:00")) || !occ[6].Start.Equal(utc("2026-07-15 14:00")) {
		t.Fatalf("January %v, July %v", occ[0].Start.UTC(), occ[6].Start.UTC())
	}
	if occ[0].End.Sub(occ[0].Start) != 30*time.Minute {
		t.Errorf("duration %v", occ[0].End.Sub(occ[0].Start))
	}
	_, series, _ := Parse(data, time.UTC)
	_, hi, err := series[0].Span(utc("2100-01-01 00:00"))
	if err != nil || hi.Before(utc("2026-07-15 14:30")) || hi.After(utc("2026-07-17 00:00")) {
		t.Errorf("span end of a COUNT rule: %v %v", hi, err)
	}
}

func TestAllDayAndFloating(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	data := ics(
		"BEGIN:VEVENT", "UID:d", "DTSTAMP:20260101T000000Z", "DTSTART;VALUE=DATE:20260217",
		"SUMMARY:春节", "RRULE:FREQ=DAILY;COUNT=3", "END:VEVENT",
		"BEGIN:VEVENT", "UID:f", "DTSTAMP:20260101T000000Z", "DTSTART:20260218T083000", "DTEND:20260218T093000",
		"SUMMARY:晨跑", "END:VEVENT",
	)
	occ := expandAll(t, data, sh, time.Date(2026, 2, 18, 0, 0, 0, 0, sh), time.Date(2026, 2, 19, 0, 0, 0, 0, sh))
	if len(occ) != 2 {
		t.Fatalf("occurrences: %+v", occ)
	}
	var day, float Occurrence
	for _, o := range occ {
		if o.AllDay {
			day = o
		} else {
			float = o
		}
	}
	if !day.Start.Equal(time.Date(2026, 2, 18, 0, 0, 0, 0, sh)) || !day.End.Equal(time.Date(2026, 2, 19, 0, 0, 0, 0, sh)) || !day.Recurring {
		t.Errorf("all-day: %+v", day)
	}
	if !float.Floating || float.Start.Hour() != 8 || float.Start.Location() != sh {
		t.Errorf("floating: %+v", float)
	}
	_, series, _ := Parse(data, sh)
	if _, hi, _ := series[0].Span(utc("2100-01-01 00:00")); hi.Before(time.Date(2026, 2, 20, 0, 0, 0, 0, sh)) {
		t.Errorf("span of a 3-day series ends %v", hi)
	}
}

func TestCancelledOverrideAndEndlessSpan(t *testing.T) {
	data := ics(
		"BEGIN:VEVENT", "UID:c", "DTSTAMP:20260101T000000Z", "DTSTART:20260105T020000Z", "DTEND:20260105T030000Z",
		"RRULE:FREQ=DAILY", "END:VEVENT",
		"BEGIN:VEVENT", "UID:c", "DTSTAMP:20260101T000000Z", "RECURRENCE-ID:20260106T020000Z",
		"DTSTART:20260106T020000Z", "DTEND:20260106T030000Z", "STATUS:CANCELLED", "END:VEVENT",
	)
	occ := expandAll(t, data, time.UTC, utc("2026-01-05 00:00"), utc("2026-01-08 00:00"))
	if len(occ) != 2 || occ[1].Start.Day() != 7 {
		t.Fatalf("occurrences: %+v", occ)
	}
	far := utc("2100-01-01 00:00")
	_, series, _ := Parse(data, time.UTC)
	if _, hi, _ := series[0].Span(far); !hi.Equal(far) {
		t.Errorf("endless rule span: %v", hi)
	}
}
