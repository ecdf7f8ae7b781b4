package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// Scope says which occurrences of a recurring event an edit touches.
type Scope int

const (
	ScopeThis      Scope = iota // one occurrence: a RECURRENCE-ID override (RFC 5545 §3.8.4.4)
	ScopeFollowing              // this and later ones: the series is split in two
	ScopeAll                    // the whole series
)

// Change is an edit of an event. Nil fields are kept.
type Change struct {
	Summary, Location *string
	Shift             time.Duration // moves start and end
	Duration          time.Duration // new length; 0 keeps it
	Description       *string
	// Attendees replaces the attendee list (a kept address keeps its
	// PARTSTAT); Organizer is set with it when the event had none.
	Attendees *[]string
	Organizer string
	// Reminder replaces the alarms: one display alarm that long before the
	// start; a negative value removes them.
	Reminder *time.Duration
	// RRule replaces the rule of the series ("" makes it single); it applies
	// to the master only, so with ScopeAll or ScopeFollowing.
	RRule *string
	// AllDay switches between DATE and DATE-TIME values (timed values are
	// then written in UTC).
	AllDay *bool
}

// ErrNoSeries: the document holds no event with that UID.
var ErrNoSeries = errors.New("calendar: no such event")

type doc struct {
	cal    *ical.Calendar
	z      *zones
	master *ical.Component
	uid    string
}

func openDoc(data, uid string, loc *time.Location) (*doc, error) {
	cal, series, err := Parse(data, loc)
	if err != nil {
		return nil, err
	}
	for _, s := range series {
		if s.UID == uid && s.Master != nil {
			return &doc{cal: cal, z: s.z, master: s.Master, uid: uid}, nil
		}
	}
	return nil, fmt.Errorf("calendar: %q: %w", uid, ErrNoSeries)
}

func (d *doc) events() []*ical.Component {
	var out []*ical.Component
	for _, c := range d.cal.Children {
		if c.Name == ical.CompEvent && propText(c, ical.PropUID) == d.uid {
			out = append(out, c)
		}
	}
	return out
}

// like writes t as a property of name shaped like model (same TZID, DATE
// or UTC form).
func (d *doc) like(name string, model *ical.Prop, t time.Time) *ical.Prop {
	p := ical.NewProp(name)
	switch {
	case model == nil:
		p.Value = t.UTC().Format("20060102T150405Z")
	case strings.EqualFold(model.Params.Get(ical.ParamValue), "DATE") || len(model.Value) == 8:
		p.Params.Set(ical.ParamValue, "DATE")
		p.Value = t.In(d.z.def).Format("20060102")
	case strings.HasSuffix(model.Value, "Z"):
		p.Value = t.UTC().Format("20060102T150405Z")
	case model.Params.Get(ical.PropTimezoneID) != "":
		tzid := model.Params.Get(ical.PropTimezoneID)
		p.Params.Set(ical.PropTimezoneID, tzid)
		p.Value = t.In(d.z.location(tzid)).Format("20060102T150405")
	default: // floating
		p.Value = t.In(d.z.def).Format("20060102T150405")
	}
	return p
}

// apply changes one component's fields and times.
func (d *doc) apply(c *ical.Component, ch Change) error {
	if ch.Summary != nil {
		c.Props.SetText(ical.PropSummary, *ch.Summary)
	}
	if ch.Location != nil {
		c.Props.SetText(ical.PropLocation, *ch.Location)
	}
	d.applyMore(c, ch)
	if ch.AllDay != nil {
		if err := d.setAllDay(c, *ch.AllDay); err != nil {
			return err
		}
	}
	if ch.Shift == 0 && ch.Duration == 0 {
		return nil
	}
	start, end, _, _, err := d.z.times(c)
	if err != nil {
		return err
	}
	model := c.Props.Get(ical.PropDateTimeStart)
	dur := end.Sub(start)
	if ch.Duration != 0 {
		dur = ch.Duration
	}
	start = start.Add(ch.Shift)
	c.Props.Set(d.like(ical.PropDateTimeStart, model, start))
	c.Props.Del(ical.PropDuration)
	c.Props.Set(d.like(ical.PropDateTimeEnd, model, start.Add(dur)))
	return nil
}

// Edit changes the event uid in data and returns the new document. rid
// names the occurrence (its RecurrenceID; ignored for ScopeAll). With
// ScopeFollowing the series is split: the returned data ends before rid,
// and split is a new document, UID newUID, holding rid and what follows.
func Edit(data, uid string, rid time.Time, scope Scope, ch Change, newUID string, loc *time.Location) (updated, split string, err error) {
	d, err := openDoc(data, uid, loc)
	if err != nil {
		return "", "", err
	}
	start, _, _, _, err := d.z.times(d.master)
	if err != nil {
		return "", "", err
	}
	if scope == ScopeFollowing && !rid.After(start) {
		scope = ScopeAll
	}
	switch scope {
	case ScopeAll:
		for _, c := range d.events() {
			if err := d.apply(c, ch); err != nil {
				return "", "", err
			}
			if p := c.Props.Get(ical.PropRecurrenceID); p != nil && ch.Shift != 0 {
				t, _, _, err := d.z.dateTime(p)
				if err == nil {
					c.Props.Set(d.like(ical.PropRecurrenceID, p, t.Add(ch.Shift)))
				}
			}
		}
		d.shiftExdates(d.master, ch.Shift, time.Time{})
	case ScopeThis:
		o := d.override(rid)
		if err := d.apply(o, ch); err != nil {
			return "", "", err
		}
	case ScopeFollowing:
		if split, err = d.splitAt(rid, ch, newUID); err != nil {
			return "", "", err
		}
	}
	updated, err = encode(d.cal)
	return updated, split, err
}

// override returns the RECURRENCE-ID override for rid, creating it from
// the master (without its recurrence) when there is none.
func (d *doc) override(rid time.Time) *ical.Component {
	for _, c := range d.events() {
		if p := c.Props.Get(ical.PropRecurrenceID); p != nil {
			if t, _, _, err := d.z.dateTime(p); err == nil && t.Equal(rid) {
				return c
			}
		}
	}
	start, end, _, _, _ := d.z.times(d.master)
	o := ical.NewComponent(ical.CompEvent)
	for name, ps := range d.master.Props {
		switch name {
		case ical.PropRecurrenceRule, ical.PropRecurrenceDates, ical.PropExceptionDates, ical.PropDuration:
			continue
		}
		o.Props[name] = append([]ical.Prop(nil), ps...)
	}
	model := d.master.Props.Get(ical.PropDateTimeStart)
	o.Props.Set(d.like(ical.PropRecurrenceID, model, rid))
	o.Props.Set(d.like(ical.PropDateTimeStart, model, rid))
	o.Props.Set(d.like(ical.PropDateTimeEnd, model, rid.Add(end.Sub(start))))
	d.cal.Children = append(d.cal.Children, o)
	return o
}

// shiftExdates moves EXDATEs at or after from by shift.
func (d *doc) shiftExdates(c *ical.Component, shift time.Duration, from time.Time) {
	if shift == 0 {
		return
	}
	ps := c.Props.Values(ical.PropExceptionDates)
	for i := range ps {
		var vals []string
		for _, v := range strings.Split(ps[i].Value, ",") {
			t, _, _, err := d.z.parseValue(v, ps[i].Params.Get(ical.ParamValue), ps[i].Params.Get(ical.PropTimezoneID))
			if err == nil && !t.Before(from) {
				v = d.like("EXDATE", &ps[i], t.Add(shift)).Value
			}
			vals = append(vals, v)
		}
		ps[i].Value = strings.Join(vals, ",")
	}
}

// Cancel removes occurrences: ScopeThis adds an EXDATE for rid (and drops
// its override); ScopeFollowing ends the rule before rid. ScopeAll is a
// deletion of the whole object, which the caller does (Syncer.Remove);
// Cancel answers "" for it.
func Cancel(data, uid string, rid time.Time, scope Scope, loc *time.Location) (string, error) {
	if scope == ScopeAll {
		return "", nil
	}
	d, err := openDoc(data, uid, loc)
	if err != nil {
		return "", err
	}
	switch scope {
	case ScopeThis:
		d.dropOverrides(func(t time.Time) bool { return t.Equal(rid) })
		d.master.Props.Add(d.like(ical.PropExceptionDates, d.master.Props.Get(ical.PropDateTimeStart), rid))
	case ScopeFollowing:
		if err := d.endBefore(rid); err != nil {
			return "", err
		}
	}
	return encode(d.cal)
}

// dropOverrides removes the overrides whose RECURRENCE-ID matches and
// returns them.
func (d *doc) dropOverrides(match func(time.Time) bool) []*ical.Component {
	var keep, dropped []*ical.Component
	for _, c := range d.cal.Children {
		if c.Name == ical.CompEvent && propText(c, ical.PropUID) == d.uid {
			if p := c.Props.Get(ical.PropRecurrenceID); p != nil {
				if t, _, _, err := d.z.dateTime(p); err == nil && match(t) {
					dropped = append(dropped, c)
					continue
				}
			}
		}
		keep = append(keep, c)
	}
	d.cal.Children = keep
	return dropped
}

// endBefore limits the master's RRULE to instances before rid (UNTIL one
// second earlier, or the day before for all-day events; RFC 5545 §3.3.10
// wants UNTIL in UTC for zoned starts).
func (d *doc) endBefore(rid time.Time) error {
	p := d.master.Props.Get(ical.PropRecurrenceRule)
	if p == nil {
		return fmt.Errorf("calendar: %q does not repeat: %w", d.uid, ErrNoSeries)
	}
	var parts []string
	for _, part := range strings.Split(p.Value, ";") {
		k, _, _ := strings.Cut(part, "=")
		if k = strings.ToUpper(k); k != "UNTIL" && k != "COUNT" {
			parts = append(parts, part)
		}
	}
	model := d.master.Props.Get(ical.PropDateTimeStart)
	until := d.like("UNTIL", model, rid.Add(-time.Second)).Value
	if !strings.EqualFold(model.Params.Get(ical.ParamValue), "DATE") && len(model.Value) != 8 {
		until = rid.Add(-time.Second).UTC().Format("20060102T150405Z")
	}
	p.Value = strings.Join(append(parts, "UNTIL="+until), ";")
	d.dropOverrides(func(t time.Time) bool { return !t.Before(rid) })
	return nil
}

// splitAt ends the series before rid and returns a new document, UID
// newUID, starting at rid with the change applied; overrides from rid on
// move to it.
func (d *doc) splitAt(rid time.Time, ch Change, newUID string) (string, error) {
	if newUID == "" {
		return "", errors.New("calendar: split needs a new UID")
	}
	start, _, _, _, err := d.z.times(d.master)
	if err != nil {
		return "", err
	}
	set, _, err := (&Series{UID: d.uid, Master: d.master, z: d.z}).recurrence(start)
	if err != nil {
		return "", err
	}
	before := len(set.Between(start, rid, false)) + 1 // instances strictly before rid, DTSTART included
	rule := d.master.Props.Get(ical.PropRecurrenceRule)
	if rule == nil {
		return "", fmt.Errorf("calendar: %q does not repeat: %w", d.uid, ErrNoSeries)
	}
	var parts []string
	for _, part := range strings.Split(rule.Value, ";") {
		k, v, _ := strings.Cut(part, "=")
		if strings.EqualFold(k, "COUNT") {
			var n int
			fmt.Sscanf(v, "%d", &n)
			part = fmt.Sprintf("COUNT=%d", max(1, n-before))
		}
		parts = append(parts, part)
	}
	newRule := strings.Join(parts, ";")

	nm := ical.NewComponent(ical.CompEvent)
	for name, ps := range d.master.Props {
		nm.Props[name] = append([]ical.Prop(nil), ps...)
	}
	nm.Props.SetText(ical.PropUID, newUID)
	nm.Props.Get(ical.PropRecurrenceRule).Value = newRule
	_, end, _, _, _ := d.z.times(d.master)
	model := d.master.Props.Get(ical.PropDateTimeStart)
	nm.Props.Set(d.like(ical.PropDateTimeStart, model, rid))
	nm.Props.Del(ical.PropDuration)
	nm.Props.Set(d.like(ical.PropDateTimeEnd, model, rid.Add(end.Sub(start))))
	nd := &doc{cal: ical.NewCalendar(), z: d.z, master: nm, uid: newUID}
	nd.cal.Props = d.cal.Props
	for _, c := range d.cal.Children {
		if c.Name == ical.CompTimezone {
			nd.cal.Children = append(nd.cal.Children, c)
		}
	}
	nd.cal.Children = append(nd.cal.Children, nm)
	moved := d.dropOverrides(func(t time.Time) bool { return !t.Before(rid) })
	for _, o := range moved {
		o.Props.SetText(ical.PropUID, newUID)
		nd.cal.Children = append(nd.cal.Children, o)
	}
	if err := d.endBefore(rid); err != nil {
		return "", err
	}
	if err := nd.apply(nm, ch); err != nil {
		return "", err
	}
	if ch.Shift != 0 {
		for _, o := range moved {
			if err := nd.apply(o, Change{Shift: ch.Shift}); err != nil {
				return "", err
			}
			if p := o.Props.Get(ical.PropRecurrenceID); p != nil {
				if t, _, _, err := nd.z.dateTime(p); err == nil {
					o.Props.Set(nd.like(ical.PropRecurrenceID, p, t.Add(ch.Shift)))
				}
			}
		}
		nd.shiftExdates(nm, ch.Shift, rid)
	}
	return encode(nd.cal)
}
