package calview

import (
	"sync"
	"time"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/store"
)

// parseCache keeps the parsed objects of earlier loads, so that moving
// through months parses only what changed, and the zones loaded by name.
// A load holds mu for its whole expansion: parsed series are not safe for
// concurrent use.
type parseCache struct {
	mu    sync.Mutex
	zones calendar.ZoneCache
	m     map[store.CalObjectID]parsedObject
}

type parsedObject struct {
	data   string
	loc    *time.Location
	series []*calendar.Series
}

// series parses o, or returns its series from an earlier load when its
// text is unchanged. The caller holds mu.
func (pc *parseCache) series(o store.CalObject, loc *time.Location) ([]*calendar.Series, error) {
	if p, ok := pc.m[o.ID]; ok && p.loc == loc && p.data == o.Data {
		return p.series, nil
	}
	_, series, err := pc.zones.Parse(o.Data, loc)
	if err != nil {
		return nil, err
	}
	if pc.m == nil {
		pc.m = map[store.CalObjectID]parsedObject{}
	}
	pc.m[o.ID] = parsedObject{data: o.Data, loc: loc, series: series}
	return series, nil
}
