package calendar

import (
	"strings"
	"testing"
	"time"
)

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

func starts(t *testing.T, data string, loc *time.Location) []string {
	t.Helper()
	occ := expandAll(t, data, loc, time.Date(2026, 1, 1, 0, 0, 0, 0, loc), time.Date(2027, 1, 1, 0, 0, 0, 0, loc))
	var out []string
	for _, o := range occ {
		out = append(out, o.Start.In(loc).Format("01-02 15:04")+" "+o.Summary)
	}
	return out
}

func weekly(t *testing.T) (string, *time.Location) {
	sh := shanghai(t)
	data, err := NewEvent{UID: "w1", Summary: "周会", Start: time.Date(2026, 3, 2, 10, 0, 0, 0, sh),
		End: time.Date(2026, 3, 2, 11, 0, 0, 0, sh), RRule: "FREQ=WEEKLY;COUNT=4"}.Encode(false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return data, sh
}

func TestEditThisOccurrence(t *testing.T) {
	data, sh := weekly(t)
	s := "专题"
	out, _, err := Edit(data, "w1", time.Date(2026, 3, 9, 10, 0, 0, 0, sh), ScopeThis, Change{Summary: &s, Shift: time.Hour}, "", sh)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(starts(t, out, sh), "|")
	if got != "03-02 10:00 周会|03-09 11:00 专题|03-16 10:00 周会|03-23 10:00 周会" {
		t.Fatalf("after editing one: %s", got)
	}
}

func TestEditThisAndFollowing(t *testing.T) {
	data, sh := weekly(t)
	s := "新周会"
	old, split, err := Edit(data, "w1", time.Date(2026, 3, 16, 10, 0, 0, 0, sh), ScopeFollowing, Change{Summary: &s, Shift: 30 * time.Minute}, "w2", sh)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(starts(t, old, sh), "|"); got != "03-02 10:00 周会|03-09 10:00 周会" {
		t.Fatalf("old series: %s", got)
	}
	if got := strings.Join(starts(t, split, sh), "|"); got != "03-16 10:30 新周会|03-23 10:30 新周会" {
		t.Fatalf("new series: %s", got)
	}
	if !strings.Contains(split, "UID:w2") || !strings.Contains(split, "BEGIN:VTIMEZONE") {
		t.Fatalf("split document:\n%s", split)
	}
}

func TestEditAllAndCancel(t *testing.T) {
	data, sh := weekly(t)
	out, _, err := Edit(data, "w1", time.Time{}, ScopeAll, Change{Shift: -time.Hour}, "", sh)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(starts(t, out, sh), "|"); got != "03-02 09:00 周会|03-09 09:00 周会|03-16 09:00 周会|03-23 09:00 周会" {
		t.Fatalf("after editing all: %s", got)
	}
	one, err := Cancel(data, "w1", time.Date(2026, 3, 9, 10, 0, 0, 0, sh), ScopeThis, sh)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(starts(t, one, sh)); got != 3 {
		t.Fatalf("after cancelling one: %d left", got)
	}
	rest, err := Cancel(data, "w1", time.Date(2026, 3, 16, 10, 0, 0, 0, sh), ScopeFollowing, sh)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(starts(t, rest, sh), "|"); got != "03-02 10:00 周会|03-09 10:00 周会" {
		t.Fatalf("after cancelling the rest: %s", got)
	}
}

// Written events carry a VTIMEZONE; one whose TZID no IANA database knows
// must still land at the same instants, DST included, from that VTIMEZONE.
func TestEncodeCarriesVTimezone(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	data, err := NewEvent{UID: "n1", Summary: "x", Start: time.Date(2026, 1, 15, 9, 0, 0, 0, ny),
		End: time.Date(2026, 1, 15, 10, 0, 0, 0, ny), RRule: "FREQ=MONTHLY;COUNT=7"}.Encode(false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"BEGIN:VTIMEZONE", "TZID:America/New_York", "BYMONTH=3;BYDAY=2SU", "BYMONTH=11;BYDAY=1SU"} {
		if !strings.Contains(data, want) {
			t.Fatalf("missing %q in\n%s", want, data)
		}
	}
	private := strings.ReplaceAll(data, "America/New_York", "Office Zone")
	occ := expandAll(t, private, time.UTC, utc("2026-01-01 00:00"), utc("2026-12-31 00:00"))
	if len(occ) != 7 || !occ[0].Start.Equal(utc("2026-01-15 14:00")) || !occ[6].Start.Equal(utc("2026-07-15 13:00")) {
		t.Fatalf("from the embedded VTIMEZONE: %v … %v", occ[0].Start, occ[len(occ)-1].Start)
	}
	sh := shanghai(t)
	cn, _ := NewEvent{UID: "c", Start: time.Date(2026, 5, 1, 9, 0, 0, 0, sh), End: time.Date(2026, 5, 1, 10, 0, 0, 0, sh)}.Encode(false, time.Now())
	if !strings.Contains(cn, "TZOFFSETTO:+0800") || strings.Contains(cn, "DAYLIGHT") {
		t.Fatalf("Asia/Shanghai VTIMEZONE:\n%s", cn)
	}
	u, _ := NewEvent{UID: "u", Start: time.Date(2026, 5, 1, 9, 0, 0, 0, sh), End: time.Date(2026, 5, 1, 10, 0, 0, 0, sh)}.Encode(true, time.Now())
	if !strings.Contains(u, "DTSTART:20260501T010000Z") || strings.Contains(u, "VTIMEZONE") {
		t.Fatalf("UTC-only (NetEase):\n%s", u)
	}
	day, _ := NewEvent{UID: "d", Start: time.Date(2026, 2, 17, 0, 0, 0, 0, sh), End: time.Date(2026, 2, 18, 0, 0, 0, 0, sh), AllDay: true}.Encode(false, time.Now())
	if !strings.Contains(day, "DTSTART;VALUE=DATE:20260217") {
		t.Fatalf("all-day:\n%s", day)
	}
}
