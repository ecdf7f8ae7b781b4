package migrate

import (
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

// count adds c to h's count in the multiset, forgetting a hash whose
// copies on both sides were all counted: what the set holds is what is
// not matched yet. The folder's mu is held.
func (v *verification) count(h [32]byte, c int) {
	if n := v.set[h] + c; n != 0 {
		v.set[h] = n
	} else {
		delete(v.set, h)
	}
}

// verifyParts prepares the rest of f's verification once its copy is
// over: the destination's UID space from f.early on (below it, the parts
// queued while the folder was copied, see earlyPart), as its STATUS after
// the catch-up pass tells it (st.dstSt), is cut into ranges of about
// chunk messages; the last range ends at "*", so a message the status did
// not count is read too, and without a status (or with one of no
// messages) the one range is f.early:*. It notes the statuses in f.ver,
// releases the hold verState put on it, and returns the parts as tasks:
// the source's hashes by ranges of about chunk listed messages, and the
// destination's ranges, alternately.
func (f *folderRun) verifyParts(st verification, chunk int) []task {
	f.mu.Lock()
	from := max(f.early, 1)
	// The status only decides how the UID space is cut, never what is
	// read: the ranges always cover from:*. (STATUS of a mailbox the
	// connection has selected may give the session's view, from before
	// another connection's APPENDs: Dovecot does.)
	ranges := []imap.UIDRange{{Start: from, Stop: 0}}
	if st.stErr == nil && st.dstSt.Messages > 0 && imap.UID(st.dstSt.UIDNext) > from {
		n := min(st.dstSt.Messages, st.dstSt.UIDNext-uint32(from))
		ranges = uidChunksFrom(from, n, imap.UID(st.dstSt.UIDNext), chunk)
	}
	f.cut = true
	v := f.verState()
	v.srcSt, v.dstSt, v.stErr = st.srcSt, st.dstSt, st.stErr
	srcRanges := f.lst.parts(max(f.srcEarly, 1), chunk)
	v.left += len(ranges) + len(srcRanges) - 1 // the source's parts take the hold's place
	f.mu.Unlock()
	// The source's parts and the destination's alternate: copies are
	// appended in source UID order, so each pair mostly cancels out in
	// the multiset, which then holds about a part's worth of hashes, not
	// the folder's.
	var tasks []task
	for i := range max(len(srcRanges), len(ranges)) {
		if i < len(srcRanges) {
			rg := srcRanges[i]
			tasks = append(tasks, task{f: f, do: func(ctx context.Context, r *runner) error {
				return r.try(ctx, f, func() error { return r.verifySource(ctx, f, rg) })
			}})
		}
		if i < len(ranges) {
			tasks = append(tasks, f.destPart(ranges[i]))
		}
	}
	return tasks
}

// destPart is the part of f's verification that reads rg back.
func (f *folderRun) destPart(rg imap.UIDRange) task {
	return task{f: f, do: func(ctx context.Context, r *runner) error {
		return r.try(ctx, f, func() error { return r.verifyDest(ctx, f, rg) })
	}}
}

// verState is f's verification, made on first use with a hold on it
// (left 1) that verifyParts releases: the parts queued while the folder
// is copied cannot conclude it before the rest is cut. f.mu is held.
func (f *folderRun) verState() *verification {
	if f.ver == nil {
		f.ver = &verification{set: map[[32]byte]int{}, left: 1}
	}
	return f.ver
}

// earlyPart returns a part of f's verification that may run while f is
// still being copied: the destination's UIDs from f.early to the highest
// one this run's APPENDs got so far, once that is about chunk messages
// past f.early. UIDs only grow (RFC 3501 §2.3.1.1): what a later APPEND
// stores lands above the range, which the next part, or the rest (see
// verifyParts), reads. None when a copy's UID is unknown (no APPENDUID,
// RFC 4315): the folder is then read back once copied, all of it.
func (f *folderRun) earlyPart(chunk int) (task, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	from := max(f.early, 1)
	if f.noEarly || f.failed || f.cut || f.dstTop < from || int(f.dstTop-from) < chunk-1 {
		return task{}, false
	}
	rg := imap.UIDRange{Start: from, Stop: f.dstTop}
	f.early = f.dstTop + 1
	f.verState().left++
	dst := f.destPart(rg)
	// With it, the source's hashes of the messages stored so far: one
	// worker appends into the folder (see batchQueue), in source UID
	// order, so the two mostly cancel out in the multiset, which holds
	// about a part's worth of hashes while the folder is copied, not the
	// folder's.
	if f.srcTop < max(f.srcEarly, 1) {
		return dst, true
	}
	src := imap.UIDRange{Start: max(f.srcEarly, 1), Stop: f.srcTop}
	f.srcEarly = f.srcTop + 1
	f.verState().left++
	return task{f: f, do: func(ctx context.Context, r *runner) error {
		if err := r.try(ctx, f, func() error { return r.verifySource(ctx, f, src) }); err != nil {
			return err
		}
		return dst.do(ctx, r)
	}}, true
}

// uidChunks cuts UIDs 1 to uidNext-1, holding n messages, into ranges of
// about chunk messages; the last one ends at "*" (Stop 0). Without
// a UIDNEXT it is one range, 1:*.
func uidChunks(n uint32, uidNext imap.UID, chunk int) []imap.UIDRange {
	return uidChunksFrom(1, n, uidNext, chunk)
}

// uidChunksFrom is uidChunks for the UIDs from from to uidNext-1.
func uidChunksFrom(from imap.UID, n uint32, uidNext imap.UID, chunk int) []imap.UIDRange {
	k := (int(n) + chunk - 1) / chunk
	if uidNext <= from || k <= 1 {
		return []imap.UIDRange{{Start: from, Stop: 0}}
	}
	span := (uint32(uidNext) - uint32(from) + uint32(k) - 1) / uint32(k)
	var out []imap.UIDRange
	for start := uint32(from); start < uint32(uidNext); start += span {
		out = append(out, imap.UIDRange{Start: imap.UID(start), Stop: imap.UID(start + span - 1)})
	}
	out[len(out)-1].Stop = 0
	return out
}

// verifySource counts the source hashes of the folder's messages listed
// in rg into its multiset. They come from the journal (computed from the
// bytes fetched this run or an earlier one: a UID's bytes never change,
// RFC 3501 §2.3.1.1); a message the journal has no hash for is read from
// the source and hashed.
func (r *runner) verifySource(ctx context.Context, f *folderRun, rg imap.UIDRange) error {
	src := map[[32]byte]int{}
	f.mu.Lock() // an early part runs while the folder is still listed
	l := f.lst.within(rg)
	f.mu.Unlock()
	vanished, err := r.listedHashes(ctx, f, l, rg, func(h [32]byte) { src[h]++ })
	if err != nil {
		return err
	}
	f.mu.Lock()
	for h, c := range src {
		f.ver.count(h, c)
	}
	f.rep.SourceCount -= vanished
	f.mu.Unlock()
	return r.verifyPartDone(ctx, f)
}

// listedHashes calls fn with the source hash of every message of l (what
// was listed in rg, see folderList.within), from the journal; a message
// the journal has no hash for is read from the source and hashed. It
// returns how many of those vanished meanwhile.
func (r *runner) listedHashes(ctx context.Context, f *folderRun, l *folderList, rg imap.UIDRange, fn func([32]byte)) (int, error) {
	known := 0
	err := r.j.EachHashRange(ctx, f.fp.Source, f.srcUIDV, rg, func(uid imap.UID, h [32]byte) {
		if l.has(uid) {
			known++
			fn(h)
		}
	})
	if err != nil || known >= l.count {
		return 0, err
	}
	// Rare (a message vanished before its body was read): the UIDs
	// listed that the journal has no hash for.
	var have []imap.UID
	err = r.j.EachHashRange(ctx, f.fp.Source, f.srcUIDV, rg, func(uid imap.UID, _ [32]byte) {
		if l.has(uid) {
			have = append(have, uid)
		}
	})
	if err != nil {
		return 0, err
	}
	var unknown []imap.UID
	l.each(rg, func(u imap.UID) {
		if _, ok := slices.BinarySearch(have, u); !ok {
			unknown = append(unknown, u)
		}
	})
	have = nil
	hashes, err := r.src.hashes(ctx, f.fp.Source, unknown)
	if err != nil {
		return 0, err
	}
	for _, h := range hashes {
		fn(h)
	}
	return len(unknown) - len(hashes), nil
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
		f.ver.count(h, -c)
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
