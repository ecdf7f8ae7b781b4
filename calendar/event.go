package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// Occurrence is one event instance on the timeline, ready for a view.
type Occurrence struct {
	UID                            string
	Summary, Location, Description string
	Start, End                     time.Time // End is exclusive
	AllDay                         bool      // DATE values: Start/End are midnights in the viewer's zone
	Floating                       bool      // no zone in the data: wall time in the viewer's zone
	// RecurrenceID is the original start of this instance of a recurring
	// series (zero for a single event); it names the instance in edits.
	RecurrenceID time.Time
	Recurring    bool
	Organizer    string
	Attendees    []string
	// Reminders: how long before Start each alarm fires (VALARM).
	Reminders []time.Duration
	// RRule is the series' rule as written ("" when it does not repeat).
	RRule string
}

// Series is all the VEVENTs of one UID in one calendar object: the master
// (with RRULE, RDATE, EXDATE) and its RECURRENCE-ID overrides (RFC 5545
// §3.8.4.4). go-ical does not apply overrides; Expand does.
type Series struct {
	UID       string
	Master    *ical.Component // nil when the object holds overrides only
	Overrides []*ical.Component
	z         *zones
	b         *bSeries // the brief, read once (brief)
}

// ErrNoEvent: the object holds no VEVENT (a VTODO, or nothing usable).
var ErrNoEvent = errors.New("calendar: no event")

// Parse reads an iCalendar document and groups its VEVENTs by UID. loc is
// the viewer's zone, used for floating times, all-day dates and unknown
// TZIDs.
func Parse(data string, loc *time.Location) (*ical.Calendar, []*Series, error) {
	return parse(data, loc, nil)
}

func parse(data string, loc *time.Location, zc *ZoneCache) (*ical.Calendar, []*Series, error) {
	cal, err := ical.NewDecoder(strings.NewReader(data)).Decode()
	if err != nil {
		return nil, nil, fmt.Errorf("calendar: parse: %w", err)
	}
	z := newZones(cal, loc)
	if zc == nil { // zones loaded by name once per document at least
		zc = &ZoneCache{}
	}
	z.shared = zc
	byUID := map[string]*Series{}
	var order []string
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent {
			continue
		}
		uid := propText(c, ical.PropUID)
		s, ok := byUID[uid]
		if !ok {
			s = &Series{UID: uid, z: z}
			byUID[uid] = s
			order = append(order, uid)
		}
		if c.Props.Get(ical.PropRecurrenceID) != nil {
			s.Overrides = append(s.Overrides, c)
		} else if s.Master == nil {
			s.Master = c
		}
	}
	if len(order) == 0 {
		return cal, nil, ErrNoEvent
	}
	out := make([]*Series, 0, len(order))
	for _, uid := range order {
		out = append(out, byUID[uid])
	}
	return cal, out, nil
}

func propText(c *ical.Component, name string) string {
	p := c.Props.Get(name)
	if p == nil {
		return ""
	}
	if t, err := p.Text(); err == nil {
		return t
	}
	return p.Value
}

// dateTime reads a DATE or DATE-TIME property (RFC 5545 §3.3.4, §3.3.5):
// UTC, with a TZID resolved by z, or floating.
func (z *zones) dateTime(p *ical.Prop) (t time.Time, allDay, floating bool, err error) {
	if p == nil {
		return time.Time{}, false, false, errors.New("calendar: missing date")
	}
	return z.parseValue(p.Value, p.Params.Get(ical.ParamValue), p.Params.Get(ical.PropTimezoneID))
}

func (z *zones) parseValue(v, valueType, tzid string) (time.Time, bool, bool, error) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(valueType, "DATE") || len(v) == 8 {
		t, err := time.ParseInLocation("20060102", v, z.def)
		return t, true, false, err
	}
	if strings.HasSuffix(v, "Z") {
		t, err := time.ParseInLocation("20060102T150405Z", v, time.UTC)
		return t, false, false, err
	}
	if tzid != "" {
		t, err := time.ParseInLocation("20060102T150405", v, z.location(tzid))
		return t, false, false, err
	}
	t, err := time.ParseInLocation("20060102T150405", v, z.def)
	return t, false, true, err
}

// times returns a component's start and exclusive end. Without DTEND or
// DURATION an all-day event lasts one day and a timed one is an instant
// (RFC 5545 §3.6.1).
func (z *zones) times(c *ical.Component) (start, end time.Time, allDay, floating bool, err error) {
	start, allDay, floating, err = z.dateTime(c.Props.Get(ical.PropDateTimeStart))
	if err != nil {
		return
	}
	if p := c.Props.Get(ical.PropDateTimeEnd); p != nil {
		end, _, _, err = z.dateTime(p)
		if err != nil {
			return
		}
	} else if p := c.Props.Get(ical.PropDuration); p != nil {
		d, derr := p.Duration()
		if derr != nil {
			err = derr
			return
		}
		end = addDuration(start, d, allDay)
	} else if allDay {
		end = start.AddDate(0, 0, 1)
	} else {
		end = start
	}
	if end.Before(start) {
		end = start
	}
	return
}

// addDuration adds d to t; whole days of an all-day event are calendar
// days, not 24-hour spans (a DST day is 23 or 25 hours).
func addDuration(t time.Time, d time.Duration, allDay bool) time.Time {
	if allDay && d%(24*time.Hour) == 0 {
		return t.AddDate(0, 0, int(d/(24*time.Hour)))
	}
	return t.Add(d)
}

// recurrence builds the rrule set of the master from its iCalendar (for
// edits; views expand briefs): RRULE, RDATEs, EXDATEs. ok is false for a
// single, non-recurring event.
func (s *Series) recurrence(start time.Time) (*rrule.Set, bool, error) {
	m := s.Master
	set := &rrule.Set{}
	recurring := false
	if p := m.Props.Get(ical.PropRecurrenceRule); p != nil {
		opt, err := rrule.StrToROptionInLocation(p.Value, start.Location())
		if err != nil {
			return nil, false, fmt.Errorf("calendar: RRULE %q: %w", p.Value, err)
		}
		opt.Dtstart = start
		if !opt.Until.IsZero() && opt.Until.Location() != start.Location() {
			opt.Until = opt.Until.In(start.Location())
		}
		r, err := rrule.NewRRule(*opt)
		if err != nil {
			return nil, false, fmt.Errorf("calendar: RRULE %q: %w", p.Value, err)
		}
		set.RRule(r)
		recurring = true
	}
	set.DTStart(start)
	if !recurring {
		set.RDate(start)
	}
	for _, name := range []string{ical.PropRecurrenceDates, ical.PropExceptionDates} {
		for _, p := range m.Props.Values(name) {
			if strings.EqualFold(p.Params.Get(ical.ParamValue), "PERIOD") {
				continue // RDATE periods are rare; their starts would need their own ends
			}
			for _, v := range strings.Split(p.Value, ",") {
				t, _, _, err := s.z.parseValue(v, p.Params.Get(ical.ParamValue), p.Params.Get(ical.PropTimezoneID))
				if err != nil {
					continue // one bad date must not hide the series
				}
				if name == ical.PropRecurrenceDates {
					set.RDate(t)
					recurring = true
				} else {
					set.ExDate(t)
				}
			}
		}
	}
	return set, recurring, nil
}
