package migrate

import (
	"context"

	"github.com/emersion/go-imap/v2"
)

// Claims protect the no-duplicates guarantee: a destination copy of a
// message (by hash) that a source message accounts for is never taken
// for another source message's. A folder's claims are of two kinds:
//
//   - reservations (folderRun.resv): decisions of this run not yet
//     settled in the journal (about to be appended, in flight, or of
//     unknown fate); they are few, bounded by the batches in flight;
//   - settled claims (folderRun.claimed): journal entries settled in the
//     destination folder, kept only for the keys (Message-ID and size)
//     the destination index has candidates for: dstHas compares a
//     hash's claims with its destination copies only for those keys.
//
// So a copy into a folder that held none of the run's keys holds no
// claim per message copied: the journal has them, and whenever the
// index is built again (it then holds this run's copies) the settled
// claims are read again from the journal (loadClaims). A journal entry
// is never settled and reserved at once outside f.appending held shared
// (each settling write and the reservation's end happen under it), and
// the index is built with f.appending held exclusively: read then, the
// journal and the reservations count every claim once.

// claim reserves one destination copy of h for a decision in progress.
// The caller holds f.mu.
func (f *folderRun) claim(h [32]byte) {
	if f.resv == nil {
		f.resv = map[[32]byte]int{}
	}
	f.resv[h]++
}

// unreserve ends one reservation of h. The caller holds f.mu.
func (f *folderRun) unreserve(h [32]byte) {
	if f.resv[h] <= 1 {
		delete(f.resv, h)
		return
	}
	f.resv[h]--
}

// keepClaim turns a reservation of h into a settled claim once the
// journal has the entry as settled (copied, or already there). The
// caller holds f.mu and f.appending shared.
func (f *folderRun) keepClaim(k msgKey, h [32]byte) {
	f.unreserve(h)
	if len(f.idx[k]) > 0 && f.claimed != nil {
		f.claimed[h]++
	}
}

// claims is how many destination copies of h are accounted for. The
// caller holds f.mu.
func (f *folderRun) claims(h [32]byte) int { return f.claimed[h] + f.resv[h] }

// loadClaims reads the settled claims again for a destination index
// just built (idx): the journal's entries settled in the destination
// folder whose source message is listed (or still to be) and whose key idx has
// candidates for (claims adds the reservations). The caller holds
// f.mu and f.appending exclusively.
func (r *runner) loadClaims(ctx context.Context, f *folderRun, idx map[msgKey][]imap.UID) (map[[32]byte]int, error) {
	claimed := map[[32]byte]int{}
	if len(idx) == 0 {
		return claimed, nil
	}
	// Streamed from the journal: only the claims are kept, not the
	// folder's entries.
	err := r.j.scan(ctx, f.fp.Source, f.srcUIDV, "", nil, func(e Entry) {
		// Listed, or still to be listed (a window ahead, see window.go;
		// not one expunged since its copy, see goneAhead): a copy is
		// never taken for another message's while its own source
		// message may yet be listed.
		if r.settled(f, e) && len(idx[msgKey{e.MessageID, e.Size}]) > 0 &&
			f.lst != nil && (f.lst.has(e.SrcUID) || f.lst.ahead(e.SrcUID)) {
			claimed[e.Hash]++
		}
	})
	if err != nil {
		return nil, err
	}
	return claimed, nil
}
