package mailsync

import (
	"math/bits"
	"sync"
)

// bufPool recycles the buffers bodies are read into: once the writer has
// committed a batch, its bodies' buffers take the next bodies. A cold
// sync reads its whole mailbox through them, and a fresh buffer per body
// made the garbage collector run every few megabytes (GOGC 50 over a
// small live heap), each run stopping every goroutine for its stacks.
// Buffers come in size classes a quarter of a power of two apart, so a
// reused one wastes at most a fifth of its bytes; those above
// poolMaxBuf, and any beyond poolMaxBytes in all, are left to the
// collector, so the pool adds at most poolMaxBytes to the budget's.
// It is safe for concurrent use.
type bufPool struct {
	mu    sync.Mutex
	free  [poolClasses][][]byte
	bytes int
}

const (
	poolMinBuf   = 1 << 10
	poolMaxBuf   = 1 << 20
	poolMaxBytes = writeBatchBytes // a committed batch's worth
	poolClasses  = (20-10)*4 + 1   // class 0: up to 1 KiB; then four per doubling up to 1 MiB
	// poolReach is how many classes get looks at, its own and the next
	// ones up, before it makes a buffer: the pool's few megabytes spread
	// over 41 classes, and a body whose own class was empty took a fresh
	// buffer although one a little larger sat there (a cold sync of 2,000
	// messages: 664 bodies missed with one class, 500 with three; of 10k,
	// 1,989 missed with three, and 225 MB were allocated to offline
	// instead of 238 MB).
	poolReach = 3
)

// bufClass returns the size class of n (≤ poolMaxBuf) and its capacity.
func bufClass(n int) (int, int) {
	if n <= poolMinBuf {
		return 0, poolMinBuf
	}
	b := bits.Len(uint(n - 1)) // 2^(b-1) < n ≤ 2^b
	base := 1 << (b - 1)
	step := base / 4
	k := (n - base + step - 1) / step // 1..4
	return (b-11)*4 + k, base + k*step
}

// get returns a buffer of length n, recycled when the pool has one of its
// class or of the poolReach-1 classes above (at most 1.75 times n). Its bytes are not zeroed: the caller overwrites all n.
func (p *bufPool) get(n int) []byte {
	if n > poolMaxBuf {
		return make([]byte, n)
	}
	c, size := bufClass(n)
	p.mu.Lock()
	for k := c; k < min(c+poolReach, poolClasses); k++ {
		if l := len(p.free[k]); l > 0 {
			b := p.free[k][l-1]
			p.free[k][l-1] = nil
			p.free[k] = p.free[k][:l-1]
			p.bytes -= cap(b)
			p.mu.Unlock()
			return b[:n]
		}
	}
	p.mu.Unlock()
	return make([]byte, n, size)
}

// put gives b back; nothing may use it afterwards.
func (p *bufPool) put(b []byte) {
	n := cap(b)
	if n > poolMaxBuf || n == 0 {
		return
	}
	c, size := bufClass(n)
	if size != n { // not one of get's
		return
	}
	p.mu.Lock()
	if p.bytes+n <= poolMaxBytes {
		p.free[c] = append(p.free[c], b[:0])
		p.bytes += n
	}
	p.mu.Unlock()
}
