package migrate

import (
	"cmp"
	"context"
	"slices"

	"github.com/emersion/go-imap/v2"
)

// defaultVerifyChunk is how many destination messages one verification
// task reads back at most (Options.verifyChunk): a big folder is read back by several workers at
// once (each part on its own connection), so that the biggest folder's
// read-back is not the run's tail while the other workers idle.
const defaultVerifyChunk = 1000

// verification is a folder's verification in progress: its parts (the
// source's hashes, and the destination read back by UID ranges) may run
// on different workers, in any order. set is one multiset: the source's
// hashes counted up, the destination's counted down; what stays above
// zero is missing, below zero extra. It is guarded by the folder's mu.
type verification struct {
	set      map[[32]byte]int
	left     int // parts not done yet
	dstCount int
	// what the folder's state records when it verifies (see unchanged.go)
	srcSt, dstSt mailboxStatus
	stErr        error
}

// verifyParts prepares f's verification: the destination's UID space,
// as its STATUS after the catch-up pass tells it (v.dstSt), is cut into
// ranges of about chunk messages; the last range ends at "*", so
// a message the status did not count is read too, and without a status
// (or with one of no messages) the one range is 1:*. It sets f.ver and returns the parts as tasks:
// the source's hashes first, then the ranges.
func (f *folderRun) verifyParts(v *verification, chunk int) []task {
	// The status only decides how the UID space is cut, never what is
	// read: the ranges always cover 1:*. (STATUS of a mailbox the
	// connection has selected may give the session's view, from before
	// another connection's APPENDs: Dovecot does.)
	ranges := []imap.UIDRange{{Start: 1, Stop: 0}}
	if v.stErr == nil && v.dstSt.Messages > 0 {
		ranges = uidChunks(v.dstSt.Messages, imap.UID(v.dstSt.UIDNext), chunk)
	}
	v.set, v.left = map[[32]byte]int{}, 1+len(ranges)
	f.mu.Lock()
	f.ver = v
	f.mu.Unlock()
	tasks := []task{{f, func(ctx context.Context, r *runner) error {
		return r.try(ctx, f, func() error { return r.verifySource(ctx, f) })
	}}}
	for _, rg := range ranges {
		tasks = append(tasks, task{f, func(ctx context.Context, r *runner) error {
			return r.try(ctx, f, func() error { return r.verifyDest(ctx, f, rg) })
		}})
	}
	return tasks
}

// uidChunks cuts UIDs 1 to uidNext-1, holding n messages, into ranges of
// about chunk messages; the last one ends at "*" (Stop 0). Without
// a UIDNEXT it is one range, 1:*.
func uidChunks(n uint32, uidNext imap.UID, chunk int) []imap.UIDRange {
	k := (int(n) + chunk - 1) / chunk
	if uidNext <= 1 || k <= 1 {
		return []imap.UIDRange{{Start: 1, Stop: 0}}
	}
	span := (uint32(uidNext) - 1 + uint32(k) - 1) / uint32(k)
	var out []imap.UIDRange
	for start := uint32(1); start < uint32(uidNext); start += span {
		out = append(out, imap.UIDRange{Start: imap.UID(start), Stop: imap.UID(start + span - 1)})
	}
	out[len(out)-1].Stop = 0
	return out
}

// verifySource counts the folder's source hashes into its multiset. They
// come from the journal (computed from the bytes fetched this run or an
// earlier one: a UID's bytes never change, RFC 3501 §2.3.1.1); a message
// the journal has no hash for is read from the source and hashed.
func (r *runner) verifySource(ctx context.Context, f *folderRun) error {
	src := map[[32]byte]int{}
	byUID := func(m srcMsg, u imap.UID) int { return cmp.Compare(m.UID, u) }
	slices.SortFunc(f.msgs, func(a, b srcMsg) int { return byUID(a, b.UID) }) // sorted already, but for a POP3 maildrop's order
	known := make([]bool, len(f.msgs))
	err := r.j.EachHash(ctx, f.fp.Source, f.srcUIDV, func(uid imap.UID, h [32]byte) {
		if i, ok := slices.BinarySearchFunc(f.msgs, uid, byUID); ok && !known[i] {
			known[i] = true
			src[h]++
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
	count := -1
	if len(unknown) > 0 {
		hashes, err := r.src.hashes(ctx, f.fp.Source, unknown)
		if err != nil {
			return err
		}
		for _, h := range hashes {
			src[h]++
		}
		count = len(f.msgs) - (len(unknown) - len(hashes)) // some vanished
	}
	f.mu.Lock()
	for h, c := range src {
		f.ver.set[h] += c
	}
	if count >= 0 {
		f.rep.SourceCount = count
	}
	f.mu.Unlock()
	return r.verifyPartDone(ctx, f)
}

// verifyDest reads the destination's messages in rg back, every one of
// them (UID FETCH BODY.PEEK[], each body streamed through SHA-256 and
// dropped), and counts their hashes out of the folder's multiset. What
// Magpie sent is not taken for what the destination holds: a server that
// alters a message on APPEND, or loses one under a UID it announced, is
// caught here.
func (r *runner) verifyDest(ctx context.Context, f *folderRun, rg imap.UIDRange) error {
	dst, count := map[[32]byte]int{}, 0
	each := func(uid imap.UID, h [32]byte) {
		if uid < rg.Start { // "n:*" names the last message even below n
			return
		}
		dst[h]++
		count++
	}
	if r.app != nil {
		// The appender this worker copied through reads as well (see
		// appender_read.go); a failure drops it like any other.
		if err := r.app.eachBodyHash(f.fp.Dest, rg, each); err != nil {
			return err
		}
	} else {
		// Under f.mu: the parts of a folder are verified by several
		// workers at once, and openDest notes what SELECT says in f.
		f.mu.Lock()
		err := r.openDest(ctx, f)
		f.mu.Unlock()
		if err != nil {
			return err
		}
		n, err := r.dst.fresh(ctx, f.fp.Dest, false)
		if err != nil {
			return err
		}
		if n > 0 {
			if err := eachBodyHash(r.dst.c.Client, imap.UIDSet{rg}, each); err != nil {
				return err
			}
		}
	}
	f.mu.Lock()
	for h, c := range dst {
		f.ver.set[h] -= c
	}
	f.ver.dstCount += count
	f.mu.Unlock()
	return r.verifyPartDone(ctx, f)
}

// verifyPartDone notes one part of f's verification done; the last one
// gives the verdict (see conclude).
func (r *runner) verifyPartDone(ctx context.Context, f *folderRun) error {
	f.mu.Lock()
	f.ver.left--
	last := f.ver.left == 0
	f.mu.Unlock()
	if !last {
		return nil
	}
	return r.conclude(ctx, f)
}
