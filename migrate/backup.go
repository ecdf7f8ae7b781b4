package migrate

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/message"
)

// Format is the layout of a local archive.
type Format string

const (
	// FormatMaildir: one Maildir per folder (cur/new/tmp), nested folders
	// as nested directories; flags in each file name's info ("2,FRS"),
	// INTERNALDATE as the file's modification time.
	FormatMaildir Format = "maildir"
	// FormatMbox: one mboxrd file per folder ("<folder>.mbox"), the
	// INTERNALDATE in each "From " line; flags are not kept.
	FormatMbox Format = "mbox"
)

// ErrBadFormat means a Format other than maildir or mbox.
var ErrBadFormat = errors.New("migrate: unknown archive format")

// archive is a local destination: a directory holding folders.
type archive interface {
	// folder opens (creating when missing) the folder at levels and
	// returns a stable name for it (the journal's destination folder).
	folder(levels []string) (archiveFolder, error)
}

// archiveFolder is one folder of an archive, used by one goroutine.
type archiveFolder interface {
	name() string
	// has reports whether the message keyed by key (see archiveKey) is
	// already stored, and recover drops what an interrupted run left
	// half-written (entries in flight are passed back as not stored).
	has(key string) bool
	recover(j *Journal, inFlight []Entry) error
	// store writes one message; it returns once the bytes are durable.
	store(key string, m srcMsg, sp *spool) error
	// commit records, in the journal transaction that settles entries,
	// what store wrote (mbox: the file's size).
	commit(j *Journal, entries []Entry) error
	// eachHash calls fn with the content hash of every message in the
	// folder, read back one at a time; an error of fn stops it.
	eachHash(fn func([32]byte) error) error
	dropped() []string
	close() error
}

// archiveKey names a source message in an archive: the source folder's
// UIDVALIDITY and UID, and the start of the content hash, so that a
// message is found again whatever became of the journal.
func archiveKey(uidv uint32, uid imap.UID, h [32]byte) string {
	return fmt.Sprintf("%d_%d_%x", uidv, uid, h[:6])
}

// archiveID is the journal's name for an archive: "local:FORMAT:DIR".
func archiveID(dir string, f Format) string { return "local:" + string(f) + ":" + dir }

// BackupJournalPath is the journal file of a backup of src into dir.
func BackupJournalPath(journalDir string, src Side, dir string, f Format) string {
	sum := sha256.Sum256([]byte(archiveID(dir, f)))
	return filepath.Join(journalDir, safeFileName(src.ID())+"→local-"+string(f)+"-"+fmt.Sprintf("%x", sum[:6])+".db")
}

// BackupReportPath is where Backup saves its report.
func BackupReportPath(journalDir string, src Side, dir string, f Format) string {
	return strings.TrimSuffix(BackupJournalPath(journalDir, src, dir, f), ".db") + ".report.json"
}

// Backup copies every selected folder of src (Options.Folders, Exclude,
// Since) into a local archive in dir, with the engine's guarantees: the
// source is only read; a journal (Options.JournalDir) records each
// message, and each message's place in the archive is derived from its
// source UID and content hash, so a re-run or a run after a crash adds
// nothing twice; every folder is verified at the end by content hash
// against the source. Folder names are made safe for the file system
// (message.SafeFilename per level): nothing is written outside dir.
//
// It blocks until done or ctx ends, and returns the report (also saved,
// BackupReportPath); the error is ctx's or the reason the backup could
// not go on.
func Backup(ctx context.Context, src Side, dir string, f Format, opts Options) (Report, error) {
	rep := Report{Started: opts.now(), Source: src.ID()}
	if f != FormatMaildir && f != FormatMbox {
		return rep, fmt.Errorf("%w: %q", ErrBadFormat, f)
	}
	if err := CheckGlobs(slices.Concat(opts.Folders, opts.Exclude)); err != nil {
		return rep, err
	}
	if opts.JournalDir == "" {
		return rep, errors.New("migrate: no journal directory")
	}
	if src.isPOP3() && !opts.Since.IsZero() {
		return rep, ErrSinceWithPOP3
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return rep, fmt.Errorf("migrate: archive: %w", err)
	}
	rep.Dest = archiveID(abs, f)
	ar, err := openArchive(abs, f)
	if err != nil {
		return rep, err
	}
	j, err := OpenJournal(ctx, BackupJournalPath(opts.JournalDir, src, abs, f), src.ID(), rep.Dest)
	if err != nil {
		return rep, err
	}
	defer j.Close()
	r := &runner{plan: Plan{Source: src, Options: opts}, opts: opts, j: j, src: newSource(src, j)}
	defer r.src.logout()

	var list []*imap.ListData
	err = r.retry(ctx, r.src.drop, func() error {
		var err error
		list, err = r.src.folders(ctx)
		return err
	})
	if err != nil {
		return rep, err
	}
	sd := delimOf(list)
	var runErr error
	for _, fp := range mapFolders(list, nil, sd, '/', opts) {
		fr := FolderReport{Source: fp.Path, Role: fp.Role, Verdict: VerdictInterrupted}
		if ctx.Err() == nil && runErr == nil {
			runErr = r.backupFolder(ctx, ar, fp, splitLevels(fp.Source, sd), &fr)
			if runErr != nil && ctx.Err() == nil && !errors.Is(runErr, errJournal) && !isConnErr(runErr) {
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
	if err := rep.save(BackupReportPath(opts.JournalDir, src, abs, f)); err != nil && runErr == nil {
		runErr = err
	}
	return rep, runErr
}

// backupFolder copies one source folder into the archive and verifies it.
// The folder is listed window by window, as Run lists it (see window.go),
// each window's journal entries read with it and dropped after: what a
// backup holds of the folder is a window's listing, its UIDs as ranges,
// and the archive folder's keys.
func (r *runner) backupFolder(ctx context.Context, ar archive, fp FolderPlan, levels []string, rep *FolderReport) error {
	af, err := ar.folder(levels)
	if err != nil {
		return err
	}
	defer af.close()
	rep.Dest = af.name()
	f := &folderRun{fp: fp, rep: rep, progress: Progress{Folder: fp.Path, Dest: af.name(), Phase: PhaseScan}}
	r.send(ctx, f)
	var view folderView
	err = r.retry(ctx, r.src.drop, func() error {
		var err error
		view, err = r.src.examine(ctx, fp.Source)
		return err
	})
	if err != nil {
		return err
	}
	f.srcUIDV = view.UIDValidity
	inFlight, err := r.j.inFlight(ctx, fp.Source, f.srcUIDV, af.name())
	if err != nil {
		return err
	}
	if err := af.recover(r.j, inFlight); err != nil {
		return err
	}
	f.lst = newFolderList(view, r.opts.window())
	rep.SourceCount = int(view.Messages)
	f.progress.Total, f.progress.Phase = int(view.Messages), PhaseCopy
	r.send(ctx, f)
	for !f.lst.done {
		pending, err := r.backupWindow(ctx, af, f)
		if err != nil {
			return err
		}
		for _, b := range cutBatches(pending, r.opts.batch(), r.opts.Gate != nil) {
			if err := r.opts.Gate.Wait(ctx); err != nil {
				return err
			}
			if err := r.backupBatch(ctx, af, f, b); err != nil {
				return err
			}
			r.send(ctx, f)
		}
	}
	rep.DroppedKeywords = af.dropped()
	f.progress.Phase = PhaseVerify
	r.send(ctx, f)
	if err := r.verifyArchive(ctx, af, f); err != nil {
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

// backupWindow lists f's next window (the messages the journal has as
// stored in af by UID and size alone) and returns those still to store;
// once the folder is listed it sets its source count.
func (r *runner) backupWindow(ctx context.Context, af archiveFolder, f *folderRun) ([]srcMsg, error) {
	l := f.lst
	lo, hi := l.next, imap.UID(0)
	if l.span > 0 {
		hi = min(l.last, lo+l.span-1)
	}
	entries, err := r.j.FolderRange(ctx, f.fp.Source, f.srcUIDV, lo, hi)
	if err != nil {
		return nil, err
	}
	settled := map[imap.UID]int64{}
	for _, e := range entries {
		if e.Outcome.done() && e.DstFolder == af.name() {
			settled[e.SrcUID] = e.Size
		}
	}
	entries = nil
	var msgs []srcMsg
	err = r.retry(ctx, r.src.drop, func() error {
		if _, err := r.src.examine(ctx, f.fp.Source); err != nil { // again after a reconnection
			return err
		}
		var err error
		msgs, err = r.src.list(ctx, f.fp.Source, lo-1, hi, r.plan.Options.Since, settled)
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(msgs, func(a, b srcMsg) int { return cmp.Compare(a.UID, b.UID) }) // a POP3 maildrop's order
	if hi == 0 || hi >= l.last {
		l.done = true
	} else {
		l.next = hi + 1
	}
	l.add(msgs)
	pending := msgs[:0:0]
	for _, m := range msgs {
		if _, ok := settled[m.UID]; ok {
			f.rep.Previously++
			f.progress.Done++
			continue
		}
		pending = append(pending, m)
	}
	if l.done {
		f.rep.SourceCount = l.count
		f.progress.Total = l.count
	}
	return pending, nil
}

// backupBatch stores one batch: in-flight in the journal, written to the
// archive (unless already there under its key), settled in the journal.
func (r *runner) backupBatch(ctx context.Context, af archiveFolder, f *folderRun, msgs []srcMsg) error {
	spools, err := r.fetchBatch(ctx, f, msgs)
	defer closeSpools(spools)
	if err != nil {
		return err
	}
	type out struct {
		m   srcMsg
		sp  *spool
		e   Entry
		key string
	}
	var flight []out
	var pending, done, already []Entry
	for _, m := range msgs {
		sp := spools[m.UID]
		if sp == nil {
			f.rep.SourceCount--
			f.progress.Total--
			continue
		}
		if !m.hasDate {
			m.setDate(sp.date)
		}
		e := Entry{SrcFolder: f.fp.Source, SrcUIDValidity: f.srcUIDV, SrcUID: m.UID, Hash: sp.hash, Size: sp.size,
			MessageID: sp.msgID, DstFolder: af.name(), DstUIDValidity: 1, Outcome: OutcomeInFlight}
		key := archiveKey(f.srcUIDV, m.UID, sp.hash)
		if af.has(key) {
			e.Outcome = OutcomeAlready
			already = append(already, e)
			continue
		}
		flight = append(flight, out{m, sp, e, key})
		pending = append(pending, e)
	}
	// In flight first, in one transaction: a crash from here on leaves
	// entries that the archive's keys (and mbox's committed size) settle.
	if err := r.j.PutAll(context.WithoutCancel(ctx), pending); err != nil {
		return err
	}
	for _, o := range flight {
		if err := af.store(o.key, o.m, o.sp); err != nil {
			return fmt.Errorf("migrate: archive %s: %w", af.name(), err)
		}
		o.e.Outcome = OutcomeCopied
		done = append(done, o.e)
	}
	all := slices.Concat(done, already)
	if err := af.commit(r.j, all); err != nil {
		return err
	}
	f.rep.Copied += len(done)
	f.rep.Already += len(already)
	f.progress.Done += len(all)
	f.progress.Copied, f.progress.Already = f.rep.Copied, f.rep.Already
	return nil
}

// verifyArchive compares the source folder (its hashes from the journal,
// or read again, see listedHashes) with every message of the archive
// folder, as one multiset: the source's hashes counted up one part of
// about a verification chunk at a time, the archive's counted down as
// they are read, a source part read whenever the archive has caught up
// with those read so far. An archive written in source UID order (an
// mbox) then cancels part by part, and the multiset holds about a
// part's worth of hashes, not the folder's.
func (r *runner) verifyArchive(ctx context.Context, af archiveFolder, f *folderRun) error {
	set := map[[32]byte]int{}
	count := func(h [32]byte, c int) {
		if n := set[h] + c; n != 0 {
			set[h] = n
		} else {
			delete(set, h)
		}
	}
	parts := f.lst.parts(1, r.opts.chunk())
	next, srcN, dstN, vanished := 0, 0, 0, 0
	pull := func() error {
		rg := parts[next]
		next++
		return r.retry(ctx, r.src.drop, func() error {
			n, gone := 0, 0
			sums := map[[32]byte]int{}
			var err error
			gone, err = r.listedHashes(ctx, f, f.lst.within(rg), rg, func(h [32]byte) { sums[h]++; n++ })
			if err != nil {
				return err
			}
			for h, c := range sums {
				count(h, c)
			}
			srcN, vanished = srcN+n, vanished+gone
			return nil
		})
	}
	var srcErr error // the source's, passed on as is
	err := af.eachHash(func(h [32]byte) error {
		for dstN >= srcN && next < len(parts) {
			if srcErr = pull(); srcErr != nil {
				return srcErr
			}
		}
		count(h, -1)
		dstN++
		return nil
	})
	if srcErr != nil {
		return srcErr
	}
	if err != nil {
		return fmt.Errorf("migrate: archive %s: %w", af.name(), err)
	}
	for next < len(parts) {
		if err := pull(); err != nil {
			return err
		}
	}
	f.rep.SourceCount = f.lst.count - vanished
	f.rep.DestCount = dstN
	for _, n := range set {
		if n > 0 {
			f.rep.Missing += n
		} else {
			f.rep.Extra -= n
		}
	}
	return nil
}

// safeLevels turns folder levels into file names that stay inside the
// archive: message.SafeFilename per level, and for Maildir a level named
// like a Maildir's own directories gets a '_'.
func safeLevels(levels []string, maildir bool) []string {
	out := make([]string, len(levels))
	for i, l := range levels {
		s := message.SafeFilename(l)
		if maildir && (s == "cur" || s == "new" || s == "tmp") {
			s += "_"
		}
		out[i] = s
	}
	return out
}
