package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestRescheduleAndBackToDraft(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, err := f.s.QueueOutgoing(ctx, Outgoing{Account: f.acct, From: "a@x", Rcpts: []string{"b@x"}, Subject: "周报", Raw: []byte("x")})
	must(t, err)
	must(t, f.s.ClaimOutgoing(ctx, id))
	must(t, f.s.ReleaseOutgoing(ctx, id, "refused", true))

	// A failed message rescheduled: queued for that time, its failure cleared.
	at := time.Now().Add(time.Hour).Truncate(time.Second)
	must(t, f.s.RescheduleOutgoing(ctx, id, at))
	o, err := f.s.OutgoingByID(ctx, id)
	must(t, err)
	if o.State != OutQueued || !o.NotBefore.Equal(at) || o.Reason != "" {
		t.Fatalf("rescheduled %+v", o)
	}
	// Being sent: neither rescheduled nor taken back.
	must(t, f.s.RescheduleOutgoing(ctx, id, time.Time{}))
	must(t, f.s.ClaimOutgoing(ctx, id))
	if err := f.s.RescheduleOutgoing(ctx, id, time.Time{}); !errors.Is(err, ErrClaimed) {
		t.Fatalf("rescheduled while sending: %v", err)
	}
	if _, err := f.s.OutgoingToDraft(ctx, id, LocalDraft{Account: f.acct, Raw: []byte("d")}); !errors.Is(err, ErrClaimed) {
		t.Fatalf("taken back while sending: %v", err)
	}
	if d, _ := f.s.Drafts(ctx, f.acct); len(d) != 0 {
		t.Fatalf("a draft was made anyway: %+v", d)
	}
	must(t, f.s.ReleaseOutgoing(ctx, id, "offline", false))

	// Taken back by two at once: one draft, and the message gone.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 4 {
		wg.Go(func() {
			if _, err := f.s.OutgoingToDraft(ctx, id, LocalDraft{Account: f.acct, Subject: "周报", Raw: []byte("draft")}); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	d, err := f.s.Drafts(ctx, f.acct)
	must(t, err)
	if wins != 1 || len(d) != 1 || string(d[0].Raw) != "draft" || d[0].Subject != "周报" {
		t.Fatalf("wins %d drafts %+v", wins, d)
	}
	if _, err := f.s.OutgoingByID(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("still in the outbox: %v", err)
	}
}
