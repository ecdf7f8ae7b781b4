package calendar

import (
	"fmt"
	"sort"
	"time"

	"github.com/teambition/rrule-go"
)

// Expansion of a series (RFC 5545 §3.8.5: RRULE, RDATE, EXDATE; §3.8.4.4:
// RECURRENCE-ID overrides, which go-ical does not apply), on its brief.

// maxOccurrences bounds one series' expansion within one range.
const maxOccurrences = 5000

// Expand returns the occurrences of the series that overlap [from, to),
// overrides applied, cancelled instances (STATUS:CANCELLED overrides,
// EXDATEs) left out, ordered by start.
func (s *Series) Expand(from, to time.Time) ([]Occurrence, error) {
	return s.brief().expand(placer{def: s.z.def, zc: s.z.shared}, from, to)
}

// Span bounds every occurrence of the series: the earliest start and the
// latest end, with end = farFuture for a rule without COUNT or UNTIL.
func (s *Series) Span(farFuture time.Time) (time.Time, time.Time, error) {
	return s.brief().span(placer{def: s.z.def, zc: s.z.shared}, farFuture)
}

func (b *bSeries) occurrence(c *bComp, start, end time.Time, allDay, floating bool) Occurrence {
	o := Occurrence{
		UID: b.uid, Summary: c.summary, Location: c.location, Description: c.description,
		Start: start, End: end, AllDay: allDay, Floating: floating,
		Organizer: c.organizer, Attendees: c.attendees, Reminders: c.reminders,
	}
	if b.master != nil {
		o.RRule = b.master.rrule
	}
	return o
}

// single reports a master with no RRULE, RDATE or EXDATE: one occurrence.
func (c *bComp) single() bool { return c.flags&(fRRule|fRDate|fExDate) == 0 }

// recurrence builds the rrule set of the master: RRULE, RDATEs, EXDATEs.
// ok is false for a single, non-recurring event. A rule that only
// matters from near on may start later than start (skipWhole).
func (b *bSeries) recurrence(p placer, start, near time.Time) (*rrule.Set, bool, error) {
	m := b.master
	set := &rrule.Set{}
	recurring := false
	if m.flags&fRRule != 0 {
		opt, err := rrule.StrToROptionInLocation(m.rrule, start.Location())
		if err != nil {
			return nil, false, fmt.Errorf("calendar: RRULE %q: %w", m.rrule, err)
		}
		opt.Dtstart = skipWhole(opt, start, near)
		if !opt.Until.IsZero() && opt.Until.Location() != start.Location() {
			opt.Until = opt.Until.In(start.Location())
		}
		r, err := rrule.NewRRule(*opt)
		if err != nil {
			return nil, false, fmt.Errorf("calendar: RRULE %q: %w", m.rrule, err)
		}
		set.RRule(r)
		set.DTStart(opt.Dtstart) // the rule's; RDATEs and EXDATEs are instants of their own
		recurring = true
	} else {
		set.DTStart(start)
	}
	if !recurring {
		set.RDate(start)
	}
	for _, t := range m.rdates {
		set.RDate(p.at(t))
		recurring = true
	}
	for _, t := range m.exdates {
		set.ExDate(p.at(t))
	}
	return set, recurring, nil
}

// skipWhole moves a DAILY or WEEKLY rule's start forward by whole
// intervals to just before near, so that expanding a range today does not
// walk every instance since a series began years ago. The instances from
// near on are the same: such a rule repeats every interval days or weeks
// from its start, its BY* parts pick days within each period alike, and
// its defaults (the weekday, the time of day) are kept by whole periods of
// wall-clock days. Not with COUNT, which counts from the true start.
func skipWhole(opt *rrule.ROption, start, near time.Time) time.Time {
	if opt.Count != 0 || near.IsZero() || !start.Before(near) {
		return start
	}
	interval := max(opt.Interval, 1)
	var days int
	switch opt.Freq {
	case rrule.DAILY:
		days = interval
	case rrule.WEEKLY:
		days = 7 * interval
	default:
		return start
	}
	n := int(near.Sub(start).Hours()/24) / days
	if n <= 1 {
		return start
	}
	// One period short: DST shifts and the wall-clock arithmetic must not
	// land past near.
	return start.AddDate(0, 0, (n-1)*days)
}

// overrideMap keys overrides by the instant of their RECURRENCE-ID.
func (b *bSeries) overrideMap(p placer) map[int64]*bComp {
	out := make(map[int64]*bComp, len(b.overrides))
	for _, o := range b.overrides {
		if o.rid.kind != tNone {
			out[p.at(o.rid).Unix()] = o
		}
	}
	return out
}

func (b *bSeries) expand(p placer, from, to time.Time) ([]Occurrence, error) {
	var out []Occurrence
	var overrides map[int64]*bComp
	if len(b.overrides) > 0 {
		overrides = b.overrideMap(p)
	}
	used := map[int64]bool{}
	if b.master != nil {
		start, end, allDay, floating, err := p.times(b.master)
		if err != nil {
			return nil, err
		}
		dur := end.Sub(start)
		days := 0
		if allDay {
			days = int((dur + 12*time.Hour) / (24 * time.Hour))
		}
		// An instance that started before from may still run into it.
		var starts []time.Time
		recurring := false
		if b.master.single() { // no rule, no dates: the one start, without rrule's work
			if start.Before(to) && !start.Before(from.Add(-dur-time.Second)) {
				starts = []time.Time{start}
			}
		} else {
			var set *rrule.Set
			if set, recurring, err = b.recurrence(p, start, from.Add(-dur-time.Second)); err != nil {
				return nil, err
			}
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
				if occ, ok := b.fromOverride(p, o, st, from, to); ok {
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
			occ := b.occurrence(b.master, st, en, allDay, floating)
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
		if occ, ok := b.fromOverride(p, o, time.Unix(key, 0), from, to); ok {
			out = append(out, occ)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

func (b *bSeries) fromOverride(p placer, o *bComp, rid time.Time, from, to time.Time) (Occurrence, bool) {
	if o.flags&fCancel != 0 {
		return Occurrence{}, false
	}
	start, end, allDay, floating, err := p.times(o)
	if err != nil || !start.Before(to) || (!end.After(from) && !(end.Equal(start) && !start.Before(from))) {
		return Occurrence{}, false
	}
	occ := b.occurrence(o, start, end, allDay, floating)
	occ.Recurring, occ.RecurrenceID = true, rid
	return occ, true
}

func (b *bSeries) span(p placer, farFuture time.Time) (time.Time, time.Time, error) {
	var lo, hi time.Time
	widen := func(a, c time.Time) {
		if lo.IsZero() || a.Before(lo) {
			lo = a
		}
		if c.After(hi) {
			hi = c
		}
	}
	if b.master != nil {
		start, end, _, _, err := p.times(b.master)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		widen(start, end)
		set, recurring, err := b.recurrence(p, start, time.Time{})
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
	for _, o := range b.overrides {
		if start, end, _, _, err := p.times(o); err == nil {
			widen(start, end)
		}
	}
	return lo, hi, nil
}
