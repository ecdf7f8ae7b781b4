package mailsync

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"unicode/utf8"

	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

// Indexing runs behind the downloads. The body pipeline stores raw bytes
// only (store.PutRawBodies), so mail is readable offline as soon as it
// arrives; indexPending then parses what waits (charset decoding, HTML to
// text, preview, attachment flag) and feeds the full-text index. Parsing
// runs on every core; writes go in batches of at most indexBatchCount
// messages or indexBatchBytes raw bytes, one transaction each, while the
// next batch is parsed. The batches are small because a batch is held
// whole several times over while it is written: as Go texts, as the JSON
// handed to SQLite, as SQLite's copy of that and its parse of it; and
// SQLite's allocator (modernc.org/memory) keeps up to 4 MB of the freed
// regions of each size class resident for reuse, so each size of buffer a
// batch once needed stays in the process's RSS after it. At 4 MB per
// batch that was ~10 MB of the sync's peak. 256 KB batches took a further
// ~9 MB off the peak of a 10k sync (79 MB against 88 MB), but cost 15–20%
// more CPU in the index stage (in process, side by side; not profiled:
// each batch's commit flushes FTS5's pending terms as a segment of its
// own, so more segments to merge, and a smaller heap means more GC
// cycles), so the batches stay at 1 MB. A body larger than the batch is
// alone in its batch. Bodies are read as streams past their attachments
// (see parseStored), so a batch holds texts, never a large attachment.
//
// indexTextMax bounds the text indexed per message: a body's first 256 KB
// of text (some 100 pages) are searchable, the rest is not. Without it one
// long text body (a log, a mailing-list digest) is a batch of its own size
// several times over, and its trigrams fill FTS5's pending-terms hash. The
// raw message is stored whole either way.
const (
	indexBatchCount = 64
	indexBatchBytes = 1 << 20
	indexTextMax    = 256 << 10
)

// indexPending indexes every message of the account whose body is stored
// but not yet in the full-text index, and every message stored without a
// body and not in the index yet (its headers; see store.PutTexts), and
// returns how many bodies it indexed.
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
		n      int // messages indexed (progress)
		bodies int // of those, with a stored body (the result)
		err    error
	}
	written := make(chan indexResult, 1)
	go func() {
		var res indexResult
		for batch := range writes {
			if res.err == nil {
				if res.err = e.st.PutTexts(ctx, batch); res.err == nil {
					res.n += len(batch)
					for _, t := range batch {
						if t.Hash != (store.Hash{}) {
							res.bodies++
						}
					}
					e.emit(ctx, FolderProgress{Account: e.acct.Name, Phase: PhaseIndex, Done: res.n, Total: total})
				}
			}
		}
		written <- res
	}()
	encs := max(1, runtime.GOMAXPROCS(0))
	skims := make([]message.Skimmer, encs) // one per parsing goroutine, kept from batch to batch
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
		todo = todo[:batchLen(todo, indexBatchBytes)]
		after = todo[len(todo)-1].ID
		texts, err := e.parseStored(ctx, todo, skims)
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
		return res.bodies, err
	}
	return res.bodies, errors.Join(res.err, readErr)
}

// batchLen is how many of todo make one batch: as many as fit in maxBytes
// of raw bytes, and at least one.
func batchLen(todo []store.Unindexed, maxBytes int64) int {
	var bytes int64
	for i, u := range todo {
		if i > 0 && bytes+u.Size > maxBytes {
			return i
		}
		bytes += u.Size
	}
	return len(todo)
}

// capText is s cut to at most max bytes, at a character boundary.
func capText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// parseStored reads the bodies of todo back from the store and extracts
// their text, on one goroutine per skimmer. A body is read as a stream
// (store.OpenRaw) by a message.Skimmer, which keeps its headers and text
// and reads past its attachments: the memory a body takes here is that of
// its text, not of its size (a large attachment is neither read whole nor
// parsed), and the skimmers' buffers serve batch after batch.
func (e *Engine) parseStored(ctx context.Context, todo []store.Unindexed, skims []message.Skimmer) ([]store.BodyText, error) {
	out := make([]store.BodyText, len(todo))
	ok := make([]bool, len(todo))
	next := make(chan int)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for w := range min(len(skims), len(todo)) {
		skim := &skims[w]
		wg.Go(func() {
			for i := range next {
				if todo[i].Hash == (store.Hash{}) {
					// No body stored: its headers go into the index.
					out[i] = store.BodyText{ID: todo[i].ID}
					ok[i] = true
					continue
				}
				t, err := e.skimStored(ctx, skim, todo[i].Hash)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				out[i] = store.BodyText{ID: todo[i].ID, Hash: todo[i].Hash}
				if t != nil {
					out[i].Text, out[i].Preview, out[i].HasAttachment = capText(t.Text, indexTextMax), t.Preview, &t.HasAttachments
				}
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

// skimStored reads a stored body through skim: nil for an empty body
// (nothing to parse: it leaves the message's header-time preview and
// attachment guess, as bodyOf does); a body that fails its check is an
// error wrapping store.ErrCorrupt.
func (e *Engine) skimStored(ctx context.Context, skim *message.Skimmer, h store.Hash) (*message.IndexText, error) {
	r, err := e.st.OpenRaw(ctx, h)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	t, err := skim.Skim(r)
	if errors.Is(err, message.ErrEmpty) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}
