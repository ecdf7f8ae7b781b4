package calendar

import (
	"errors"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// A brief is what views need of a calendar object, read once when the
// object is synced or saved and stored beside it (store.CalObject.Brief):
// per VEVENT its summary, location, description, organizer, attendees,
// reminders, status, start and end, RRULE, RDATE, EXDATE and
// RECURRENCE-ID, with every TZID already resolved to a zone key. Drawing a
// month then decodes small records instead of parsing iCalendar; the
// expansion (Series.Expand) works on briefs whichever way they came.
//
// Times that depend on the viewer's zone (floating, all-day, an unknown
// TZID) are kept as wall clocks and placed in the viewer's zone when
// expanded, so one brief serves any viewer.

// BriefVersion is the first byte of an encoded brief. Change it with the
// encoding: rows whose brief has another version are parsed again.
const BriefVersion byte = 1

// Kinds of bTime.
const (
	tNone  byte = 0
	tZoned byte = 'Z' // an instant, expanded in zone ("" UTC)
	tWall  byte = 'W' // wall clock in the viewer's zone: a TZID we could not resolve
	tFloat byte = 'F' // floating wall clock (RFC 5545 §3.3.5 form 1)
	tDate  byte = 'D' // a DATE: midnight in the viewer's zone
)

// bTime is a DATE or DATE-TIME as read: Unix seconds of the instant
// (tZoned) or of the wall clock read as UTC (the others).
type bTime struct {
	kind byte
	zone string
	sec  int64
}

// Flags of a bComp.
const (
	fRRule    byte = 1 << iota // has an RRULE property
	fRDate                     // has an RDATE property
	fExDate                    // has an EXDATE property
	fDur                       // ends by DURATION (dur), not DTEND
	fBad                       // DTSTART, DTEND or DURATION unreadable
	fCancel                    // STATUS:CANCELLED
	fOverride                  // has a RECURRENCE-ID (rid; tNone when unreadable)
)

// bComp is one VEVENT of a brief.
type bComp struct {
	flags                                            byte
	summary, location, description, organizer, rrule string
	attendees                                        []string
	reminders                                        []time.Duration
	start, end, rid                                  bTime
	dur                                              time.Duration
	rdates, exdates                                  []bTime
}

// bSeries is the brief of one Series.
type bSeries struct {
	uid       string
	master    *bComp // nil when the object holds overrides only
	overrides []*bComp
}

var errBadTimes = errors.New("calendar: unreadable event times")

// bTimeOf reads a DATE or DATE-TIME value as parseValue does.
func (z *zones) bTimeOf(v, valueType, tzid string) (bTime, error) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(valueType, "DATE") || len(v) == 8 {
		t, err := time.ParseInLocation("20060102", v, time.UTC)
		return bTime{kind: tDate, sec: t.Unix()}, err
	}
	if strings.HasSuffix(v, "Z") {
		t, err := time.ParseInLocation("20060102T150405Z", v, time.UTC)
		return bTime{kind: tZoned, sec: t.Unix()}, err
	}
	if tzid != "" {
		if loc, key := z.locationKey(tzid); key != "" {
			t, err := time.ParseInLocation("20060102T150405", v, loc)
			return bTime{kind: tZoned, zone: key, sec: t.Unix()}, err
		}
		t, err := time.ParseInLocation("20060102T150405", v, time.UTC)
		return bTime{kind: tWall, sec: t.Unix()}, err
	}
	t, err := time.ParseInLocation("20060102T150405", v, time.UTC)
	return bTime{kind: tFloat, sec: t.Unix()}, err
}

func (z *zones) bTimeProp(p *ical.Prop) (bTime, error) {
	if p == nil {
		return bTime{}, errors.New("calendar: missing date")
	}
	return z.bTimeOf(p.Value, p.Params.Get(ical.ParamValue), p.Params.Get(ical.PropTimezoneID))
}

// briefComp reads what views need of one VEVENT.
func (z *zones) briefComp(c *ical.Component) *bComp {
	b := &bComp{
		summary: propText(c, ical.PropSummary), location: propText(c, ical.PropLocation),
		description: propText(c, ical.PropDescription),
		organizer:   strings.TrimPrefix(strings.TrimPrefix(propText(c, ical.PropOrganizer), "mailto:"), "MAILTO:"),
		reminders:   remindersOf(c),
	}
	for _, a := range c.Props.Values(ical.PropAttendee) {
		b.attendees = append(b.attendees, mailto(a.Value))
	}
	if strings.EqualFold(propText(c, ical.PropStatus), "CANCELLED") {
		b.flags |= fCancel
	}
	var err error
	if b.start, err = z.bTimeProp(c.Props.Get(ical.PropDateTimeStart)); err != nil {
		b.flags |= fBad
	}
	if p := c.Props.Get(ical.PropDateTimeEnd); p != nil {
		if b.end, err = z.bTimeProp(p); err != nil {
			b.flags |= fBad
		}
	} else if p := c.Props.Get(ical.PropDuration); p != nil {
		b.flags |= fDur
		if b.dur, err = p.Duration(); err != nil {
			b.flags |= fBad
		}
	}
	if p := c.Props.Get(ical.PropRecurrenceID); p != nil {
		b.flags |= fOverride
		if b.rid, err = z.bTimeProp(p); err != nil {
			b.rid = bTime{}
		}
	}
	if p := c.Props.Get(ical.PropRecurrenceRule); p != nil {
		b.flags |= fRRule
		b.rrule = p.Value
	}
	for _, name := range []string{ical.PropRecurrenceDates, ical.PropExceptionDates} {
		ps := c.Props.Values(name)
		if len(ps) == 0 {
			continue
		}
		if name == ical.PropRecurrenceDates {
			b.flags |= fRDate
		} else {
			b.flags |= fExDate
		}
		for _, p := range ps {
			if strings.EqualFold(p.Params.Get(ical.ParamValue), "PERIOD") {
				continue // RDATE periods are rare; their starts would need their own ends
			}
			for _, v := range strings.Split(p.Value, ",") {
				t, err := z.bTimeOf(v, p.Params.Get(ical.ParamValue), p.Params.Get(ical.PropTimezoneID))
				if err != nil {
					continue // one bad date must not hide the series
				}
				if name == ical.PropRecurrenceDates {
					b.rdates = append(b.rdates, t)
				} else {
					b.exdates = append(b.exdates, t)
				}
			}
		}
	}
	return b
}

// brief returns the series' brief, read once.
func (s *Series) brief() *bSeries {
	if s.b != nil {
		return s.b
	}
	b := &bSeries{uid: s.UID}
	if s.Master != nil {
		b.master = s.z.briefComp(s.Master)
	}
	for _, o := range s.Overrides {
		b.overrides = append(b.overrides, s.z.briefComp(o))
	}
	s.b = b
	return b
}

// EncodeBrief is the brief of a parsed object's series, for the cache.
func EncodeBrief(series []*Series) []byte {
	bs := make([]*bSeries, len(series))
	for i, s := range series {
		bs[i] = s.brief()
	}
	return encodeBrief(bs)
}

// placer puts a brief's times on the timeline of a viewer in def.
type placer struct {
	def *time.Location
	zc  *ZoneCache // may be nil
}

func (p placer) at(t bTime) time.Time {
	if t.kind == tZoned {
		loc := time.UTC
		if t.zone != "" {
			if l, err := p.zc.zone(t.zone); err == nil {
				loc = l
			} else {
				loc = p.def
			}
		}
		return time.Unix(t.sec, 0).In(loc)
	}
	w := time.Unix(t.sec, 0).UTC()
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, p.def)
}

// times is zones.times on a brief.
func (p placer) times(c *bComp) (start, end time.Time, allDay, floating bool, err error) {
	if c.flags&fBad != 0 {
		return time.Time{}, time.Time{}, false, false, errBadTimes
	}
	start, allDay, floating = p.at(c.start), c.start.kind == tDate, c.start.kind == tFloat
	switch {
	case c.end.kind != tNone:
		end = p.at(c.end)
	case c.flags&fDur != 0:
		end = addDuration(start, c.dur, allDay)
	case allDay:
		end = start.AddDate(0, 0, 1)
	default:
		end = start
	}
	if end.Before(start) {
		end = start
	}
	return start, end, allDay, floating, nil
}
