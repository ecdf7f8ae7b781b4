package migrate

import (
	"context"
	"sync"
)

// Gate pauses a Run between messages: Run waits at the gate before it
// starts each message, so a pause never leaves a message half copied and
// the journal stays exact. The zero value is open; a nil *Gate never
// pauses. A Gate is safe for concurrent use (the UI pauses, the runner
// waits) and may be shared by several Runs (a batch pauses them all).
type Gate struct {
	mu      sync.Mutex
	closed  chan struct{} // non-nil while paused; closed by Resume
	waiting int           // Runs parked at the gate now
}

// Pause makes every Run using g stop before its next message. The message
// in flight finishes first.
func (g *Gate) Pause() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed == nil {
		g.closed = make(chan struct{})
	}
}

// Resume lets the parked Runs go on.
func (g *Gate) Resume() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed != nil {
		close(g.closed)
		g.closed = nil
	}
}

// Paused reports whether Pause was called without a Resume since.
func (g *Gate) Paused() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed != nil
}

// Waiting is how many Runs are parked at the gate now: a paused run that
// still finishes its message in flight is not yet counted, nor is a Run
// some of whose workers are still copying.
func (g *Gate) Waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waiting
}

// Wait blocks while g is paused; it returns ctx's error when ctx ends
// first (a stop while paused). A nil g returns at once.
func (g *Gate) Wait(ctx context.Context) error {
	if g == nil {
		return ctx.Err()
	}
	g.mu.Lock()
	ch := g.closed
	if ch == nil {
		g.mu.Unlock()
		return ctx.Err()
	}
	g.waiting++
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.waiting--
		g.mu.Unlock()
	}()
	select {
	case <-ch:
		return ctx.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pausedCh is the channel Resume closes, or nil when g is open.
func (g *Gate) pausedCh() chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

func (g *Gate) addWaiting(n int) {
	g.mu.Lock()
	g.waiting += n
	g.mu.Unlock()
}

// runGate is a Gate as one Run's workers see it: each worker waits at it
// on its own, and the Run counts as parked (Gate.Waiting) only once every
// worker at work is parked, so that a pause reported as parked means
// nothing more is being stored anywhere in the Run.
type runGate struct {
	g       *Gate
	mu      sync.Mutex
	workers int  // workers at work (joined, not yet left)
	parked  int  // of them, those waiting at the gate
	counted bool // the Run is counted in g.waiting
}

func newRunGate(g *Gate) *runGate { return &runGate{g: g} }

// join and leave bracket a worker's time at work.
func (rg *runGate) join() {
	if rg == nil || rg.g == nil {
		return
	}
	rg.mu.Lock()
	rg.workers++
	rg.update()
	rg.mu.Unlock()
}

func (rg *runGate) leave() {
	if rg == nil || rg.g == nil {
		return
	}
	rg.mu.Lock()
	rg.workers--
	rg.update()
	rg.mu.Unlock()
}

// update counts the Run in g.waiting while all its workers are parked.
// The caller holds rg.mu.
func (rg *runGate) update() {
	want := rg.workers > 0 && rg.parked >= rg.workers
	if want != rg.counted {
		rg.counted = want
		if want {
			rg.g.addWaiting(1)
		} else {
			rg.g.addWaiting(-1)
		}
	}
}

// wait is Gate.Wait for one worker of the Run.
func (rg *runGate) wait(ctx context.Context) error {
	if rg == nil || rg.g == nil {
		return ctx.Err()
	}
	ch := rg.g.pausedCh()
	if ch == nil {
		return ctx.Err()
	}
	rg.mu.Lock()
	rg.parked++
	rg.update()
	rg.mu.Unlock()
	defer func() {
		rg.mu.Lock()
		rg.parked--
		rg.update()
		rg.mu.Unlock()
	}()
	select {
	case <-ch:
		return ctx.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}
