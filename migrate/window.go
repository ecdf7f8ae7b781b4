package migrate

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// A folder is listed one window of UIDs at a time, just before its
// messages are copied (see batchQueue), and a window's listing is dropped
// once its batches are handed out: what a run holds of a folder's
// listing is bounded by a window, not by the folder, however big the
// mailbox. Windows are ascending UID ranges (lo:hi, never descending,
// which some servers reject) fetched without SEARCH (compound SEARCH
// keys are refused by some, see /work/shared/notes/providers.md).

// defaultListWindow is about how many messages one window lists
// (Options.listWindow; tests make it small).
const defaultListWindow = 2000

// inSince reports whether m is in the scope of --since: its INTERNALDATE's
// day, disregarding time and timezone as SEARCH SINCE does (RFC 3501
// §6.4.4), is since's day or later. The zero since takes everything.
func inSince(m srcMsg, since time.Time) bool {
	if since.IsZero() {
		return true
	}
	if !m.hasDate {
		return true // listed by UID alone: its date was in scope when listed in full
	}
	y, mo, d := m.Date().Date()
	sy, smo, sd := since.Date()
	return !time.Date(y, mo, d, 0, 0, 0, 0, time.UTC).Before(time.Date(sy, smo, sd, 0, 0, 0, 0, time.UTC))
}

// listRange lists the selected mailbox's messages with UIDs from lo to
// hi (0: no bound) in scope of since, ascending by UID. Without since,
// the messages in settled (UID → size, from the journal) are listed by
// UID and size alone (one FETCH of those, which also tells which still
// exist); the others, all of them with since, get FLAGS, INTERNALDATE
// and RFC822.SIZE.
func listRange(c *imapclient.Client, lo, hi imap.UID, since time.Time, settled map[imap.UID]int64) ([]srcMsg, error) {
	inRange := func(u imap.UID) bool { return u >= lo && (hi == 0 || u <= hi) }
	rest := imap.UIDSet{imap.UIDRange{Start: lo, Stop: hi}}
	var known []srcMsg
	if since.IsZero() && len(settled) > 0 {
		var ks []imap.UID
		for u := range settled {
			if inRange(u) {
				ks = append(ks, u)
			}
		}
		if len(ks) > 0 {
			set := uidRanges(ks) // sorts ks
			var err error
			if known, err = fetchMeta(c, set, false, false, len(ks)); err != nil {
				return nil, err
			}
			rest = complement(lo, hi, set)
		}
	}
	var out []srcMsg
	if len(rest) > 0 {
		list, err := fetchMeta(c, rest, true, false, 0)
		if err != nil {
			return nil, err
		}
		out = slices.DeleteFunc(list, func(m srcMsg) bool {
			// "n:*" always includes the last message, even below n.
			return !inRange(m.UID) || !inSince(m, since)
		})
	}
	known = slices.DeleteFunc(known, func(m srcMsg) bool { return !inRange(m.UID) })
	if len(known) > 0 {
		out = append(out, known...)
		slices.SortFunc(out, func(a, b srcMsg) int { return cmp.Compare(a.UID, b.UID) })
	}
	// Held until its batches are copied: without the spare capacity of
	// a slice grown by appending.
	if cap(out) > len(out)+len(out)/16 {
		out = slices.Clone(out)
	}
	return out, nil
}

// complement is the UIDs from lo to hi (0: no bound) outside set, whose
// ranges are ascending and disjoint, as ascending ranges.
func complement(lo, hi imap.UID, set imap.UIDSet) imap.UIDSet {
	var out imap.UIDSet
	next := lo
	for _, r := range set {
		if r.Start > next {
			out = append(out, imap.UIDRange{Start: next, Stop: r.Start - 1})
		}
		next = max(next, r.Stop+1)
	}
	if hi == 0 || next <= hi {
		out = append(out, imap.UIDRange{Start: next, Stop: hi})
	}
	return out
}

// folderList is where the listing of a folder being copied stands, and
// what is kept of what was listed: the UIDs in scope as ranges (a few
// per window however many messages), their count and bytes.
type folderList struct {
	next imap.UID // the first UID not listed yet
	last imap.UID // the main pass lists up to here; 0: in one window, 1:*
	span imap.UID // UIDs per window
	done bool     // the main pass is listed
	// first is a window listed by the plan, up to firstUpto (0: 1:*),
	// handed over when hasFirst.
	first     []srcMsg
	firstUpto imap.UID
	hasFirst  bool

	uids  imap.UIDSet
	count int
	size  int64
	top   imap.UID // the highest UID listed in scope
	// gone is the messages the journal has settled beyond the first
	// window that the source no longer holds (see goneAhead).
	gone map[imap.UID]bool
}

// newFolderList starts the listing of a folder EXAMINE described as v,
// in windows of about window messages: UIDs are spread over 1 to
// UIDNEXT-1, a window spans as many UIDs as hold window messages on
// average.
func newFolderList(v folderView, window int) *folderList {
	l := &folderList{next: 1}
	switch {
	case v.UIDNext == 0:
		l.last = 0 // not told (a POP3 maildrop): one window
	case v.Messages == 0:
		l.done = true
		l.last = v.UIDNext - 1
	default:
		l.last = v.UIDNext - 1
		l.span = imap.UID(max(int64(window), int64(window)*int64(v.UIDNext)/int64(v.Messages)))
	}
	return l
}

// add notes msgs, listed in scope, in ascending UID order.
func (l *folderList) add(msgs []srcMsg) {
	for _, m := range msgs {
		if n := len(l.uids); n > 0 && l.uids[n-1].Stop+1 == m.UID {
			l.uids[n-1].Stop = m.UID
		} else {
			l.uids = append(l.uids, imap.UIDRange{Start: m.UID, Stop: m.UID})
		}
		l.count++
		l.size += m.Size
		l.top = max(l.top, m.UID)
	}
}

// has reports whether uid was listed in scope.
func (l *folderList) has(uid imap.UID) bool {
	_, ok := slices.BinarySearchFunc(l.uids, uid, func(r imap.UIDRange, u imap.UID) int {
		switch {
		case r.Stop < u:
			return -1
		case r.Start > u:
			return 1
		}
		return 0
	})
	return ok
}

// parts cuts the UIDs listed from from on into ranges of about chunk listed messages
// each, ascending, the last one open-ended (Stop 0).
func (l *folderList) parts(from imap.UID, chunk int) []imap.UIDRange {
	out := []imap.UIDRange{{Start: from, Stop: 0}}
	if l == nil {
		return out
	}
	n := 0
	for _, rg := range l.uids {
		if rg.Stop < from {
			continue
		}
		for u := max(rg.Start, from); ; {
			left := uint64(rg.Stop) - uint64(u) + 1
			take := min(uint64(chunk-n), left)
			n += int(take)
			if n >= chunk {
				end := imap.UID(uint64(u) + take - 1)
				out[len(out)-1].Stop = end
				out = append(out, imap.UIDRange{Start: end + 1, Stop: 0})
				n = 0
			}
			if take == left {
				break
			}
			u = imap.UID(uint64(u) + take)
		}
	}
	if n == 0 && len(out) > 1 { // the last part would be empty
		out = out[:len(out)-1]
		out[len(out)-1].Stop = 0
	}
	return out
}

// inRange reports whether u is in rg (Stop 0: no bound).
func inRange(rg imap.UIDRange, u imap.UID) bool {
	return u >= rg.Start && (rg.Stop == 0 || u <= rg.Stop)
}

// each calls fn with every UID listed in rg, ascending.
func (l *folderList) each(rg imap.UIDRange, fn func(imap.UID)) {
	for _, r := range l.uids {
		for u := max(r.Start, rg.Start); u <= r.Stop && inRange(rg, u); u++ {
			fn(u)
		}
	}
}

// within is what was listed in rg: its UID ranges and their count.
func (l *folderList) within(rg imap.UIDRange) *folderList {
	out := &folderList{}
	if l == nil {
		return out
	}
	for _, r := range l.uids {
		lo, hi := max(r.Start, rg.Start), r.Stop
		if rg.Stop != 0 {
			hi = min(hi, rg.Stop)
		}
		if hi >= lo {
			out.uids = append(out.uids, imap.UIDRange{Start: lo, Stop: hi})
			out.count += int(hi-lo) + 1
		}
	}
	return out
}

// ahead reports whether uid is still to be listed by the main pass.
func (l *folderList) ahead(uid imap.UID) bool {
	return !l.done && uid >= l.next && (l.last == 0 || uid <= l.last) && !l.gone[uid]
}

// goneChunk is how many UIDs of the journal goneAhead reads at a time.
const goneChunk = 8192

// goneAhead is which messages the journal has settled from UID from to
// upto the source no longer holds. loadClaims counts a settled copy as
// claimed while its source message is still to be listed; were that
// message expunged since the copy, a duplicate of it on the source
// (same content, lower UID) would find the copy taken and be copied
// again beside it. Read in chunks of UIDs, so that what is held is
// bounded by a chunk and the expunged messages; on the source
// connection (the fetching stage's).
func (r *runner) goneAhead(ctx context.Context, f *folderRun, from, upto imap.UID) (map[imap.UID]bool, error) {
	var gone map[imap.UID]bool
	for lo := from; lo <= upto; lo += goneChunk {
		hi := min(upto, lo+goneChunk-1)
		entries, err := r.j.FolderRange(ctx, f.fp.Source, f.srcUIDV, lo, hi)
		if err != nil {
			return nil, err
		}
		var uids []imap.UID
		for u, e := range entries {
			if r.settled(f, e) {
				uids = append(uids, u)
			}
		}
		if len(uids) == 0 {
			continue
		}
		var there map[imap.UID]bool
		err = r.retry(ctx, r.src.drop, func() error {
			var err error
			there, err = r.src.present(ctx, f.fp.Source, uids)
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, u := range uids {
			if !there[u] {
				if gone == nil {
					gone = map[imap.UID]bool{}
				}
				gone[u] = true
			}
		}
		if hi == upto { // lo+goneChunk may wrap at the top of the UID space
			break
		}
	}
	return gone, nil
}

// listWindow lists f's next window and returns its pending messages
// (those the journal does not have as settled) and whether more windows
// are left. It counts the messages settled before (Previously) and, once
// the main pass is listed, sets the folder's source count and total.
func (r *runner) listWindow(ctx context.Context, f *folderRun) ([]srcMsg, bool, error) {
	l := f.lst
	lo, hi := l.next, imap.UID(0)
	if l.span > 0 {
		hi = min(l.last, lo+l.span-1)
	}
	first, hasFirst := l.first, l.hasFirst
	if hasFirst {
		hi = l.firstUpto
		l.first, l.hasFirst = nil, false
	}
	entries, err := r.j.FolderRange(ctx, f.fp.Source, f.srcUIDV, lo, hi)
	if err != nil {
		return nil, false, err
	}
	settled := map[imap.UID]int64{}
	for _, e := range entries {
		if r.settled(f, e) {
			settled[e.SrcUID] = e.Size
		}
	}
	msgs := first
	for _, m := range first {
		if _, ok := settled[m.UID]; !ok && !m.full {
			hasFirst = false // the plan took it for settled; it is not (any more)
			break
		}
	}
	if !hasFirst {
		// On the source connection alone (the fetching stage's, see
		// copyLoop): a failure drops only that one.
		err = r.retry(ctx, r.src.drop, func() error {
			if _, err := r.src.examine(ctx, f.fp.Source); err != nil {
				return err
			}
			var err error
			msgs, err = r.src.list(ctx, f.fp.Source, lo-1, hi, r.plan.Options.Since, settled)
			return err
		})
		if err != nil {
			return nil, false, err
		}
	}
	slices.SortFunc(msgs, func(a, b srcMsg) int { return cmp.Compare(a.UID, b.UID) }) // a POP3 maildrop's order
	var gone map[imap.UID]bool
	if lo == 1 && hi != 0 && hi < l.last { // the first of several windows
		if gone, err = r.goneAhead(ctx, f, hi+1, l.last); err != nil {
			return nil, false, err
		}
	}
	f.mu.Lock() // loadClaims reads what was listed
	if gone != nil {
		l.gone = gone
	}
	if hi == 0 || hi >= l.last {
		l.done = true
	} else {
		l.next = hi + 1
	}
	l.add(msgs)
	f.mu.Unlock()
	prev := 0
	var pending []srcMsg
	for i, m := range msgs {
		if e, ok := entries[m.UID]; ok && r.settled(f, e) {
			if prev == 0 {
				pending = append(make([]srcMsg, 0, len(msgs)-1), msgs[:i]...)
			}
			prev++
			continue
		}
		if prev > 0 {
			pending = append(pending, m)
		}
	}
	if prev == 0 {
		pending = msgs
	}
	f.mu.Lock()
	f.rep.Previously += prev
	f.progress.Done += prev
	if l.done {
		f.rep.SourceCount = l.count
		f.progress.Total = l.count
	}
	f.mu.Unlock()
	if prev > 0 || l.done {
		r.send(ctx, f)
	}
	return pending, !l.done, nil
}
