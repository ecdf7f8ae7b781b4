package migrate

import (
	"cmp"
	"context"
	"slices"

	"github.com/emersion/go-imap/v2"
)

// verify compares the folder's source and destination as multisets of
// content hashes. Source hashes come from the journal (computed from the
// bytes fetched this run or an earlier one: a UID's bytes never change,
// RFC 3501 §2.3.1.1). Destination hashes come from the destination's
// bytes, every one of them: one UID FETCH BODY.PEEK[] of the folder,
// each body streamed through SHA-256 and dropped. What Magpie sent is not
// taken for what the destination holds: a server that alters a message
// on APPEND, or loses one under a UID it announced, is caught here.
func (r *runner) verify(ctx context.Context, f *folderRun) error {
	// One multiset: the source's hashes counted up, the destination's
	// counted down; what stays above zero is missing, a destination hash
	// with nothing left to match is extra.
	set := map[[32]byte]int{}
	byUID := func(m srcMsg, u imap.UID) int { return cmp.Compare(m.UID, u) }
	slices.SortFunc(f.msgs, func(a, b srcMsg) int { return byUID(a, b.UID) }) // sorted already, but for a POP3 maildrop's order
	known := make([]bool, len(f.msgs))
	err := r.j.EachHash(ctx, f.fp.Source, f.srcUIDV, func(uid imap.UID, h [32]byte) {
		if i, ok := slices.BinarySearchFunc(f.msgs, uid, byUID); ok && !known[i] {
			known[i] = true
			set[h]++
		}
	})
	if err != nil {
		return err
	}
	var unknown []imap.UID
	for i, m := range f.msgs {
		if !known[i] {
			unknown = append(unknown, m.UID)
		}
	}
	known = nil
	if len(unknown) > 0 {
		hashes, err := r.src.hashes(ctx, f.fp.Source, unknown)
		if err != nil {
			return err
		}
		for _, h := range hashes {
			set[h]++
		}
		f.rep.SourceCount = len(f.msgs) - (len(unknown) - len(hashes))
	}

	if err := r.openDest(ctx, f); err != nil {
		return err
	}
	n, err := r.dst.fresh(ctx, f.fp.Dest, false)
	if err != nil {
		return err
	}
	f.rep.DestCount, f.rep.Missing, f.rep.Extra = 0, 0, 0
	if n > 0 {
		err := eachBodyHash(r.dst.c.Client, imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, func(_ imap.UID, h [32]byte) {
			f.rep.DestCount++
			if set[h] > 0 {
				set[h]--
			} else {
				f.rep.Extra++
			}
		})
		if err != nil {
			return err
		}
	}
	for _, n := range set {
		f.rep.Missing += n
	}
	return nil
}
