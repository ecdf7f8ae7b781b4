package mailsync

import (
	"context"
	"net"
	"slices"
	"sync"
	"testing"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

// connCounter counts the connections a dialer opens and how many were
// open at once.
type connCounter struct {
	mu                sync.Mutex
	open, peak, dials int
}

func (cc *connCounter) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	cc.mu.Lock()
	cc.open++
	cc.dials++
	cc.peak = max(cc.peak, cc.open)
	cc.mu.Unlock()
	return &countedConn{Conn: c, cc: cc}, nil
}

type countedConn struct {
	net.Conn
	cc   *connCounter
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.cc.mu.Lock()
		c.cc.open--
		c.cc.mu.Unlock()
	})
	return c.Conn.Close()
}

// TestParallelHeaderPass syncs a corpus whose folders each lack enough
// headers to take a second connection: with bodies off, the headers come
// over exactly two connections; with bodies on, the pass never holds more
// connections than the account's budget, whatever the budget. Every
// folder ends in step with the server, and each was still stored newest
// first: a batch of higher UIDs got lower row IDs (it was committed
// earlier) than every batch of lower UIDs of its folder.
func TestParallelHeaderPass(t *testing.T) {
	const batch = 7
	for _, tc := range []struct {
		name      string
		conns     int
		bodies    account.BodyMode
		wantPeak  int // exactly, when > 0
		wantDials int // exactly, when > 0
	}{
		{name: "headers only", conns: 4, bodies: account.BodiesNone, wantPeak: 2, wantDials: 2},
		{name: "budget 4", conns: 4, bodies: account.BodiesAll},
		{name: "budget 3", conns: 3, bodies: account.BodiesAll},
		{name: "budget 1", conns: 1, bodies: account.BodiesAll, wantPeak: 1, wantDials: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 90)
			cc := &connCounter{}
			dialer := *f.dialer
			dialer.NetDial = cc.dial
			f.acct.MaxConnections = tc.conns
			e := New(f.acct, &dialer, f.st, Options{Batch: batch, Bodies: account.BodyPolicy{Mode: tc.bodies}})
			e.headerWorth = 2
			sum, err := e.SyncOnce(context.Background())
			if err != nil || sum.Failed() {
				t.Fatalf("SyncOnce: %v %+v", err, sum)
			}
			f.assertInStep(tc.bodies == account.BodiesAll)
			t.Logf("%d connections dialled, %d open at once", cc.dials, cc.peak)
			if cc.peak > tc.conns || (tc.wantPeak > 0 && cc.peak != tc.wantPeak) {
				t.Errorf("%d connections open at once; budget %d, want %d", cc.peak, tc.conns, tc.wantPeak)
			}
			if tc.wantDials > 0 && cc.dials != tc.wantDials {
				t.Errorf("%d connections dialled, want %d", cc.dials, tc.wantDials)
			}
			if cc.open != 0 {
				t.Errorf("%d connections left open", cc.open)
			}
			f.assertNewestFirst(batch)
		})
	}
}

// assertNewestFirst checks that every folder's headers were committed in
// batches of batch UIDs from the highest down.
func (f *fixture) assertNewestFirst(batch int) {
	f.t.Helper()
	ctx := context.Background()
	for _, fo := range f.storeFolders() {
		list, err := f.st.UIDs(ctx, fo.ID)
		if err != nil {
			f.t.Fatal(err)
		}
		uids := make([]store.UID, 0, len(list))
		for _, u := range list {
			uids = append(uids, u.UID)
		}
		slices.Sort(uids)
		slices.Reverse(uids)
		var newer []store.MessageID // IDs of the batches before this one
		for lo := 0; lo < len(uids); lo += batch {
			var ids []store.MessageID
			for _, u := range uids[lo:min(lo+batch, len(uids))] {
				id, err := f.st.Lookup(ctx, fo.ID, u)
				if err != nil {
					f.t.Fatal(err)
				}
				ids = append(ids, id)
			}
			if len(newer) > 0 && slices.Max(newer) > slices.Min(ids) {
				f.t.Errorf("%s: UIDs %d… stored before the newer ones above them", fo.Name, uids[lo])
				break
			}
			newer = append(newer, ids...)
		}
	}
}
