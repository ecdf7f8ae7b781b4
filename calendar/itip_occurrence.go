package calendar

import (
	"fmt"
	"time"

	"github.com/emersion/go-ical"
)

// An iTIP message about one occurrence of a series carries only that
// occurrence's VEVENT, with a RECURRENCE-ID (RFC 5546 §3.2.2.1 REQUEST,
// §3.2.5 CANCEL). It changes that occurrence of the series the member
// keeps, never the whole series.

// MergeOccurrence puts the occurrence events of msg (an iTIP message or
// its Stored form) into the stored object data as the overrides of their
// RECURRENCE-IDs (RFC 5545 §3.8.4.4), replacing an override the object
// already has for the same instance, and carries over the VTIMEZONEs they
// need. loc places floating and all-day times. Events of msg without a
// RECURRENCE-ID, or of another UID, are not taken.
func MergeOccurrence(data, msg string, loc *time.Location) (string, error) {
	cal, series, err := Parse(data, loc)
	if err != nil {
		return "", err
	}
	in, inSeries, err := Parse(msg, loc)
	if err != nil {
		return "", err
	}
	uid := inSeries[0].UID
	target := seriesOf(series, uid)
	if target == nil {
		return "", fmt.Errorf("calendar: merge occurrence of %q: %w", uid, ErrNoSeries)
	}
	zones := target.z
	have := map[string]bool{}
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			if p := c.Props.Get(ical.PropTimezoneID); p != nil {
				have[p.Value] = true
			}
		}
	}
	merged := 0
	for _, s := range inSeries {
		if s.UID != uid {
			continue
		}
		for _, o := range s.Overrides {
			rid, _, _, err := s.z.dateTime(o.Props.Get(ical.PropRecurrenceID))
			if err != nil {
				continue
			}
			d := &doc{cal: cal, z: zones, uid: uid}
			d.dropOverrides(func(t time.Time) bool { return t.Equal(rid) })
			cal.Children = append(cal.Children, o)
			merged++
		}
	}
	if merged == 0 {
		return "", fmt.Errorf("calendar: merge occurrence of %q: %w", uid, ErrNoSeries)
	}
	var tzs []*ical.Component
	for _, c := range in.Children {
		if c.Name == ical.CompTimezone {
			if p := c.Props.Get(ical.PropTimezoneID); p != nil && !have[p.Value] {
				tzs = append(tzs, c)
				have[p.Value] = true
			}
		}
	}
	cal.Children = append(tzs, cal.Children...)
	return encode(cal)
}

// CancelOccurrence removes from the stored object data the occurrences a
// CANCEL (or the member's decline) names by RECURRENCE-ID: an EXDATE on the
// series and its override dropped; without a master in data, the override
// alone goes. empty reports that no event is left, so that the caller
// deletes the object instead.
func CancelOccurrence(data, msg string, loc *time.Location) (updated string, empty bool, err error) {
	_, inSeries, err := Parse(msg, loc)
	if err != nil {
		return "", false, err
	}
	cal, series, err := Parse(data, loc)
	if err != nil {
		return "", false, err
	}
	uid := inSeries[0].UID
	target := seriesOf(series, uid)
	if target == nil {
		return "", false, fmt.Errorf("calendar: cancel occurrence of %q: %w", uid, ErrNoSeries)
	}
	var rids []time.Time
	for _, s := range inSeries {
		if s.UID != uid {
			continue
		}
		for _, o := range s.Overrides {
			if t, _, _, err := s.z.dateTime(o.Props.Get(ical.PropRecurrenceID)); err == nil {
				rids = append(rids, t)
			}
		}
	}
	if len(rids) == 0 {
		return "", false, fmt.Errorf("calendar: cancel occurrence of %q: %w", uid, ErrNoSeries)
	}
	d := &doc{cal: cal, z: target.z, uid: uid, master: target.Master}
	for _, rid := range rids {
		d.dropOverrides(func(t time.Time) bool { return t.Equal(rid) })
		if d.master != nil {
			d.master.Props.Add(d.like(ical.PropExceptionDates, d.master.Props.Get(ical.PropDateTimeStart), rid))
		}
	}
	if len(d.events()) == 0 {
		return "", true, nil
	}
	updated, err = encode(cal)
	return updated, false, err
}

func seriesOf(series []*Series, uid string) *Series {
	for _, s := range series {
		if s.UID == uid {
			return s
		}
	}
	return nil
}
