package mailsync

import "testing"

// TestBufClass holds the size classes to their contract: a class holds n,
// wastes at most a fifth of its bytes, and its capacity is its own class.
func TestBufClass(t *testing.T) {
	last := -1
	for n := 1; n <= poolMaxBuf; n += 1 + n/97 {
		c, size := bufClass(n)
		if size < n || (n > poolMinBuf && size-n > size/5) {
			t.Fatalf("bufClass(%d) = %d, %d: does not fit", n, c, size)
		}
		if c < last || c >= poolClasses {
			t.Fatalf("bufClass(%d) = %d after %d", n, c, last)
		}
		last = c
		if c2, s2 := bufClass(size); c2 != c || s2 != size {
			t.Fatalf("bufClass(%d) = %d, %d; its capacity's = %d, %d", n, c, size, c2, s2)
		}
	}
}

// TestBufPool recycles a buffer into the next get of its class, and keeps
// no more than poolMaxBytes.
func TestBufPool(t *testing.T) {
	var p bufPool
	b := p.get(3000)
	if len(b) != 3000 {
		t.Fatalf("len %d", len(b))
	}
	b[0] = 1
	p.put(b)
	if c := p.get(2900); &c[0] != &b[0] {
		t.Fatal("a buffer of the same class was not reused")
	}
	// A class or two up serves too, three up does not (see poolReach).
	_, size := bufClass(3000)
	for k, want := range map[int]bool{1: true, 2: true, 3: false} {
		up := size
		for range k {
			_, up = bufClass(up + 1)
		}
		var q bufPool
		big := make([]byte, up)
		q.put(big)
		if reused := &q.get(3000)[0] == &big[0]; reused != want {
			t.Fatalf("a buffer %d classes up (%d bytes) for 3000: reused %v, want %v", k, up, reused, want)
		}
	}
	for range 2 * poolMaxBytes / poolMaxBuf {
		p.put(make([]byte, poolMaxBuf))
	}
	if p.bytes > poolMaxBytes {
		t.Fatalf("pool holds %d bytes", p.bytes)
	}
	p.put(make([]byte, 1000, 1001)) // not a class: dropped
	p.put(make([]byte, poolMaxBuf+1))
	if p.bytes > poolMaxBytes {
		t.Fatalf("pool holds %d bytes", p.bytes)
	}
}
