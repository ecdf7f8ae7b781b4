package migrate

import (
	"context"
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
	folders   []*folderQueue
	exclusive bool
}

// folderQueue is what is left to copy of one folder.
type folderQueue struct {
	f       *folderRun
	batches [][]srcMsg
	cost    int64 // of the batches left, see msgCost
	owner   int   // the worker it belongs to when exclusive, else -1
}

// msgCost weighs a message for scheduling: a message costs more than its
// bytes (a round trip, a transaction on the destination).
func msgCost(m srcMsg) int64 { return m.Size + 2048 }

// newBatchQueue cuts every folder's pending messages into batches (see
// cutBatches; ramp makes the first ones small).
func newBatchQueue(folders []*folderRun, n int, ramp, exclusive bool) *batchQueue {
	q := &batchQueue{exclusive: exclusive}
	for _, f := range folders {
		if len(f.pending) == 0 {
			continue
		}
		fq := &folderQueue{f: f, batches: cutBatches(f.pending, n, ramp), owner: -1}
		for _, m := range f.pending {
			fq.cost += msgCost(m)
		}
		q.folders = append(q.folders, fq)
	}
	return q
}

// next returns worker w's next batch to copy: the first left of the
// folder with the most work left, so that the workers drain the biggest
// folder together until it is no bigger than the next one, and the
// folders end at about the same time. Exclusive, it is the next batch of
// the folder w owns while that has any, else of the biggest folder no
// worker owns (which w then owns); none left means w is done. A failed
// folder's batches are dropped.
func (q *batchQueue) next(w int) (*folderRun, []srcMsg, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var best *folderQueue
	for _, fq := range q.folders {
		if len(fq.batches) > 0 && fq.f.isFailed() {
			fq.batches, fq.cost = nil, 0
		}
		if len(fq.batches) == 0 {
			continue
		}
		if q.exclusive && fq.owner == w {
			best = fq
			break
		}
		if q.exclusive && fq.owner >= 0 {
			continue
		}
		if best == nil || fq.cost > best.cost {
			best = fq
		}
	}
	if best == nil {
		return nil, nil, false
	}
	if q.exclusive {
		best.owner = w
	}
	b := best.batches[0]
	best.batches = best.batches[1:]
	for _, m := range b {
		best.cost -= msgCost(m)
	}
	return best.f, b, true
}

// copyAll runs the copy phase on all the pool's workers.
func (p *pool) copyAll(q *batchQueue) {
	var wg sync.WaitGroup
	for w, r := range p.runners {
		wg.Go(func() {
			p.gate.join()
			defer p.gate.leave()
			r.copyLoop(p, q, w)
		})
	}
	wg.Wait()
}

// copyLoop copies batches from q through a two-stage pipeline: while one
// batch is stored on the destination (storeBatch), the next one's bodies
// are fetched on the runner's source connection. A folder's error marks it failed (its batches
// left are dropped); an error that stops the run cancels it (see
// pool.fail).
func (r *runner) copyLoop(p *pool, q *batchQueue, w int) {
	ctx := p.ctx
	type fetched struct {
		f      *folderRun
		msgs   []srcMsg
		spools map[imap.UID]*spool
		err    error
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
			f, b, ok := q.next(w)
			if !ok {
				return
			}
			// No gate here: fetching only reads the source, and a parked
			// Run must mean the storing has stopped. ctx, not fctx: the
			// source connection dialled here outlives this loop.
			sp, err := r.fetchBatch(ctx, f, b)
			select {
			case ch <- fetched{f, b, sp, err}:
			case <-fctx.Done():
				closeSpools(sp)
				return
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
		p.fail(fb.f, err)
		if ctx.Err() != nil {
			cancel()
		}
	}
	wg.Wait()
}
