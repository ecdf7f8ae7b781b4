package mailsync

import (
	"context"
	"errors"
	"runtime"
	"sync"

	"github.com/magpie-mail/magpie/store"
)

// Indexing runs behind the downloads. The body pipeline stores raw bytes
// only (store.PutRawBodies), so mail is readable offline as soon as it
// arrives; indexPending then parses what waits (charset decoding, HTML to
// text, preview, attachment flag) and feeds the full-text index. Parsing
// runs on every core; writes go in batches of at most indexBatchCount
// messages or indexBatchBytes raw bytes, one transaction each, while the
// next batch is parsed.
const (
	indexBatchCount = 256
	indexBatchBytes = 4 << 20
)

// indexPending indexes every message of the account whose body is stored
// but not yet in the full-text index, and returns how many it indexed.
// A body the store cannot read back (corrupt) is left waiting and reported
// once through the error; the others are indexed. Safe to run beside a
// sync pass of the same engine.
func (e *Engine) indexPending(ctx context.Context) (int, error) {
	acct, err := e.accountID(ctx)
	if err != nil {
		return 0, err
	}
	total, err := e.st.IndexBacklog(ctx, acct)
	if err != nil || total == 0 {
		return 0, err
	}
	writes := make(chan []store.BodyText, 1)
	type indexResult struct {
		n   int
		err error
	}
	written := make(chan indexResult, 1)
	go func() {
		var res indexResult
		for batch := range writes {
			if res.err == nil {
				if res.err = e.st.PutTexts(ctx, batch); res.err == nil {
					res.n += len(batch)
					e.emit(ctx, FolderProgress{Account: e.acct.Name, Phase: PhaseIndex, Done: res.n, Total: total})
				}
			}
		}
		written <- res
	}()
	encs := max(1, runtime.GOMAXPROCS(0))
	var readErr error
	after := store.MessageID(0)
	for ctx.Err() == nil {
		todo, err := e.st.Unindexed(ctx, acct, after, indexBatchCount)
		if err != nil {
			readErr = err
			break
		}
		if len(todo) == 0 {
			break
		}
		after = todo[len(todo)-1].ID
		// Cut the batch at indexBatchBytes of raw bytes (at least one).
		var bytes int64
		for i, u := range todo {
			if i > 0 && bytes+u.Size > indexBatchBytes {
				todo, after = todo[:i], todo[i-1].ID
				break
			}
			bytes += u.Size
		}
		texts, err := e.parseStored(ctx, todo, encs)
		if err != nil && readErr == nil {
			readErr = err
		}
		if len(texts) > 0 {
			select {
			case writes <- texts:
			case <-ctx.Done():
			}
		}
	}
	close(writes)
	res := <-written
	if err := ctx.Err(); err != nil {
		return res.n, err
	}
	return res.n, errors.Join(res.err, readErr)
}

// parseStored reads the bodies of todo back from the store and extracts
// their text, on up to workers goroutines.
func (e *Engine) parseStored(ctx context.Context, todo []store.Unindexed, workers int) ([]store.BodyText, error) {
	out := make([]store.BodyText, len(todo))
	ok := make([]bool, len(todo))
	next := make(chan int)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range min(workers, len(todo)) {
		wg.Go(func() {
			for i := range next {
				raw, err := e.st.RawByHash(ctx, todo[i].Hash)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				b := bodyOf(raw)
				out[i] = store.BodyText{ID: todo[i].ID, Hash: todo[i].Hash, Text: b.Text, Preview: b.Preview, HasAttachment: b.HasAttachment}
				ok[i] = true
			}
		})
	}
	for i := range todo {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	texts := out[:0]
	for i := range out {
		if ok[i] {
			texts = append(texts, out[i])
		}
	}
	return texts, firstErr
}
