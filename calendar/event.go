package calendar

import (
	"errors"
	"fmt"
	"sort"
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

func (s *Series) occurrence(c *ical.Component, start, end time.Time, allDay, floating bool) Occurrence {
	o := Occurrence{
		UID: s.UID, Summary: propText(c, ical.PropSummary), Location: propText(c, ical.PropLocation),
		Description: propText(c, ical.PropDescription), Start: start, End: end, AllDay: allDay, Floating: floating,
		Organizer: strings.TrimPrefix(strings.TrimPrefix(propText(c, ical.PropOrganizer), "mailto:"), "MAILTO:"),
	}
	for _, a := range c.Props.Values(ical.PropAttendee) {
		o.Attendees = append(o.Attendees, mailto(a.Value))
	}
	o.Reminders = remindersOf(c)
	if s.Master != nil {
		if p := s.Master.Props.Get(ical.PropRecurrenceRule); p != nil {
			o.RRule = p.Value
		}
	}
	return o
}

// recurrence builds the rrule set of the master: RRULE, RDATEs, EXDATEs.
// ok is false for a single, non-recurring event.
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

// overrideMap keys overrides by the instant of their RECURRENCE-ID.
func (s *Series) overrideMap() map[int64]*ical.Component {
	out := map[int64]*ical.Component{}
	for _, o := range s.Overrides {
		t, _, _, err := s.z.dateTime(o.Props.Get(ical.PropRecurrenceID))
		if err == nil {
			out[t.Unix()] = o
		}
	}
	return out
}

// maxOccurrences bounds one series' expansion within one range.
const maxOccurrences = 5000

// Expand returns the occurrences of the series that overlap [from, to),
// overrides applied, cancelled instances (STATUS:CANCELLED overrides,
// EXDATEs) left out, ordered by start.
func (s *Series) Expand(from, to time.Time) ([]Occurrence, error) {
	var out []Occurrence
	overrides := s.overrideMap()
	used := map[int64]bool{}
	if s.Master != nil {
		start, end, allDay, floating, err := s.z.times(s.Master)
		if err != nil {
			return nil, err
		}
		var set *rrule.Set
		recurring := false
		if s.single() {
			set = &rrule.Set{} // no rule, no dates: the one start, without rrule's work
		} else if set, recurring, err = s.recurrence(start); err != nil {
			return nil, err
		}
		dur := end.Sub(start)
		days := 0
		if allDay {
			days = int((dur + 12*time.Hour) / (24 * time.Hour))
		}
		// An instance that started before from may still run into it.
		var starts []time.Time
		if s.single() {
			if start.Before(to) && !start.Before(from.Add(-dur-time.Second)) {
				starts = []time.Time{start}
			}
		} else {
			starts = set.Between(from.Add(-dur-time.Second), to, true)
		}
		if len(starts) > maxOccurrences {
			starts = starts[:maxOccurrences]
		}
		for _, st := range starts {
			if !st.Before(to) {
				continue
			}
			if o, ok := overrides[st.Unix()]; ok {
				used[st.Unix()] = true
				if occ, ok := s.fromOverride(o, st, from, to); ok {
					out = append(out, occ)
				}
				continue
			}
			en := st.Add(dur)
			if allDay {
				en = st.AddDate(0, 0, days)
			}
			if !en.After(from) && !(en.Equal(st) && !st.Before(from)) {
				continue
			}
			occ := s.occurrence(s.Master, st, en, allDay, floating)
			occ.Recurring = recurring
			if recurring {
				occ.RecurrenceID = st
			}
			out = append(out, occ)
		}
	}
	// Overrides whose instance the rule no longer produces (moved in from
	// elsewhere, or a master we never saw) still show.
	for key, o := range overrides {
		if used[key] {
			continue
		}
		if occ, ok := s.fromOverride(o, time.Unix(key, 0), from, to); ok {
			out = append(out, occ)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

func (s *Series) fromOverride(o *ical.Component, rid time.Time, from, to time.Time) (Occurrence, bool) {
	if strings.EqualFold(propText(o, ical.PropStatus), "CANCELLED") {
		return Occurrence{}, false
	}
	start, end, allDay, floating, err := s.z.times(o)
	if err != nil || !start.Before(to) || (!end.After(from) && !(end.Equal(start) && !start.Before(from))) {
		return Occurrence{}, false
	}
	occ := s.occurrence(o, start, end, allDay, floating)
	occ.Recurring, occ.RecurrenceID = true, rid
	return occ, true
}

// Span bounds every occurrence of the series: the earliest start and the
// latest end, with end = farFuture for a rule without COUNT or UNTIL.
func (s *Series) Span(farFuture time.Time) (time.Time, time.Time, error) {
	var lo, hi time.Time
	widen := func(a, b time.Time) {
		if lo.IsZero() || a.Before(lo) {
			lo = a
		}
		if b.After(hi) {
			hi = b
		}
	}
	if s.Master != nil {
		start, end, _, _, err := s.z.times(s.Master)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		widen(start, end)
		set, recurring, err := s.recurrence(start)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		if recurring {
			if r := set.GetRRule(); r != nil && r.OrigOptions.Count == 0 && r.OrigOptions.Until.IsZero() {
				hi = farFuture
			} else {
				last := set.Before(farFuture, true)
				if !last.IsZero() {
					widen(last, last.Add(end.Sub(start)+24*time.Hour))
				}
			}
		}
	}
	for _, o := range s.Overrides {
		if start, end, _, _, err := s.z.times(o); err == nil {
			widen(start, end)
		}
	}
	return lo, hi, nil
}

// single reports a master with no RRULE, RDATE or EXDATE: one occurrence.
func (s *Series) single() bool {
	p := s.Master.Props
	return p.Get(ical.PropRecurrenceRule) == nil && p.Get(ical.PropRecurrenceDates) == nil && p.Get(ical.PropExceptionDates) == nil
}
