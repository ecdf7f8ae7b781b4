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
// still finishes its message in flight is not yet counted.
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
