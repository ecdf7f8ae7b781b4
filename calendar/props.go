package calendar

import (
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// Attendee is one ATTENDEE of an event (RFC 5545 §3.8.4.1) with its
// participation status (§3.2.12: NEEDS-ACTION, ACCEPTED, TENTATIVE,
// DECLINED, DELEGATED).
type Attendee struct {
	Addr, Name, PartStat string
}

// mailto strips the mailto: scheme of a CAL-ADDRESS.
func mailto(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 7 && strings.EqualFold(v[:7], "mailto:") {
		return v[7:]
	}
	return v
}

// attendeesOf lists a component's attendees.
func attendeesOf(c *ical.Component) []Attendee {
	var out []Attendee
	for _, p := range c.Props.Values(ical.PropAttendee) {
		ps := strings.ToUpper(p.Params.Get(ical.ParamParticipationStatus))
		if ps == "" {
			ps = "NEEDS-ACTION"
		}
		out = append(out, Attendee{Addr: mailto(p.Value), Name: p.Params.Get(ical.ParamCommonName), PartStat: ps})
	}
	return out
}

// attendeeProp is an ATTENDEE asked to reply (RSVP, RFC 5545 §3.2.17).
func attendeeProp(a Attendee) *ical.Prop {
	p := ical.NewProp(ical.PropAttendee)
	p.Value = "mailto:" + a.Addr
	if a.Name != "" {
		p.Params.Set(ical.ParamCommonName, a.Name)
	}
	p.Params.Set(ical.ParamRole, "REQ-PARTICIPANT")
	ps := a.PartStat
	if ps == "" {
		ps = "NEEDS-ACTION"
	}
	p.Params.Set(ical.ParamParticipationStatus, ps)
	if ps == "NEEDS-ACTION" {
		p.Params.Set(ical.ParamRSVP, "TRUE")
	}
	return p
}

// setAttendees replaces c's attendees by addrs, keeping the status an
// address already had.
func setAttendees(c *ical.Component, addrs []string) {
	had := map[string]Attendee{}
	for _, a := range attendeesOf(c) {
		had[strings.ToLower(a.Addr)] = a
	}
	c.Props.Del(ical.PropAttendee)
	for _, a := range addrs {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		at, ok := had[strings.ToLower(a)]
		if !ok {
			at = Attendee{Addr: a}
		}
		c.Props.Add(attendeeProp(at))
	}
}

// setOrganizer names the organizer (RFC 5545 §3.8.4.3), required in a
// scheduling object with attendees (RFC 6638 §3.1).
func setOrganizer(c *ical.Component, addr string) {
	if addr == "" {
		return
	}
	p := ical.NewProp(ical.PropOrganizer)
	p.Value = "mailto:" + addr
	c.Props.Set(p)
}

// remindersOf lists how long before the start each display or audio
// VALARM fires (RFC 5545 §3.6.6; a TRIGGER relative to the start only).
func remindersOf(c *ical.Component) []time.Duration {
	var out []time.Duration
	for _, a := range c.Children {
		if a.Name != ical.CompAlarm {
			continue
		}
		t := a.Props.Get(ical.PropTrigger)
		if t == nil || strings.EqualFold(t.Params.Get(ical.ParamRelated), "END") ||
			strings.EqualFold(t.Params.Get(ical.ParamValue), "DATE-TIME") {
			continue
		}
		d, err := (&ical.Prop{Name: t.Name, Value: t.Value, Params: ical.Params{}}).Duration()
		if err == nil && d <= 0 {
			out = append(out, -d)
		}
	}
	return out
}

// setReminder replaces c's alarms by one DISPLAY alarm before bytes the
// start; before < 0 removes them.
func setReminder(c *ical.Component, before time.Duration, text string) {
	var kids []*ical.Component
	for _, k := range c.Children {
		if k.Name != ical.CompAlarm {
			kids = append(kids, k)
		}
	}
	c.Children = kids
	if before < 0 {
		return
	}
	a := ical.NewComponent(ical.CompAlarm)
	a.Props.SetText(ical.PropAction, "DISPLAY")
	a.Props.SetText(ical.PropDescription, text)
	t := ical.NewProp(ical.PropTrigger)
	t.Value = formatTrigger(before)
	a.Props.Set(t)
	c.Children = append(c.Children, a)
}

// formatTrigger writes "-PT15M" rather than go-ical's seconds.
func formatTrigger(before time.Duration) string {
	switch m := int64(before / time.Minute); {
	case m == 0:
		return "PT0S"
	case m%(24*60) == 0:
		return fmt.Sprintf("-P%dD", m/(24*60))
	case m%60 == 0:
		return fmt.Sprintf("-PT%dH", m/60)
	default:
		return fmt.Sprintf("-PT%dM", m)
	}
}

// CheckRRule reports whether rule (without "RRULE:") is a recurrence rule
// rrule-go can expand.
func CheckRRule(rule string) error {
	if _, err := rrule.StrToROption(strings.TrimPrefix(rule, "RRULE:")); err != nil {
		return fmt.Errorf("calendar: RRULE %q: %w", rule, err)
	}
	return nil
}

// setRRule replaces the master's rule; "" makes it a single event (its
// RDATE and EXDATE go with the rule).
func setRRule(c *ical.Component, rule string) {
	if rule == "" {
		c.Props.Del(ical.PropRecurrenceRule)
		c.Props.Del(ical.PropRecurrenceDates)
		c.Props.Del(ical.PropExceptionDates)
		return
	}
	p := ical.NewProp(ical.PropRecurrenceRule)
	p.Value = strings.TrimPrefix(rule, "RRULE:")
	c.Props.Set(p)
}

// applyMore applies the fields of ch beyond title, place and times.
func (d *doc) applyMore(c *ical.Component, ch Change) {
	if ch.Description != nil {
		if *ch.Description == "" {
			c.Props.Del(ical.PropDescription)
		} else {
			c.Props.SetText(ical.PropDescription, *ch.Description)
		}
	}
	if ch.Attendees != nil {
		org := mailto(propText(c, ical.PropOrganizer))
		if org == "" && len(*ch.Attendees) > 0 {
			setOrganizer(c, ch.Organizer)
		}
		// The organizer's new version supersedes what attendees hold
		// (RFC 5546 §2.1.4): SEQUENCE goes up.
		if len(*ch.Attendees) > 0 && (org == "" || strings.EqualFold(org, ch.Organizer)) {
			bumpSequence(c)
		}
		setAttendees(c, *ch.Attendees)
		if len(*ch.Attendees) == 0 {
			c.Props.Del(ical.PropOrganizer)
		}
	}
	if ch.Reminder != nil {
		setReminder(c, *ch.Reminder, propText(c, ical.PropSummary))
	}
	if ch.RRule != nil && c.Props.Get(ical.PropRecurrenceID) == nil {
		setRRule(c, *ch.RRule)
	}
}

// setAllDay rewrites DTSTART/DTEND as dates (allDay) or as UTC times.
func (d *doc) setAllDay(c *ical.Component, allDay bool) error {
	start, end, was, _, err := d.z.times(c)
	if err != nil || was == allDay {
		return err
	}
	c.Props.Del(ical.PropDuration)
	if allDay {
		s := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, d.z.def)
		e := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, d.z.def)
		if !e.After(s) {
			e = s.AddDate(0, 0, 1)
		}
		c.Props.SetDate(ical.PropDateTimeStart, s)
		c.Props.SetDate(ical.PropDateTimeEnd, e)
		return nil
	}
	c.Props.Set(rawProp(ical.PropDateTimeStart, start.UTC().Format("20060102T150405Z")))
	c.Props.Set(rawProp(ical.PropDateTimeEnd, end.UTC().Format("20060102T150405Z")))
	return nil
}

// bumpSequence increments SEQUENCE (RFC 5545 §3.8.7.4).
func bumpSequence(c *ical.Component) {
	n := 0
	if p := c.Props.Get(ical.PropSequence); p != nil {
		fmt.Sscanf(p.Value, "%d", &n)
	}
	c.Props.Set(rawProp(ical.PropSequence, fmt.Sprint(n+1)))
}
