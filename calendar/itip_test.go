package calendar

import (
	"strings"
	"testing"
	"time"
)

// An invitation round trip: the organizer's REQUEST, the attendee's
// ACCEPTED reply, and the organizer's copy updated from it.
func TestITIPRequestReplyApply(t *testing.T) {
	sh := shanghai(t)
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, sh)
	data, err := NewEvent{UID: "inv-1", Summary: "评审会", Location: "3F", Start: start, End: start.Add(time.Hour),
		Organizer: "boss@example.cn", Attendees: []string{"wang@example.cn", "li@example.cn"}, Remind: true, Reminder: 15 * time.Minute}.Encode(false, start)
	if err != nil {
		t.Fatal(err)
	}
	req, err := Request(data)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(req, "VALARM") || !strings.Contains(req, "METHOD:REQUEST") {
		t.Fatalf("request:\n%s", req)
	}
	inv, err := ParseInvite(req, sh)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Method != "REQUEST" || inv.Summary != "评审会" || !inv.Start.Equal(start) || inv.Organizer != "boss@example.cn" ||
		len(inv.Attendees) != 2 || inv.Attendees[0].PartStat != "NEEDS-ACTION" {
		t.Fatalf("invite: %+v", inv)
	}
	if _, err := ParseInvite(data, sh); err != ErrNotITIP {
		t.Fatalf("a stored event is no iTIP message: %v", err)
	}
	reply, err := Reply(req, "WANG@example.cn", "accepted", start)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseInvite(reply, sh)
	if err != nil || r.Method != "REPLY" || r.UID != "inv-1" || len(r.Attendees) != 1 || r.Attendees[0].PartStat != "ACCEPTED" {
		t.Fatalf("reply: %+v %v\n%s", r, err, reply)
	}
	if _, err := Reply(req, "stranger@example.cn", "ACCEPTED", start); err == nil {
		t.Fatal("a reply from a non-attendee")
	}
	updated, changed, err := ApplyReply(data, reply)
	if err != nil || !changed {
		t.Fatalf("apply: %v %v", changed, err)
	}
	got, _ := ParseInvite(strings.Replace(updated, "BEGIN:VEVENT", "METHOD:X\r\nBEGIN:VEVENT", 1), sh)
	if got.Attendees[0].PartStat != "ACCEPTED" || got.Attendees[1].PartStat != "NEEDS-ACTION" {
		t.Fatalf("organizer's copy: %+v", got.Attendees)
	}
	stored, err := Stored(req, "wang@example.cn", "TENTATIVE")
	if err != nil || strings.Contains(stored, "METHOD") || !strings.Contains(stored, "PARTSTAT=TENTATIVE") {
		t.Fatalf("stored: %v\n%s", err, stored)
	}
}
