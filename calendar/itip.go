package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// iTIP (RFC 5546) over mail (iMIP, RFC 6047): the scheduling messages a
// member sends and receives. Pure functions over iCalendar text.

// Invite is an iTIP message as an invitation card shows it.
type Invite struct {
	Method    string // REQUEST, REPLY, CANCEL…
	UID       string
	Sequence  int
	Summary   string
	Location  string
	Start     time.Time
	End       time.Time
	AllDay    bool
	RRule     string
	Organizer string
	Attendees []Attendee
	// RecurrenceID is set when the message is about one occurrence of a
	// series (RFC 5546 §3.2.2.1, §3.2.5): its original start.
	RecurrenceID time.Time
}

// ErrNotITIP: the text is not an iTIP message (no METHOD or no event).
var ErrNotITIP = errors.New("calendar: not an iTIP message")

// ParseInvite reads an iTIP message's first event; times are in loc.
func ParseInvite(data string, loc *time.Location) (Invite, error) {
	cal, series, err := Parse(data, loc)
	if err != nil {
		return Invite{}, err
	}
	method := strings.ToUpper(strings.TrimSpace(propText(cal.Component, ical.PropMethod)))
	if method == "" {
		return Invite{}, ErrNotITIP
	}
	s := series[0]
	c := s.Master
	if c == nil {
		c = s.Overrides[0]
	}
	inv := Invite{Method: method, UID: s.UID, Summary: propText(c, ical.PropSummary), Location: propText(c, ical.PropLocation),
		Organizer: mailto(propText(c, ical.PropOrganizer)), Attendees: attendeesOf(c)}
	if p := c.Props.Get(ical.PropSequence); p != nil {
		fmt.Sscanf(p.Value, "%d", &inv.Sequence)
	}
	if p := c.Props.Get(ical.PropRecurrenceRule); p != nil {
		inv.RRule = p.Value
	}
	if s.Master == nil {
		if t, _, _, err := s.z.dateTime(c.Props.Get(ical.PropRecurrenceID)); err == nil {
			inv.RecurrenceID = t
		}
	}
	if c.Props.Get(ical.PropDateTimeStart) != nil {
		inv.Start, inv.End, inv.AllDay, _, err = s.z.times(c)
		if err != nil {
			return Invite{}, err
		}
	}
	return inv, nil
}

// Request turns a stored event into an iTIP REQUEST (RFC 5546 §3.2.2):
// METHOD set, personal alarms removed.
func Request(data string) (string, error) {
	cal, err := ical.NewDecoder(strings.NewReader(data)).Decode()
	if err != nil {
		return "", fmt.Errorf("calendar: request: %w", err)
	}
	cal.Props.SetText(ical.PropMethod, "REQUEST")
	for _, c := range cal.Children {
		if c.Name == ical.CompEvent {
			setReminder(c, -1, "")
		}
	}
	return encode(cal)
}

// Reply is attendee's REPLY to the REQUEST data (RFC 5546 §3.2.3): the
// event's identity (UID, RECURRENCE-ID, SEQUENCE, DTSTART), the organizer
// and only the replying attendee with partstat (ACCEPTED, TENTATIVE,
// DECLINED).
func Reply(data, attendee, partstat string, now time.Time) (string, error) {
	in, err := ical.NewDecoder(strings.NewReader(data)).Decode()
	if err != nil {
		return "", fmt.Errorf("calendar: reply: %w", err)
	}
	out := ical.NewCalendar()
	out.Props.SetText(ical.PropVersion, "2.0")
	out.Props.SetText(ical.PropProductID, prodID)
	out.Props.SetText(ical.PropMethod, "REPLY")
	found := false
	for _, c := range in.Children {
		switch c.Name {
		case ical.CompTimezone:
			out.Children = append(out.Children, c)
		case ical.CompEvent:
			r := ical.NewComponent(ical.CompEvent)
			for _, name := range []string{ical.PropUID, ical.PropRecurrenceID, ical.PropSequence, ical.PropDateTimeStart,
				ical.PropDateTimeEnd, ical.PropDuration, ical.PropSummary, ical.PropOrganizer} {
				if p := c.Props.Get(name); p != nil {
					r.Props.Set(p)
				}
			}
			r.Props.SetDateTime(ical.PropDateTimeStamp, now.UTC())
			a := Attendee{Addr: attendee, PartStat: strings.ToUpper(partstat)}
			for _, at := range attendeesOf(c) {
				if strings.EqualFold(at.Addr, attendee) {
					a.Name = at.Name
					found = true
				}
			}
			p := attendeeProp(a)
			p.Params.Del(ical.ParamRSVP)
			r.Props.Add(p)
			out.Children = append(out.Children, r)
		}
	}
	if !found {
		return "", fmt.Errorf("calendar: reply: %s is not an attendee: %w", attendee, ErrNotITIP)
	}
	return encode(out)
}

// ApplyReply sets the status a REPLY gives its attendee in the organizer's
// stored copy data (RFC 5546 §3.2.3). It reports whether anything changed.
func ApplyReply(data, reply string) (string, bool, error) {
	rc, err := ical.NewDecoder(strings.NewReader(reply)).Decode()
	if err != nil {
		return "", false, fmt.Errorf("calendar: reply: %w", err)
	}
	status := map[string]string{}
	var uid string
	for _, c := range rc.Children {
		if c.Name == ical.CompEvent {
			uid = propText(c, ical.PropUID)
			for _, a := range attendeesOf(c) {
				status[strings.ToLower(a.Addr)] = a.PartStat
			}
		}
	}
	cal, err := ical.NewDecoder(strings.NewReader(data)).Decode()
	if err != nil {
		return "", false, fmt.Errorf("calendar: reply: %w", err)
	}
	changed := false
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent || propText(c, ical.PropUID) != uid {
			continue
		}
		ps := c.Props[ical.PropAttendee]
		for i := range ps {
			if st, ok := status[strings.ToLower(mailto(ps[i].Value))]; ok && ps[i].Params.Get(ical.ParamParticipationStatus) != st {
				ps[i].Params.Set(ical.ParamParticipationStatus, st)
				ps[i].Params.Del(ical.ParamRSVP)
				changed = true
			}
		}
	}
	if !changed {
		return data, false, nil
	}
	out, err := encode(cal)
	return out, true, err
}

// Stored is the event of an iTIP message as the attendee keeps it in a
// calendar: METHOD removed (RFC 4791 §4.1 forbids it in stored objects)
// and the member's own status set.
func Stored(data, attendee, partstat string) (string, error) {
	cal, err := ical.NewDecoder(strings.NewReader(data)).Decode()
	if err != nil {
		return "", fmt.Errorf("calendar: stored: %w", err)
	}
	cal.Props.Del(ical.PropMethod)
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent {
			continue
		}
		ps := c.Props[ical.PropAttendee]
		for i := range ps {
			if strings.EqualFold(mailto(ps[i].Value), attendee) {
				ps[i].Params.Set(ical.ParamParticipationStatus, strings.ToUpper(partstat))
				ps[i].Params.Del(ical.ParamRSVP)
			}
		}
	}
	return encode(cal)
}
