package migrate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// prepare creates the destination folder when missing, examines the
// source folder and sets up its listing, which the copy phase takes
// window by window (see window.go): the journal then decides which
// messages of each window are pending.
func (r *runner) prepare(ctx context.Context, f *folderRun) error {
	r.send(ctx, f)
	if f.unchanged != nil {
		f.skipUnchanged(*f.unchanged)
		r.send(ctx, f)
		return nil
	}
	if err := r.try(ctx, f, func() error { return r.ensureDest(ctx, f) }); err != nil {
		return err
	}
	f.rep.Dest, f.rep.Renamed, f.progress.Dest = f.fp.Dest, f.fp.Renamed, f.fp.Dest
	var view folderView
	err := r.try(ctx, f, func() error {
		var err error
		view, err = r.src.examine(ctx, f.fp.Source)
		return err
	})
	if err != nil {
		return err
	}
	f.srcUIDV = view.UIDValidity
	var dstCount uint32
	err = r.try(ctx, f, func() error {
		if err := r.openDest(ctx, f); err != nil {
			return err
		}
		var err error
		dstCount, err = r.dst.fresh(ctx, f.fp.Dest, false)
		return err
	})
	if err != nil {
		return err
	}
	if dstCount == 0 {
		// Nothing to look for there: the destination's index is empty
		// until this run appends (nothing appends before the copying).
		f.idx, f.counts, f.claimed = map[msgKey][]imap.UID{}, map[msgKey]map[[32]byte]int{}, map[[32]byte]int{}
	}
	// The folder is listed window by window as it is copied (see
	// window.go); the plan's first window is used when it is recent and
	// UIDVALIDITY has not changed.
	f.lst = newFolderList(view, r.opts.window())
	total := int(view.Messages)
	sc := f.fp.scan
	if scanned, upto, ok := sc.take(); ok && view.Messages > 0 && sc.uidValidity == f.srcUIDV && r.opts.now().Sub(sc.at) < scanMaxAge {
		f.lst.first, f.lst.firstUpto, f.lst.hasFirst, f.lst.done = scanned, upto, true, false
		if !r.plan.Options.Since.IsZero() {
			total = f.fp.Messages // in scope, as the plan counted it
		}
	}
	f.rep.SourceCount = total
	f.progress.Total, f.progress.Phase = total, PhaseCopy
	r.send(ctx, f)
	return nil
}

// finish copies what arrived in the source folder since it was listed
// (the catch-up pass), takes both sides' status and cuts the folder's
// verification into parts (f.verTasks, see verifyParts), which Run then
// hands to every worker.
func (r *runner) finish(ctx context.Context, f *folderRun) error {
	if f.skip {
		return nil
	}
	// A paused Run parks here too: the catch-up pass may copy.
	if err := r.gate.wait(ctx); err != nil {
		return err
	}
	// The source's status before the catch-up pass lists it (see
	// unchanged.go); no status, no record.
	srcSt, stErr := r.src.status(ctx, f.fp.Source)
	var late []srcMsg
	err := r.try(ctx, f, func() error {
		var err error
		late, err = r.src.list(ctx, f.fp.Source, max(f.lst.last, f.lst.top), 0, r.plan.Options.Since, nil)
		return err
	})
	if err != nil {
		return err
	}
	if len(late) > 0 {
		slices.SortFunc(late, func(a, b srcMsg) int { return cmp.Compare(a.UID, b.UID) })
		f.mu.Lock()
		f.lst.add(late)
		f.rep.SourceCount += len(late)
		f.progress.Total += len(late)
		f.mu.Unlock()
		for len(late) > 0 {
			n := min(len(late), r.opts.batch())
			if err := r.copyBatch(ctx, f, late[:n]); err != nil {
				return err
			}
			late = late[n:]
		}
	}
	for k := range f.dropped {
		f.rep.DroppedKeywords = append(f.rep.DroppedKeywords, k)
	}
	slices.Sort(f.rep.DroppedKeywords)
	f.mu.Lock()
	f.progress.Phase = PhaseVerify
	f.mu.Unlock()
	r.send(ctx, f)
	v := verification{srcSt: srcSt, stErr: stErr}
	if stErr == nil {
		// The destination's, after the catch-up pass, before verifying:
		// on the appender when this worker has one (see appender_read.go).
		if r.app != nil {
			v.dstSt, v.stErr = r.app.status(f.fp.Dest)
		} else {
			var c *imapclient.Client
			if c, v.stErr = r.dst.client(ctx); v.stErr == nil {
				v.dstSt, v.stErr = statusOf(c, f.fp.Dest)
			}
		}
	}
	f.verTasks = f.verifyParts(v, r.opts.chunk())
	return nil
}

// conclude gives f's verdict once every part of its verification is
// done, records the folder's state when it verified (see unchanged.go)
// and forgets the folder.
func (r *runner) conclude(ctx context.Context, f *folderRun) error {
	f.mu.Lock()
	v := f.ver
	f.rep.DestCount, f.rep.Missing, f.rep.Extra = v.dstCount, 0, 0
	for _, n := range v.set {
		if n > 0 {
			f.rep.Missing += n
		} else {
			f.rep.Extra -= n
		}
	}
	v.set = nil
	f.mu.Unlock()
	f.rep.Verdict = VerdictOK
	if f.rep.Missing > 0 || f.rep.Failed > 0 {
		f.rep.Verdict = VerdictIncomplete
	}
	if f.rep.Verdict == VerdictOK && v.stErr == nil {
		size := f.lst.size
		st := folderState{Since: sinceKey(r.plan.Options.Since), DestFolder: f.fp.Dest, Src: v.srcSt, Dst: v.dstSt,
			SourceCount: f.rep.SourceCount, SourceSize: size, DestCount: f.rep.DestCount, Extra: f.rep.Extra,
			Dropped: f.rep.DroppedKeywords, VerifiedAt: r.opts.now()}
		if err := r.j.putFolderState(context.WithoutCancel(ctx), f.fp.Source, st); err != nil {
			return err
		}
	}
	f.mu.Lock() // the run's PhaseCopied may be summing the folders' progress
	f.progress.Phase = PhaseDone
	f.mu.Unlock()
	f.forget()
	r.send(ctx, f)
	return nil
}

// forget drops what a finished folder no longer needs (its listing, its
// claims, its index of the destination): memory stays flat
// while the other folders are verified.
func (f *folderRun) forget() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lst, f.claimed, f.resv, f.idx, f.counts = nil, nil, nil, nil, nil
	f.ver, f.verTasks = nil, nil
}

// settled reports whether a journal entry accounts for a copy in the
// destination folder as it is now.
func (r *runner) settled(f *folderRun, e Entry) bool {
	return e.Outcome.done() && e.DstFolder == f.fp.Dest && e.DstUIDValidity == f.dstUIDV
}

// ensureDest creates the destination folder when it is missing; a name the
// destination refuses is replaced by a safe one (recorded as
// RenameRefused).
func (r *runner) ensureDest(ctx context.Context, f *folderRun) error {
	c, err := r.dst.client(ctx)
	if err != nil {
		return err
	}
	exists := func(name string) (bool, error) {
		l, err := c.List("", name, nil).Collect()
		if err != nil {
			return false, fmt.Errorf("migrate: list destination %q: %w", name, err)
		}
		for _, m := range l {
			if m.Mailbox == name && selectable(m) {
				return true, nil
			}
		}
		return false, nil
	}
	ok, err := exists(f.fp.Dest)
	if err != nil || ok {
		return err
	}
	cerr := c.Create(f.fp.Dest, nil).Wait()
	if cerr == nil {
		return nil
	}
	if !isRefusal(cerr) {
		return fmt.Errorf("migrate: create %q: %w", f.fp.Dest, cerr)
	}
	if ok, err := exists(f.fp.Dest); err != nil || ok { // created by someone else meanwhile
		return err
	}
	safe := safeName(f.fp.Dest, r.plan.DstDelim)
	if safe == f.fp.Dest {
		safe = "Migrated" + string(r.plan.DstDelim) + safe
	}
	if ok, err := exists(safe); err != nil {
		return err
	} else if !ok {
		if err := c.Create(safe, nil).Wait(); err != nil {
			return fmt.Errorf("migrate: create %q (for %q, refused: %v): %w", safe, f.fp.Dest, cerr, err)
		}
	}
	f.fp.Dest, f.fp.Renamed = safe, RenameRefused
	return nil
}

func isRefusal(err error) bool {
	var ie *imap.Error
	return errors.As(err, &ie) && !transientIMAP(ie)
}

// openDest SELECTs the destination folder (read-write: EXAMINE would hide
// PERMANENTFLAGS) and notes its UIDVALIDITY and PERMANENTFLAGS. Callers
// copying batches hold f.mu.
func (r *runner) openDest(ctx context.Context, f *folderRun) error {
	sel, err := r.dst.open(ctx, f.fp.Dest, false)
	if err != nil {
		return err
	}
	f.dstUIDV, f.perm = sel.UIDValidity, sel.PermanentFlags
	return nil
}
