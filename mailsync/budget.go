package mailsync

import (
	"context"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// budget bounds the raw bytes in flight between FETCH and the store, across
// every body pipeline of an engine (one per connection fetching bodies), so
// peak memory depends neither on the mailbox nor on how many large
// attachments arrive together. A body larger than the budget takes the
// whole budget alone.
//
// A writer holds bytes in a batch it has not committed yet, waiting for more
// bodies; a fetcher waiting for budget would then wait for ever. So a
// fetcher that cannot get its bytes at once nudges every writer, and while
// anyone waits writers commit what they hold at once instead of filling
// their batch.
type budget struct {
	sem     *semaphore.Weighted
	size    int64
	waiting atomic.Int32

	mu      sync.Mutex
	writers map[chan struct{}]struct{}
}

// pipelineBytes is an engine's in-flight budget.
const pipelineBytes = 8 << 20

func newBudget(size int64) *budget {
	return &budget{sem: semaphore.NewWeighted(size), size: size, writers: map[chan struct{}]struct{}{}}
}

// weight is what a body of n bytes takes from the budget.
func (b *budget) weight(n int) int64 { return min(max(int64(n), 1), b.size) }

// acquire takes n bytes' weight, waiting (and nudging writers) as needed.
func (b *budget) acquire(ctx context.Context, n int) error {
	w := b.weight(n)
	if b.sem.TryAcquire(w) {
		return nil
	}
	b.waiting.Add(1)
	defer b.waiting.Add(-1)
	b.nudge()
	return b.sem.Acquire(ctx, w)
}

func (b *budget) release(n int) { b.sem.Release(b.weight(n)) }

// pressed reports whether a fetcher waits for budget.
func (b *budget) pressed() bool { return b.waiting.Load() > 0 }

// register returns the channel on which a writer is nudged; unregister it
// when the writer ends.
func (b *budget) register() chan struct{} {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	b.writers[ch] = struct{}{}
	b.mu.Unlock()
	return ch
}

func (b *budget) unregister(ch chan struct{}) {
	b.mu.Lock()
	delete(b.writers, ch)
	b.mu.Unlock()
}

func (b *budget) nudge() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.writers {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
