package mailsync

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/store"
)

// TestHeaderFeed: the bodies' side of a streamed folder gets every stored
// header batch once, in order, waits while none is new, and ends once the
// header pass is over and it has them all, or when its context ends. The
// header pass never waits for it.
func TestHeaderFeed(t *testing.T) {
	ctx := context.Background()
	h := &headerFeed{ready: make(chan struct{}, 1)}
	h.put(91, 100)
	h.put(81, 90) // not taken yet: put does not block
	got, err := h.next(ctx)
	if err != nil || !slices.Equal(got, [][2]store.UID{{91, 100}, {81, 90}}) {
		t.Fatalf("next: %v %v", got, err)
	}
	ranges := make(chan [][2]store.UID)
	go func() {
		for {
			r, err := h.next(ctx)
			if err != nil {
				t.Error(err)
			}
			ranges <- r
			if r == nil {
				return
			}
		}
	}()
	select {
	case r := <-ranges:
		t.Fatalf("next returned %v before anything new", r)
	case <-time.After(50 * time.Millisecond):
	}
	h.put(71, 80)
	if r := <-ranges; !slices.Equal(r, [][2]store.UID{{71, 80}}) {
		t.Fatalf("next: %v, want the new batch", r)
	}
	h.put(61, 70)
	h.close()
	var rest [][2]store.UID
	for r := range ranges {
		if r == nil {
			break
		}
		rest = append(rest, r...)
	}
	if !slices.Equal(rest, [][2]store.UID{{61, 70}}) {
		t.Fatalf("after close: %v, want the last batch, then the end", rest)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := (&headerFeed{ready: make(chan struct{}, 1)}).next(cctx); err == nil {
		t.Fatal("next waits on after its context ended")
	}
}
