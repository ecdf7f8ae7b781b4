package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// NewEvent is an event to write. Start's location is the event's zone;
// UTC writes UTC times.
type NewEvent struct {
	UID, Summary, Location, Description string
	Start, End                          time.Time // End exclusive; for AllDay the day after the last
	AllDay                              bool
	RRule                               string // e.g. "FREQ=WEEKLY;BYDAY=MO"; "" for none
	// Organizer and Attendees make it a scheduling object (RFC 5546): the
	// attendees are asked to reply (RSVP).
	Organizer string
	Attendees []string
	// Reminder, when Remind, is a display alarm that long before the start.
	Reminder time.Duration
	Remind   bool
}

// prodID names Magpie in the documents it writes (RFC 5545 §3.7.3).
const prodID = "-//Magpie//Magpie Calendar//EN"

// Encode returns the iCalendar document for e. Times carry the TZID of
// Start's zone, with the VTIMEZONE RFC 5545 §3.6.5 requires; with utcOnly
// (a server that ignores TZID, NetEase) they are written in UTC instead.
func (e NewEvent) Encode(utcOnly bool, now time.Time) (string, error) {
	if e.UID == "" || e.Start.IsZero() {
		return "", errors.New("calendar: event needs a UID and a start")
	}
	if e.End.Before(e.Start) {
		return "", errors.New("calendar: event ends before it starts")
	}
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, prodID)
	ev := ical.NewComponent(ical.CompEvent)
	ev.Props.SetText(ical.PropUID, e.UID)
	ev.Props.SetDateTime(ical.PropDateTimeStamp, now.UTC())
	if e.Summary != "" {
		ev.Props.SetText(ical.PropSummary, e.Summary)
	}
	if e.Location != "" {
		ev.Props.SetText(ical.PropLocation, e.Location)
	}
	if e.Description != "" {
		ev.Props.SetText(ical.PropDescription, e.Description)
	}
	loc := e.Start.Location()
	if utcOnly {
		loc = time.UTC
	}
	setTime(ev, ical.PropDateTimeStart, e.Start, e.AllDay, loc)
	if !e.End.IsZero() {
		setTime(ev, ical.PropDateTimeEnd, e.End, e.AllDay, loc)
	}
	if e.RRule != "" {
		if _, err := rrule.StrToROption(e.RRule); err != nil {
			return "", fmt.Errorf("calendar: RRULE %q: %w", e.RRule, err)
		}
		p := ical.NewProp(ical.PropRecurrenceRule)
		p.Value = strings.TrimPrefix(e.RRule, "RRULE:")
		ev.Props.Set(p)
	}
	if len(e.Attendees) > 0 {
		setOrganizer(ev, e.Organizer)
		setAttendees(ev, e.Attendees)
	}
	if e.Remind {
		setReminder(ev, e.Reminder, e.Summary)
	}
	if !e.AllDay && loc != time.UTC {
		cal.Children = append(cal.Children, VTimezone(loc, e.Start.Year()))
	}
	cal.Children = append(cal.Children, ev)
	return encode(cal)
}

func encode(cal *ical.Calendar) (string, error) {
	var b strings.Builder
	if err := ical.NewEncoder(&b).Encode(cal); err != nil {
		return "", fmt.Errorf("calendar: encode: %w", err)
	}
	return b.String(), nil
}

// setTime writes a DATE (all-day), a UTC DATE-TIME, or a local DATE-TIME
// with TZID.
func setTime(c *ical.Component, name string, t time.Time, allDay bool, loc *time.Location) {
	p := ical.NewProp(name)
	switch {
	case allDay:
		p.SetDate(t)
	case loc == time.UTC:
		p.Value = t.UTC().Format("20060102T150405Z")
	default:
		p.Params.Set(ical.PropTimezoneID, loc.String())
		p.Value = t.In(loc).Format("20060102T150405")
	}
	c.Props.Set(p)
}

// VTimezone describes loc as a VTIMEZONE valid for year and after, as long
// as the zone keeps its rules: one STANDARD observance for a zone without
// DST (Asia/Shanghai), else STANDARD and DAYLIGHT with yearly
// nth-weekday rules read off the year's transitions.
func VTimezone(loc *time.Location, year int) *ical.Component {
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, loc.String())
	trans := transitions(loc, year)
	if len(trans) != 2 {
		_, off := time.Date(year, 1, 1, 0, 0, 0, 0, loc).Zone()
		std := ical.NewComponent("STANDARD")
		std.Props.Set(rawProp("DTSTART", "19700101T000000"))
		std.Props.Set(rawProp("TZOFFSETFROM", formatOffset(off)))
		std.Props.Set(rawProp("TZOFFSETTO", formatOffset(off)))
		tz.Children = append(tz.Children, std)
		return tz
	}
	for _, tr := range trans {
		name := "STANDARD"
		if tr.to > tr.from {
			name = "DAYLIGHT"
		}
		c := ical.NewComponent(name)
		wall := tr.at.In(time.FixedZone("", tr.from)) // onset in the old offset's wall time
		n := (wall.Day()-1)/7 + 1
		if wall.Day()+7 > daysIn(wall.Year(), wall.Month()) {
			n = -1
		}
		day := strings.ToUpper(wall.Weekday().String()[:2])
		first := nthWeekday(1970, wall.Month(), wall.Weekday(), n)
		c.Props.Set(rawProp("DTSTART", fmt.Sprintf("1970%02d%02dT%s", wall.Month(), first, wall.Format("150405"))))
		c.Props.Set(rawProp("RRULE", fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", wall.Month(), n, day)))
		c.Props.Set(rawProp("TZOFFSETFROM", formatOffset(tr.from)))
		c.Props.Set(rawProp("TZOFFSETTO", formatOffset(tr.to)))
		tz.Children = append(tz.Children, c)
	}
	return tz
}

func rawProp(name, value string) *ical.Prop {
	p := ical.NewProp(name)
	p.Value = value
	return p
}

type transition struct {
	at       time.Time
	from, to int
}

// transitions finds the offset changes of loc in year, to the second.
func transitions(loc *time.Location, year int) []transition {
	var out []transition
	t := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	end := t.AddDate(1, 0, 0)
	_, prev := t.In(loc).Zone()
	for t.Before(end) {
		next := t.Add(24 * time.Hour)
		_, off := next.In(loc).Zone()
		if off != prev {
			lo, hi := t, next // offset prev at lo, off at hi
			for hi.Sub(lo) > time.Second {
				mid := lo.Add(hi.Sub(lo) / 2)
				if _, o := mid.In(loc).Zone(); o == prev {
					lo = mid
				} else {
					hi = mid
				}
			}
			out = append(out, transition{at: hi, from: prev, to: off})
			prev = off
		}
		t = next
	}
	return out
}

func formatOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	if sec%60 != 0 {
		return fmt.Sprintf("%s%02d%02d%02d", sign, sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec/60%60)
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// nthWeekday is the day of month of the nth (or last, n = -1) weekday wd.
func nthWeekday(y int, m time.Month, wd time.Weekday, n int) int {
	if n < 0 {
		last := daysIn(y, m)
		d := time.Date(y, m, last, 0, 0, 0, 0, time.UTC)
		return last - (int(d.Weekday())-int(wd)+7)%7
	}
	d := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return 1 + (int(wd)-int(d.Weekday())+7)%7 + 7*(n-1)
}
