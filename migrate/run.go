package migrate

import (
	"context"
	"errors"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"golang.org/x/sync/semaphore"
)

// runner is one worker of a Run: a connection per side (to the
// destination either the ordinary one or, while copying into a
// destination that offers RFC 3502, the MULTIAPPEND appender), sharing
// the journal with the other workers. A runner is used by one goroutine,
// except that while it copies a folder its source connection belongs to
// the fetching stage (see copyFolder).
type runner struct {
	plan  Plan
	opts  Options
	src   source
	dst   *conn
	app   *rawConn
	noApp bool // the appender failed to connect: single APPENDs on dst
	// srcMu is held by the fetching stage of copyLoop while it uses src,
	// and by a task run between two batches (see afterCopy.runOne).
	srcMu sync.Mutex
	j     *Journal
	gate  *runGate
}

// folderRun is the state of one folder during a Run. Workers copying
// batches of the same folder share it under mu; preparing and finishing a
// folder is done by one worker alone.
type folderRun struct {
	mu sync.Mutex
	// appending is held shared by every APPEND into the folder from
	// before it is sent until its outcome is recorded, and exclusively
	// while the destination's index (idx) is rebuilt: the index then
	// holds exactly what the recorded outcomes account for, however many
	// workers append into the folder.
	appending sync.RWMutex
	fp        FolderPlan
	srcUIDV   uint32
	dstUIDV   uint32
	perm      []imap.Flag      // destination PERMANENTFLAGS; nil: not announced
	lst       *folderList      // the listing, window by window (see window.go)
	claimed   map[[32]byte]int // settled destination copies accounted for, by hash (see claims.go)
	resv      map[[32]byte]int // decisions not settled yet, by hash (see claims.go)
	idx       map[msgKey][]imap.UID
	counts    map[msgKey]map[[32]byte]int // destination hashes per key, fetched lazily
	dropped   map[string]bool
	rep       *FolderReport
	progress  Progress
	failed    bool // the folder failed on its own (rep says why)
	skip      bool // proven unchanged since verified (see unchanged.go)
	ver       *verification
	// What the parts of ver queued while the folder is copied cover (see
	// earlyPart): destination UIDs below early; dstTop is the highest UID
	// this run's APPENDs got, noEarly set when one's is unknown.
	early, dstTop imap.UID
	noEarly       bool
	// The same for the source: the parts of ver queued while the folder
	// is copied cover its UIDs below srcEarly; srcTop is the highest
	// source UID whose outcome was recorded.
	srcEarly, srcTop imap.UID
	cut              bool         // verifyParts ran: no early part any more
	verTasks         []task       // the parts of its verification, set by finish
	unchanged        *folderState // what proves it, found before preparing
}

// Run carries out plan: for every folder it creates the destination folder
// when missing, copies what the journal does not have as done (checking
// the destination first, see the package doc), copies what arrived on the
// source meanwhile, and verifies the folder.
//
// Work is spread over Options.Jobs workers, each with its own connection
// per side: a folder's verification is cut into parts (its source's
// hashes, its destination read back by UID ranges, see verifyParts) that
// any worker may take, and messages are copied in
// batches (one FETCH of the bodies, one MULTIAPPEND when the destination
// offers it, else pipelined APPENDs) that any worker may take, so that
// several connections append into a big folder at once (see
// newBatchQueue). A folder is finished (caught up, then verified) as soon
// as its copy is over, by the workers done copying, while others still
// copy (see copyAll). Transient failures are retried with backoff after
// reconnecting.
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
	rep.Folders = make([]FolderReport, len(plan.Folders))
	folders := make([]*folderRun, len(plan.Folders))
	for i, fp := range plan.Folders {
		rep.Folders[i] = FolderReport{Source: fp.Path, Dest: fp.Dest, Role: fp.Role, Renamed: fp.Renamed, Verdict: VerdictInterrupted}
		folders[i] = &folderRun{fp: fp, rep: &rep.Folders[i], dropped: map[string]bool{},
			progress: Progress{Folder: fp.Path, Dest: fp.Dest, Phase: PhaseScan}}
	}
	p := newPool(ctx, plan, opts, j)
	defer p.close()
	p.findUnchanged(folders)

	var prep []task
	for _, f := range folders {
		prep = append(prep, task{f: f, do: func(ctx context.Context, r *runner) error { return r.prepare(ctx, f) }})
	}
	// Preparing is a few round trips per folder, done by as many workers
	// as there are folders to look at: a run whose folders are all
	// unchanged opens one connection per side, not one per worker.
	// Finishing (verification may fetch bodies) uses the workers that
	// were connected (see copyAll).
	look := 0
	for _, f := range folders {
		if f.unchanged == nil {
			look++
		}
	}
	p.each(prep, look)
	p.copyAll(newBatchQueue(folders, opts.batch(), opts.Gate != nil, !p.multiAppend()), folders, func() {
		rep.Copied = opts.now()
		p.copied(folders)
	})

	runErr := p.err()
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

// findUnchanged marks the folders proven unchanged since a run verified
// them (see unchanged.go): as the plan found them when it is fresh (see
// unchangedMaxAge; a re-run with nothing to do then dials nothing here),
// else with one round trip per side on the first worker's connections. A
// side that cannot be reached here is reached again, with retries, by
// the preparing.
func (p *pool) findUnchanged(folders []*folderRun) {
	r := p.runners[0]
	if age := r.opts.now().Sub(r.plan.Made); age >= 0 && age < unchangedMaxAge {
		for _, f := range folders {
			if sc := f.fp.scan; sc != nil && sc.unchanged && sc.state != nil {
				st := *sc.state
				f.unchanged = &st
			}
		}
		return
	}
	dests := map[string]string{}
	for _, f := range folders {
		dests[f.fp.Source] = f.fp.Dest
	}
	dc, err := r.dst.client(p.ctx)
	if err != nil {
		return
	}
	found := unchangedFolders(p.ctx, r.j, r.src, dc, dests, r.plan.Options.Since)
	for _, f := range folders {
		if st, ok := found[f.fp.Source]; ok {
			f.unchanged = &st
		}
	}
}

// copied sends the run's PhaseCopied progress: the totals of every
// folder's, as the copy phase ends.
func (p *pool) copied(folders []*folderRun) {
	ch := p.runners[0].opts.Progress
	if ch == nil {
		return
	}
	t := Progress{Phase: PhaseCopied}
	for _, f := range folders {
		f.mu.Lock()
		pr := f.progress
		f.mu.Unlock()
		t.Total += pr.Total
		t.Done += pr.Done
		t.Copied += pr.Copied
		t.Already += pr.Already
		t.Failed += pr.Failed
	}
	select {
	case ch <- t:
	case <-p.ctx.Done():
	}
}

// task is one unit of work on a folder.
type task struct {
	f  *folderRun
	do func(ctx context.Context, r *runner) error
	// finishing: the folder's finishing (see afterCopy), not one of the
	// parts of its verification that may be queued beside it.
	finishing bool
}

// pool runs tasks on its runners. The first error that stops the whole
// run (a side unreachable, the journal) cancels the others; an error of
// one folder marks that folder failed and the run goes on.
type pool struct {
	ctx     context.Context
	cancel  context.CancelFunc
	runners []*runner
	gate    *runGate
	// bodies is the budget of message bodies held in memory by the
	// workers' batches together (see bodyBudget), in bytes.
	bodies *semaphore.Weighted
	mu     sync.Mutex
	fatal  error
}

// bodyBudget is how many bytes of bodies the batches of jobs workers
// hold in memory at most: one batch being stored per worker and two
// fetched ahead between them. Each worker could hold two batches of
// batchBytes (the one stored and the next, fetched meanwhile), but the
// more batches a run has, the likelier all of them are full at once: a
// bigger mailbox then reached a higher peak. With the budget, any
// mailbox big enough to keep the workers busy reaches the same one.
func bodyBudget(jobs int) int64 { return int64(jobs+2) * batchBytes }

func newPool(ctx context.Context, plan Plan, opts Options, j *Journal) *pool {
	ctx, cancel := context.WithCancel(ctx)
	p := &pool{ctx: ctx, cancel: cancel, gate: newRunGate(opts.Gate), bodies: semaphore.NewWeighted(bodyBudget(opts.jobs(plan)))}
	for range opts.jobs(plan) {
		p.runners = append(p.runners, &runner{plan: plan, opts: opts, j: j, gate: p.gate,
			src: newSource(plan.Source, j),
			dst: &conn{side: plan.Dest, name: SideDest}})
	}
	return p
}

// multiAppend reports whether the destination offers MULTIAPPEND (RFC
// 3502), as the first connected worker's connection announced it.
func (p *pool) multiAppend() bool {
	for _, r := range p.runners {
		if r.dst.c != nil {
			return r.dst.c.Caps().Has(imap.CapMultiAppend)
		}
	}
	return false
}

func (p *pool) err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fatal
}

// each runs tasks on the first n runners and returns when all are done or
// the run was stopped.
func (p *pool) each(tasks []task, n int) {
	queue := make(chan task)
	var wg sync.WaitGroup
	for _, r := range p.runners[:max(1, min(n, len(p.runners)))] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.gate.join()
			defer p.gate.leave()
			for t := range queue {
				p.run(r, t)
			}
		}()
	}
	for _, t := range tasks {
		if p.ctx.Err() != nil {
			break
		}
		select {
		case queue <- t:
		case <-p.ctx.Done():
		}
	}
	close(queue)
	wg.Wait()
}

func (p *pool) run(r *runner, t task) {
	t.f.mu.Lock()
	skip := t.f.failed
	t.f.mu.Unlock()
	if skip || p.ctx.Err() != nil {
		return
	}
	// A paused Run parks before any task too: the parts of a
	// verification read the destination while other folders are copied.
	if err := r.gate.wait(p.ctx); err != nil {
		return
	}
	p.fail(t.f, t.do(p.ctx, r))
}

// fail deals with an error of work on f: one that stops the whole run
// (a side unreachable, the journal) cancels it; any other marks f failed
// (the first error says why) and the run goes on.
func (p *pool) fail(f *folderRun, err error) {
	if err == nil || p.ctx.Err() != nil {
		return
	}
	if errors.Is(err, errJournal) || isConnErr(err) {
		p.mu.Lock()
		if p.fatal == nil {
			p.fatal = err
		}
		p.mu.Unlock()
		p.cancel()
		return
	}
	// The folder failed on its own; the others may work.
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.failed {
		f.failed = true
		f.rep.Verdict, f.rep.err, f.rep.Err = VerdictError, err, err.Error()
	}
}

// isFailed reports whether f failed on its own.
func (f *folderRun) isFailed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

func (p *pool) close() {
	for _, r := range p.runners {
		r.close()
	}
	p.cancel()
}

func (r *runner) close() {
	r.closeApp()
	r.src.logout()
	r.dst.logout()
}

func (r *runner) closeApp() {
	if r.app != nil {
		r.app.Close()
		r.app = nil
	}
}

// dstClient is the ordinary destination connection. A worker holds one
// connection per side: the appender, when open, is closed first (the
// next batch dials it again).
func (r *runner) dstClient(ctx context.Context) (*imapclient.Client, error) {
	r.closeApp()
	return r.dst.client(ctx)
}

func isConnErr(err error) bool {
	var ce *ConnError
	return errors.As(err, &ce)
}

// try runs fn, retrying transient failures after dropping the runner's
// connections and waiting with exponential backoff. It must not be called
// with f.mu held.
func (r *runner) try(ctx context.Context, f *folderRun, fn func() error) error {
	return r.retry(ctx, func() { r.reset(f) }, fn)
}

// tryDst is try for work on the destination alone: a failure drops only
// the destination's connections (a source fetch may be running beside).
func (r *runner) tryDst(ctx context.Context, f *folderRun, fn func() error) error {
	return r.retry(ctx, func() { r.resetDst(f) }, fn)
}

// retry runs fn, calling reset and waiting with exponential backoff after
// each transient failure.
func (r *runner) retry(ctx context.Context, reset func(), fn func() error) error {
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
		reset()
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(wait*2, maxBackoff)
	}
}

const maxBackoff = 30e9 // 30 s

// reset drops the runner's connections and forgets what was learnt about
// the destination folder: an APPEND in flight may have landed.
func (r *runner) reset(f *folderRun) {
	r.src.drop()
	r.resetDst(f)
}

// resetDst is reset for the destination's connections alone.
func (r *runner) resetDst(f *folderRun) {
	r.dst.drop()
	r.closeApp()
	if f != nil {
		f.mu.Lock()
		f.idx, f.counts, f.claimed = nil, nil, nil
		f.mu.Unlock()
	}
}

// send reports f's progress. It must not be called with f.mu held.
func (r *runner) send(ctx context.Context, f *folderRun) {
	if r.opts.Progress == nil {
		return
	}
	f.mu.Lock()
	pr := f.progress
	f.mu.Unlock()
	select {
	case r.opts.Progress <- pr:
	case <-ctx.Done():
	}
}
