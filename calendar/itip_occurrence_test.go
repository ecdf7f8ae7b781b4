package calendar

import (
	"strings"
	"testing"
	"time"
)

// An invitation to one occurrence of a weekly series becomes that
// occurrence's override in the stored series (the series stays), a second
// one for the same instance replaces it, and a CANCEL of another instance
// removes only that one.
func TestOccurrenceRequestAndCancel(t *testing.T) {
	sh := shanghai(t)
	series := ics("BEGIN:VEVENT", "UID:w", "DTSTAMP:20260101T000000Z",
		"DTSTART;TZID=Asia/Shanghai:20260302T100000", "DTEND;TZID=Asia/Shanghai:20260302T110000",
		"RRULE:FREQ=WEEKLY;COUNT=4", "SUMMARY:周会", "ORGANIZER:mailto:boss@example.cn",
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:wang@example.cn", "END:VEVENT")
	occ := func(method, summary, start string) string {
		return strings.Replace(ics("BEGIN:VEVENT", "UID:w", "DTSTAMP:20260101T000000Z", "SEQUENCE:1",
			"RECURRENCE-ID;TZID=Asia/Shanghai:20260309T100000",
			"DTSTART;TZID=Asia/Shanghai:"+start, "DURATION:PT1H", "SUMMARY:"+summary,
			"ORGANIZER:mailto:boss@example.cn", "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:wang@example.cn", "END:VEVENT"),
			"BEGIN:VEVENT", "METHOD:"+method+"\r\nBEGIN:VEVENT", 1)
	}
	from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, sh), time.Date(2026, 4, 1, 0, 0, 0, 0, sh)
	list := func(data string) string {
		var out []string
		for _, o := range expandAll(t, data, sh, from, to) {
			out = append(out, o.Start.In(sh).Format("01-02 15:04")+" "+o.Summary)
		}
		return strings.Join(out, " | ")
	}

	req := occ("REQUEST", "周会（改到下午）", "20260309T150000")
	inv, err := ParseInvite(req, sh)
	if err != nil || !inv.RecurrenceID.Equal(time.Date(2026, 3, 9, 10, 0, 0, 0, sh)) {
		t.Fatalf("invite: %+v %v", inv, err)
	}
	stored, err := Stored(req, "wang@example.cn", "ACCEPTED")
	if err != nil {
		t.Fatal(err)
	}
	merged, err := MergeOccurrence(series, stored, sh)
	if err != nil {
		t.Fatal(err)
	}
	want := "03-02 10:00 周会 | 03-09 15:00 周会（改到下午） | 03-16 10:00 周会 | 03-23 10:00 周会"
	if got := list(merged); got != want {
		t.Fatalf("merged:\n got %s\nwant %s", got, want)
	}
	if strings.Contains(merged, "METHOD") || !strings.Contains(merged, "RRULE:FREQ=WEEKLY;COUNT=4") {
		t.Fatalf("merged object:\n%s", merged)
	}
	// The organizer moves it again: the override is replaced, not doubled.
	again, err := MergeOccurrence(merged, occ("REQUEST", "周会（再改）", "20260309T160000"), sh)
	if err != nil {
		t.Fatal(err)
	}
	want = "03-02 10:00 周会 | 03-09 16:00 周会（再改） | 03-16 10:00 周会 | 03-23 10:00 周会"
	if got := list(again); got != want || strings.Count(again, "RECURRENCE-ID") != 1 {
		t.Fatalf("merged again:\n got %s\nwant %s\n%s", got, want, again)
	}
	// CANCEL of the overridden instance and of a plain one.
	cancelled, empty, err := CancelOccurrence(again, occ("CANCEL", "周会", "20260309T100000"), sh)
	if err != nil || empty {
		t.Fatalf("cancel: %v %v", empty, err)
	}
	if got, want := list(cancelled), "03-02 10:00 周会 | 03-16 10:00 周会 | 03-23 10:00 周会"; got != want {
		t.Fatalf("after cancel:\n got %s\nwant %s", got, want)
	}
	plain := strings.Replace(occ("CANCEL", "周会", "20260316T100000"), "RECURRENCE-ID;TZID=Asia/Shanghai:20260309T100000",
		"RECURRENCE-ID;TZID=Asia/Shanghai:20260316T100000", 1)
	cancelled, _, err = CancelOccurrence(cancelled, plain, sh)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := list(cancelled), "03-02 10:00 周会 | 03-23 10:00 周会"; got != want {
		t.Fatalf("after second cancel:\n got %s\nwant %s", got, want)
	}
	// A member who keeps only the occurrence (no master): cancelling it
	// leaves nothing, and the caller deletes the object.
	if _, empty, err := CancelOccurrence(stored, occ("CANCEL", "x", "20260309T150000"), sh); err != nil || !empty {
		t.Fatalf("cancel the only occurrence: empty=%v %v", empty, err)
	}
	if _, err := MergeOccurrence(series, ics("METHOD:REQUEST", "BEGIN:VEVENT", "UID:other", "RECURRENCE-ID:20260309T020000Z",
		"DTSTART:20260309T020000Z", "END:VEVENT"), sh); err == nil {
		t.Fatal("merged an occurrence of another series")
	}
}
