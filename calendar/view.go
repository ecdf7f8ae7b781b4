package calendar

import (
	"context"
	"sync"
	"time"

	"github.com/magpie-mail/magpie/store"
)

// Expander expands cached calendar objects for views: from their briefs,
// parsing the iCalendar data only of rows cached without a brief of this
// version (an older cache), whose briefs it keeps for Backfill to store.
// Safe for concurrent use.
type Expander struct {
	Store *store.Store
	Loc   *time.Location // the viewer's zone

	zones ZoneCache
	mu    sync.Mutex
	fresh map[store.CalObjectID]store.CalObject // briefs made by Expand, not yet stored
}

// Objects reads the cached rows of cals whose span meets [from, to), for
// Expand: briefs, and the data only of rows without a current brief.
func (e *Expander) Objects(ctx context.Context, cals []store.CalendarID, from, to time.Time) ([]store.CalObject, error) {
	return e.Store.CalBriefs(ctx, cals, from, to, BriefVersion)
}

// Expand returns the occurrences of row o (from Objects) that overlap
// [from, to), as Series.Expand does.
func (e *Expander) Expand(ctx context.Context, o store.CalObject, from, to time.Time) ([]Occurrence, error) {
	p := placer{def: e.Loc, zc: &e.zones}
	series, err := decodeBrief(o.Brief)
	if err != nil {
		if series, err = e.reparse(ctx, o); err != nil {
			return nil, err
		}
	}
	var out []Occurrence
	for _, s := range series {
		occs, err := s.expand(p, from, to)
		if err != nil {
			continue // one broken series must not hide the others
		}
		if out == nil {
			out = occs
		} else {
			out = append(out, occs...)
		}
	}
	return out, nil
}

// reparse reads the brief of a row that has none (or a stale or broken
// one) from its iCalendar data, and keeps it for Backfill.
func (e *Expander) reparse(ctx context.Context, o store.CalObject) ([]*bSeries, error) {
	e.mu.Lock()
	f, ok := e.fresh[o.ID]
	e.mu.Unlock()
	if ok {
		return decodeBrief(f.Brief)
	}
	data := o.Data
	if data == "" { // a current but unreadable brief: Objects did not read the data
		row, err := e.Store.CalObject(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		data = row.Data
	}
	_, series, err := e.zones.Parse(data, e.Loc)
	bs := make([]*bSeries, len(series))
	for i, s := range series {
		bs[i] = s.brief()
	}
	e.mu.Lock()
	if e.fresh == nil {
		e.fresh = map[store.CalObjectID]store.CalObject{}
	}
	e.fresh[o.ID] = store.CalObject{ID: o.ID, Data: data, Brief: encodeBrief(bs)}
	e.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return bs, nil
}

// Backfill stores the briefs Expand had to make, so that the next view
// reads them; rows changed meanwhile are left alone.
func (e *Expander) Backfill(ctx context.Context) error {
	e.mu.Lock()
	rows := make([]store.CalObject, 0, len(e.fresh))
	for _, r := range e.fresh {
		rows = append(rows, r)
	}
	e.fresh = nil
	e.mu.Unlock()
	return e.Store.SetCalBriefs(ctx, rows)
}
