package calview

import (
	"sync"
	"time"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/store"
)

// parseCache keeps the expander of the model's loads: the zones it loaded
// by name, shared by the model's copies.
type parseCache struct {
	mu sync.Mutex
	e  *calendar.Expander
}

// expander returns the expander for st and the viewer's zone loc.
func (pc *parseCache) expander(st *store.Store, loc *time.Location) *calendar.Expander {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.e == nil || pc.e.Store != st || pc.e.Loc != loc {
		pc.e = &calendar.Expander{Store: st, Loc: loc}
	}
	return pc.e
}
