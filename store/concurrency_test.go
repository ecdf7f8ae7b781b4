package store

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// TestConcurrentReadersAndWriters shares one Store between goroutines that
// write batches and goroutines that read pages, searches and counts, and
// checks every read sees whole batches only (run with -race in make test).
func TestConcurrentReadersAndWriters(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const batches, per = 20, 50
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for b := range batches {
			if err := f.s.PutHeaders(ctx, f.inbox, genMessages(per, UID(b*per+1))); err != nil {
				errc <- err
				return
			}
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 40 {
			if _, err := f.s.EnqueueOp(ctx, Op{Kind: OpFlagsAdd, Folder: f.archive, UIDs: []UID{UID(i)}, Flags: FlagSeen}); err != nil {
				errc <- err
				return
			}
		}
	}()
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q, _ := ParseQuery("report")
			for range 30 {
				p, err := f.s.Page(ctx, f.inbox, PageRequest{Limit: 1000})
				if err != nil {
					errc <- err
					return
				}
				if len(p)%per != 0 {
					errc <- errors.New("page saw a partial batch")
					return
				}
				if _, err := f.s.Search(ctx, SearchRequest{Account: f.acct, Query: q}); err != nil {
					errc <- err
					return
				}
				if _, err := f.s.UnreadCounts(ctx, f.acct); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if n := count(t, f.s, "SELECT count(*) FROM messages"); n != batches*per {
		t.Errorf("%d messages, want %d", n, batches*per)
	}
}
