package migrate

import (
	"context"
	"slices"
	"sync"

	"github.com/emersion/go-imap/v2"
)

// batchQueue hands out the copy phase's batches to the workers.
//
// Shared (a destination offering MULTIAPPEND), any worker may take a
// batch of any folder, so several connections append into a big folder
// at once: the biggest folder, the run's critical path, is not copied by
// one worker while the others idle. A batch is one transaction there,
// and the cost of another session's append is paid once per batch.
//
// Exclusive (single APPENDs), a folder belongs to one worker until its
// batches are all taken. Dovecot (maildir) pays for each APPEND into a
// folder another session changed meanwhile by reading the folder's index
// and uid list again: measured here, two sessions appending into one
// folder cost it ~2.9 ms of CPU per message, one session ~0.6–0.8 ms.
type batchQueue struct {
	mu        sync.Mutex
	cond      *sync.Cond // a window listed, a folder failed
	folders   []*folderQueue
	exclusive bool
	n         int  // messages per batch
	ramp      bool // the first batches of a folder small
	// ended, when set, is called (without mu) once per folder whose
	// copy is over: every batch handed out and stored, or dropped.
	ended func(*folderRun)
}

// folderQueue is what is left to copy of one folder: the batches of the
// windows listed (see window.go) and not handed out yet, and whether
// windows are left to list.
type folderQueue struct {
	f        *folderRun
	batches  [][]srcMsg
	cost     int64 // of what is left, see msgCost (estimated until listed)
	size     int64 // cost as the copy began (the plan's estimate)
	owner    int   // the worker it belongs to when exclusive, else -1
	inFlight int   // batches handed out and not yet stored
	more     bool  // windows left to list
	listing  bool  // a worker lists its next window
	ramped   bool  // its first batches were cut small
	over     bool  // ended was called
}

// listAhead is how few batches of a folder are left to hand out when
// its next window is listed: the workers sharing a big folder take those
// while it is listed, instead of turning to other folders.
const listAhead = 4

// msgCost weighs a message for scheduling: a message costs more than its
// bytes (a round trip, a transaction on the destination).
func msgCost(m srcMsg) int64 { return m.Size + 2048 }

// newBatchQueue queues every prepared folder; its windows are listed and
// cut into batches of n messages (see cutBatches; ramp makes a folder's
// first ones small) as the copy goes. A folder's size, which orders the
// folders, is what the plan found pending in it.
func newBatchQueue(folders []*folderRun, n int, ramp, exclusive bool) *batchQueue {
	q := &batchQueue{exclusive: exclusive, n: n, ramp: ramp}
	q.cond = sync.NewCond(&q.mu)
	for _, f := range folders {
		if f.lst == nil || f.lst.done || f.isFailed() {
			continue
		}
		est := f.fp.PendingSize + 2048*int64(f.fp.Pending)
		if est == 0 { // the plan found nothing pending (then) or did not list
			est = int64(f.progress.Total) * 2048
		}
		q.folders = append(q.folders, &folderQueue{f: f, owner: -1, more: true, cost: est, size: est})
	}
	return q
}

// next returns worker w's next batch to copy, or a folder whose next
// window w is to list first (b nil, list set): with b, list asks w to
// list the folder's next window before it fetches b (few batches of the
// window are left).
// Shared, it is the first left of the biggest folder not yet all handed
// out (biggest as the copy began): the workers copy the folders together,
// one after the other, so that each folder's copy ends early and its
// verification runs while the next ones are copied (see copyLoop), the
// biggest one's first; what is left to verify when the copy ends is the
// smallest folders'. Exclusive, it is the next batch of the folder w owns
// while that has any, else of the biggest folder no worker owns (which w
// then owns); none left means w is done. A failed folder's batches are
// dropped. Shared, it waits while the biggest folder's next window is
// being listed by another worker; exclusive, while the folder w owns is.
func (q *batchQueue) next(w int) (f *folderRun, b []srcMsg, list, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		var best *folderQueue
		wait := false
		for _, fq := range q.folders {
			if (len(fq.batches) > 0 || fq.more) && fq.f.isFailed() {
				fq.batches, fq.cost, fq.more = nil, 0, false
			}
			if len(fq.batches) == 0 && !fq.more {
				continue
			}
			if q.exclusive && len(fq.batches) == 0 && fq.listing {
				wait = wait || fq.owner == w
				continue
			}
			if q.exclusive && fq.owner == w {
				best = fq
				break
			}
			if q.exclusive && fq.owner >= 0 {
				continue
			}
			if best == nil || (q.exclusive && fq.cost > best.cost) || (!q.exclusive && fq.size > best.size) {
				best = fq
			}
		}
		if best == nil {
			if wait {
				q.cond.Wait()
				continue
			}
			return nil, nil, false, false
		}
		if len(best.batches) == 0 && best.listing {
			// Shared: the biggest folder's next window is being listed;
			// the worker waits for it rather than turn to another folder
			// (whose EXAMINE, and the one back, cost a big folder's
			// server more than the wait).
			q.cond.Wait()
			continue
		}
		if q.exclusive {
			best.owner = w
		}
		if len(best.batches) == 0 {
			best.listing = true
			return best.f, nil, true, true
		}
		b = best.batches[0]
		best.batches = best.batches[1:]
		best.inFlight++
		for _, m := range b {
			best.cost -= msgCost(m)
		}
		if len(best.batches) < listAhead && best.more && !best.listing {
			best.listing, list = true, true
		}
		return best.f, b, list, true
	}
}

// listed hands q the pending messages of the window of f just listed
// (see next), more saying whether windows are left, and calls ended when
// that leaves nothing of f to copy.
func (q *batchQueue) listed(f *folderRun, msgs []srcMsg, more bool) {
	q.mu.Lock()
	var over *folderRun
	for _, fq := range q.folders {
		if fq.f != f {
			continue
		}
		fq.listing, fq.more = false, more && !f.isFailed()
		if len(msgs) > 0 && !f.isFailed() {
			fq.batches = append(fq.batches, cutBatches(msgs, q.n, q.ramp && !fq.ramped)...)
			fq.ramped = true
		}
		if !fq.more {
			fq.cost = 0
			for _, b := range fq.batches {
				for _, m := range b {
					fq.cost += msgCost(m)
				}
			}
		}
		if fq.ended() {
			over = f
		}
	}
	q.cond.Broadcast()
	q.mu.Unlock()
	if over != nil && q.ended != nil {
		q.ended(over)
	}
}

// ended reports, once, whether fq's copy is over: nothing left to hand
// out or to list, and nothing in flight. q.mu is held.
func (fq *folderQueue) ended() bool {
	if len(fq.batches) == 0 && !fq.more && !fq.listing && fq.inFlight == 0 && !fq.over {
		fq.over = true
		return true
	}
	return false
}

// stored notes that a batch of f handed out by next is stored (or given
// up), and calls ended when that was f's last: nothing left to hand out
// (a failed folder's batches are dropped) or to list, and nothing in
// flight.
func (q *batchQueue) stored(f *folderRun) {
	q.mu.Lock()
	var over *folderRun
	for _, fq := range q.folders {
		if fq.f != f {
			continue
		}
		fq.inFlight--
		if f.isFailed() {
			fq.batches, fq.cost = nil, 0
		}
		if fq.ended() {
			over = f
		}
	}
	q.cond.Broadcast()
	q.mu.Unlock()
	if over != nil && q.ended != nil {
		q.ended(over)
	}
}

// idle lists the folders of folders that q has nothing of: their copy is
// over before it starts.
func (q *batchQueue) idle(folders []*folderRun) []*folderRun {
	q.mu.Lock()
	defer q.mu.Unlock()
	queued := map[*folderRun]bool{}
	for _, fq := range q.folders {
		queued[fq.f] = true
	}
	var out []*folderRun
	for _, f := range folders {
		if !queued[f] {
			out = append(out, f)
		}
	}
	return out
}

// copyAll runs the copy phase on all the pool's workers and, as each
// folder's copy ends, its finishing (the catch-up pass, then the parts
// of its verification, see afterCopy): a worker whose copying is over
// verifies the folders already copied while others still copy (without
// MULTIAPPEND, a big folder is appended into by one worker alone, long
// after the others are done). copied is called once every folder is
// finished: all the mail is on the destination. It returns when all
// the work is done or the run was stopped.
func (p *pool) copyAll(q *batchQueue, folders []*folderRun, copied func()) {
	a := newAfterCopy(p, len(folders), copied)
	defer a.stop()
	q.ended = a.folderCopied
	for _, f := range q.idle(folders) {
		a.folderCopied(f)
	}
	var wg sync.WaitGroup
	for w, r := range p.runners {
		wg.Go(func() {
			p.gate.join()
			defer p.gate.leave()
			r.copyLoop(p, q, w, a)
			// The workers that connected to copy, and the first one
			// always, go on with the finishing; the others would dial
			// only to verify.
			if w == 0 || r.dst.c != nil || r.app != nil {
				a.work(r)
			}
		})
	}
	wg.Wait()
	// A folder left unfinished (the run stopped) is not copied.
}

// afterCopy hands the workers the finishing of each folder whose copy
// ended, then the parts of its verification.
type afterCopy struct {
	p         *pool
	mu        sync.Mutex
	cond      *sync.Cond
	tasks     []task
	waiting   int // folders whose copy has not ended
	running   int // tasks being run
	finishing int // folders not finished yet
	copied    func()
	stopWake  func() bool
}

func newAfterCopy(p *pool, folders int, copied func()) *afterCopy {
	a := &afterCopy{p: p, waiting: folders, finishing: folders, copied: copied}
	a.cond = sync.NewCond(&a.mu)
	a.stopWake = context.AfterFunc(p.ctx, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.cond.Broadcast()
	})
	return a
}

func (a *afterCopy) stop() { a.stopWake() }

// folderCopied queues f's finishing.
func (a *afterCopy) folderCopied(f *folderRun) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.waiting--
	a.tasks = append(a.tasks, task{f: f, do: func(ctx context.Context, r *runner) error { return r.finish(ctx, f) }, finishing: true})
	a.cond.Broadcast()
}

// add queues t, a part of a folder's verification.
func (a *afterCopy) add(t task) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tasks = append(a.tasks, t)
	a.cond.Broadcast()
}

// work runs the queued tasks on r until none is left or can come, or the
// run was stopped.
func (a *afterCopy) work(r *runner) {
	for {
		a.mu.Lock()
		for len(a.tasks) == 0 && (a.waiting > 0 || a.running > 0) && a.p.ctx.Err() == nil {
			a.cond.Wait()
		}
		if len(a.tasks) == 0 || a.p.ctx.Err() != nil {
			a.cond.Broadcast()
			a.mu.Unlock()
			return
		}
		a.runLocked(r)
	}
}

// runOne runs one queued task on r, if there is one, between two of its
// batches (see copyLoop).
func (a *afterCopy) runOne(r *runner) {
	a.mu.Lock()
	if len(a.tasks) == 0 || a.p.ctx.Err() != nil {
		a.mu.Unlock()
		return
	}
	a.runLocked(r)
}

// runLocked runs the first queued task on r; it is called with a.mu
// held, and returns with it released.
func (a *afterCopy) runLocked(r *runner) {
	// A folder's finishing (its catch-up pass) before any verification
	// part: the run's mail is all copied (PhaseCopied) as early as can be.
	i := 0
	for k, t := range a.tasks {
		if t.finishing {
			i = k
			break
		}
	}
	t := a.tasks[i]
	a.tasks = slices.Delete(a.tasks, i, i+1)
	fin := t.finishing
	a.running++
	a.mu.Unlock()

	// The source connection is the fetching stage's while the worker
	// copies: a task waits for the fetch in progress to end.
	r.srcMu.Lock()
	a.p.run(r, t)
	r.srcMu.Unlock()

	a.mu.Lock()
	a.running--
	done := false
	if fin {
		a.tasks = append(a.tasks, t.f.verTasks...)
		t.f.verTasks = nil
		a.finishing--
		done = a.finishing == 0
	}
	a.cond.Broadcast()
	a.mu.Unlock()
	if done && a.p.err() == nil && a.p.ctx.Err() == nil {
		a.copied()
	}
}

// copyLoop copies batches from q through a two-stage pipeline: while one
// batch is stored on the destination (storeBatch), the next one's bodies
// are fetched on the runner's source connection. A folder's error marks it failed (its batches
// left are dropped); an error that stops the run cancels it (see
// pool.fail). Shared (see batchQueue), a worker runs one of a's tasks
// (a folder's finishing, a part of its verification) after each batch it
// stored: the folders copied first are verified while the others are
// copied, on the connections the worker holds (see appender_read.go).
// Exclusive, it does not: a worker copying a big folder alone is the
// run's critical path.
func (r *runner) copyLoop(p *pool, q *batchQueue, w int, a *afterCopy) {
	ctx := p.ctx
	type fetched struct {
		f      *folderRun
		msgs   []srcMsg
		spools map[imap.UID]*spool
		err    error
		budget int64 // taken from p.bodies
	}
	// Unbuffered: a worker holds at most two batches of bodies, the one
	// being stored and the next one, fetched meanwhile.
	ch := make(chan fetched)
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(ch)
		for fctx.Err() == nil {
			f, b, list, ok := q.next(w)
			if !ok {
				return
			}
			if list {
				// The folder's next window first: the other workers
				// sharing the folder wait for it once its batches are
				// all handed out.
				r.srcMu.Lock()
				msgs, more, err := r.listWindow(ctx, f)
				r.srcMu.Unlock()
				p.fail(f, err)
				q.listed(f, msgs, more && err == nil)
			}
			if len(b) > 0 {
				// No gate here: fetching only reads the source, and a
				// parked Run must mean the storing has stopped. ctx, not
				// fctx: the source connection dialled here outlives this
				// loop.
				// The batch's bodies held in memory are taken from the
				// workers' shared budget before they are read.
				budget := min(inMemory(b), bodyBudget(len(p.runners)))
				if err := p.bodies.Acquire(fctx, budget); err != nil {
					q.stored(f)
					return
				}
				r.srcMu.Lock()
				sp, err := r.fetchBatch(ctx, f, b)
				r.srcMu.Unlock()
				select {
				case ch <- fetched{f, b, sp, err, budget}:
				case <-fctx.Done():
					closeSpools(sp)
					p.bodies.Release(budget)
					q.stored(f)
					return
				}
			}
		}
	})
	for fb := range ch {
		err := fb.err
		if err == nil && !fb.f.isFailed() {
			err = r.gate.wait(ctx) // a pause lets the batch in flight finish, no more
			if err == nil {
				err = r.storeBatch(ctx, fb.f, fb.msgs, fb.spools)
			}
		}
		closeSpools(fb.spools)
		p.bodies.Release(fb.budget)
		p.fail(fb.f, err)
		if q.exclusive && ctx.Err() == nil {
			// The workers done copying read back what this one stored;
			// before stored: once the folder's copy has ended, its
			// finishing cuts what is left to verify.
			if t, ok := fb.f.earlyPart(r.opts.chunk()); ok {
				a.add(t)
			}
		}
		q.stored(fb.f)
		switch {
		case ctx.Err() != nil:
			cancel()
		case !q.exclusive:
			a.runOne(r)
		}
	}
	wg.Wait()
}
