package migrate

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/emersion/go-imap/v2"
)

// runner is one Run: a connection per side and the journal. It is used
// from one goroutine.
type runner struct {
	plan     Plan
	opts     Options
	src, dst *conn
	j        *Journal
}

// folderRun is the state of one folder during a Run.
type folderRun struct {
	fp       FolderPlan
	srcUIDV  uint32
	dstUIDV  uint32
	perm     []imap.Flag // destination PERMANENTFLAGS; nil: not announced
	msgs     []srcMsg
	entries  map[imap.UID]Entry
	claimed  map[[32]byte]int // destination copies accounted for, by hash
	idx      map[msgKey][]imap.UID
	counts   map[msgKey]map[[32]byte]int // destination hashes per key, fetched lazily
	dropped  map[string]bool
	rep      *FolderReport
	progress Progress
}

// Run carries out plan: for every folder it creates the destination folder
// when missing, copies what the journal does not have as done (checking
// the destination first, see the package doc), and verifies the folder. It
// uses one connection per side, reconnecting with backoff after transient
// failures.
//
// It returns the report, also saved next to the journal (ReportPath). The
// error is ctx's when the run was stopped (the report then says
// Interrupted) or the reason the run could not go on (a side unreachable
// after retries, the journal unwritable); per-message refusals are not
// errors, they are in the report.
func Run(ctx context.Context, plan Plan, opts Options) (Report, error) {
	rep := Report{Source: plan.Source.ID(), Dest: plan.Dest.ID(), Started: opts.now()}
	if opts.JournalDir == "" {
		return rep, errors.New("migrate: no journal directory")
	}
	j, err := OpenJournal(ctx, JournalPath(opts.JournalDir, plan.Source, plan.Dest), plan.Source.ID(), plan.Dest.ID())
	if err != nil {
		return rep, err
	}
	defer j.Close()
	r := &runner{plan: plan, opts: opts, j: j,
		src: &conn{side: plan.Source, name: SideSource},
		dst: &conn{side: plan.Dest, name: SideDest}}
	defer r.src.logout()
	defer r.dst.logout()

	var runErr error
	for _, fp := range plan.Folders {
		fr := FolderReport{Source: fp.Path, Dest: fp.Dest, Role: fp.Role, Renamed: fp.Renamed, Verdict: VerdictInterrupted}
		if ctx.Err() == nil && runErr == nil {
			runErr = r.folder(ctx, fp, &fr)
			if runErr != nil && ctx.Err() == nil && !errors.Is(runErr, errJournal) && !isConnErr(runErr) {
				// The folder failed on its own; the next may work.
				fr.Verdict, fr.err, fr.Err = VerdictError, runErr, runErr.Error()
				runErr = nil
			}
		}
		rep.Folders = append(rep.Folders, fr)
	}
	if ctx.Err() != nil {
		runErr = ctx.Err()
	}
	rep.Interrupted = runErr != nil
	rep.Finished = opts.now()
	if err := rep.save(ReportPath(opts.JournalDir, plan.Source, plan.Dest)); err != nil && runErr == nil {
		runErr = err
	}
	return rep, runErr
}

func isConnErr(err error) bool {
	var ce *ConnError
	return errors.As(err, &ce)
}

// try runs fn, retrying transient failures after dropping both
// connections and waiting with exponential backoff.
func (r *runner) try(ctx context.Context, f *folderRun, fn func() error) error {
	wait := r.opts.backoff()
	for attempt := 0; ; attempt++ {
		err := fn()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !transient(err) || attempt >= r.opts.retries() {
			return err
		}
		r.reset(f)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(wait*2, maxBackoff)
	}
}

const maxBackoff = 30e9 // 30 s

// reset drops both connections and forgets what was learnt about the
// destination folder: an APPEND in flight may have landed.
func (r *runner) reset(f *folderRun) {
	r.src.drop()
	r.dst.drop()
	if f != nil {
		f.idx, f.counts = nil, nil
	}
}

func (r *runner) send(ctx context.Context, f *folderRun) {
	if r.opts.Progress == nil {
		return
	}
	select {
	case r.opts.Progress <- f.progress:
	case <-ctx.Done():
	}
}

// folder migrates and verifies one folder, filling rep.
func (r *runner) folder(ctx context.Context, fp FolderPlan, rep *FolderReport) error {
	f := &folderRun{fp: fp, rep: rep, claimed: map[[32]byte]int{}, dropped: map[string]bool{},
		progress: Progress{Folder: fp.Path, Dest: fp.Dest, Phase: PhaseScan}}
	r.send(ctx, f)
	if err := r.try(ctx, f, func() error { return r.ensureDest(ctx, f) }); err != nil {
		return err
	}
	rep.Dest, rep.Renamed, f.progress.Dest = f.fp.Dest, f.fp.Renamed, f.fp.Dest
	err := r.try(ctx, f, func() error {
		sel, err := r.src.open(ctx, fp.Source, true)
		if err != nil {
			return err
		}
		f.srcUIDV = sel.UIDValidity
		f.msgs, err = listMessages(r.src.c.Client, sel, r.plan.Options.Since)
		return err
	})
	if err != nil {
		return err
	}
	if f.entries, err = r.j.Folder(ctx, fp.Source, f.srcUIDV); err != nil {
		return err
	}
	if err := r.try(ctx, f, func() error { return r.openDest(ctx, f) }); err != nil {
		return err
	}
	var pending []srcMsg
	for _, m := range f.msgs {
		if e, ok := f.entries[m.UID]; ok && r.settled(f, e) {
			f.claimed[e.Hash]++
			rep.Previously++
			continue
		}
		pending = append(pending, m)
	}
	rep.SourceCount = len(f.msgs)
	f.progress.Total, f.progress.Done, f.progress.Phase = len(f.msgs), rep.Previously, PhaseCopy
	r.send(ctx, f)
	for _, m := range pending {
		if err := r.opts.Gate.Wait(ctx); err != nil {
			return err
		}
		if err := r.copyOne(ctx, f, m); err != nil {
			return err
		}
		f.progress.Done++
		f.progress.Copied, f.progress.Already, f.progress.Failed = rep.Copied, rep.Already, rep.Failed
		r.send(ctx, f)
	}
	for k := range f.dropped {
		rep.DroppedKeywords = append(rep.DroppedKeywords, k)
	}
	slices.Sort(rep.DroppedKeywords)
	f.progress.Phase = PhaseVerify
	r.send(ctx, f)
	if err := r.try(ctx, f, func() error { return r.verify(ctx, f) }); err != nil {
		return err
	}
	rep.Verdict = VerdictOK
	if rep.Missing > 0 || rep.Failed > 0 {
		rep.Verdict = VerdictIncomplete
	}
	f.progress.Phase = PhaseDone
	r.send(ctx, f)
	return nil
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
// PERMANENTFLAGS) and notes its UIDVALIDITY and PERMANENTFLAGS.
func (r *runner) openDest(ctx context.Context, f *folderRun) error {
	sel, err := r.dst.open(ctx, f.fp.Dest, false)
	if err != nil {
		return err
	}
	f.dstUIDV, f.perm = sel.UIDValidity, sel.PermanentFlags
	return nil
}
