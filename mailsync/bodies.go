package mailsync

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/emersion/go-imap/v2"
	"golang.org/x/sync/semaphore"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

// Body downloads are planned in sets of at most bodySetCount messages and
// bodySetBytes bytes per UID FETCH, and written to the store in batches of
// at most writeBatchCount bodies or writeBatchBytes bytes, one transaction
// each. Memory therefore holds a bounded number of bodies whatever the
// mailbox size.
const (
	bodySetCount    = 500
	bodySetBytes    = 24 << 20
	writeBatchCount = 200
	writeBatchBytes = 8 << 20
)

// fetchBodies downloads the raw bytes (BODY.PEEK[], RFC 3501 §6.4.5: PEEK so
// \Seen is never set) of messages the store lacks, newest first, as the
// account's policy allows. The folder must be selected. The UID FETCHes run
// back to back into one pipeline (see bodyPipeline), so the network, the
// parsers and the store's writer work at the same time for the whole folder.
// Messages the server no longer has are skipped; the next pass sees them
// expunged.
func (e *Engine) fetchBodies(ctx context.Context, c *account.IMAPClient, f store.Folder) (int, error) {
	if e.opts.Bodies.Mode == account.BodiesNone {
		return 0, nil
	}
	need, err := e.st.NeedBodies(ctx, f.ID, 1<<30)
	if err != nil || len(need) == 0 {
		return 0, err
	}
	if e.opts.Bodies.Mode == account.BodiesRecent {
		since := dayStart(e.opts.Now().AddDate(0, 0, -e.opts.Bodies.Days))
		data, err := c.UIDSearch(&imap.SearchCriteria{Since: since}, nil).Wait()
		if err != nil {
			return 0, fmt.Errorf("mailsync: search recent %q: %w", f.Name, err)
		}
		allowed := map[store.UID]bool{}
		for _, u := range data.AllUIDs() {
			allowed[store.UID(u)] = true
		}
		need = slices.DeleteFunc(need, func(n store.NeedBody) bool { return !allowed[n.UID] })
	}
	p := e.startBodyPipeline(ctx, f, len(need))
	var fetchErr error
	for len(need) > 0 && fetchErr == nil {
		byUID := map[store.UID]store.MessageID{}
		var set imap.UIDSet
		var bytes int64
		n := 0
		for ; n < len(need); n++ {
			if n > 0 && (n == bodySetCount || bytes+need[n].Size > bodySetBytes) {
				break
			}
			byUID[need[n].UID] = need[n].ID
			bytes += need[n].Size
			set.AddNum(imap.UID(need[n].UID))
		}
		need = need[n:]
		fetchErr = p.fetch(c, set, byUID)
	}
	done, writeErr := p.finish()
	if fetchErr != nil {
		return done, fmt.Errorf("mailsync: fetch bodies %q: %w", f.Name, fetchErr)
	}
	return done, writeErr
}

// bodyPipeline carries raw bodies from FETCH through encoders (one per
// core: hashing and compression) to one writer that stores them in
// batches. Nothing here parses the mail: the full-text index is fed
// afterwards from the store (indexPending), off the download's path.
// Bounded channels give backpressure: memory holds a few batches, whatever
// the folder's size.
type bodyPipeline struct {
	ctx     context.Context
	cancel  context.CancelFunc
	raws    chan rawBody
	written chan writeResult
	// inFlight bounds the bytes between FETCH and the store (raw, parsed
	// and compressed copies alike), so peak memory does not depend on how
	// many large attachments arrive together.
	inFlight *semaphore.Weighted
}

// pipelineBytes is the in-flight budget; a body larger than it takes the
// whole budget alone.
const pipelineBytes = 24 << 20

func weight(n int) int64 { return int64(min(max(n, 1), pipelineBytes)) }

type rawBody struct {
	id   store.MessageID
	data []byte
}

func (e *Engine) startBodyPipeline(ctx context.Context, f store.Folder, total int) *bodyPipeline {
	p := &bodyPipeline{raws: make(chan rawBody, 4), written: make(chan writeResult, 1), inFlight: semaphore.NewWeighted(pipelineBytes)}
	p.ctx, p.cancel = context.WithCancel(ctx)
	parsed := make(chan store.PreparedBody, 4)
	var parsers sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		parsers.Go(func() {
			var enc store.Encoder
			for r := range p.raws {
				pb, err := enc.Prepare(r.id, store.Body{Raw: r.data})
				if err != nil {
					p.inFlight.Release(weight(len(r.data)))
					continue // not stored; the next pass asks again
				}
				select {
				case parsed <- pb:
				case <-p.ctx.Done():
					return
				}
			}
		})
	}
	go func() { parsers.Wait(); close(parsed) }()
	go func() { p.written <- e.writeBodies(p.ctx, f, total, parsed, p.inFlight) }()
	return p
}

// fetch runs one UID FETCH into the pipeline.
func (p *bodyPipeline) fetch(c *account.IMAPClient, set imap.UIDSet, byUID map[store.UID]store.MessageID) error {
	cmd := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		buf, err := msg.Collect()
		if err != nil {
			cmd.Close()
			return err
		}
		id, ok := byUID[store.UID(buf.UID)]
		if !ok || len(buf.BodySection) == 0 {
			continue
		}
		data := buf.BodySection[0].Bytes
		if err := p.inFlight.Acquire(p.ctx, weight(len(data))); err != nil {
			cmd.Close()
			return err
		}
		select {
		case p.raws <- rawBody{id: id, data: data}:
		case <-p.ctx.Done():
			cmd.Close()
			return p.ctx.Err()
		}
	}
	return cmd.Close()
}

// finish closes the pipeline's input and waits for the writer.
func (p *bodyPipeline) finish() (int, error) {
	close(p.raws)
	res := <-p.written
	p.cancel()
	return res.n, res.err
}

type writeResult struct {
	n   int
	err error
}

// writeBodies stores what arrives on in, in batches, reporting progress; it
// drains in even after a failure so that the parsers never block.
func (e *Engine) writeBodies(ctx context.Context, f store.Folder, total int, in <-chan store.PreparedBody, inFlight *semaphore.Weighted) writeResult {
	var res writeResult
	var batch []store.PreparedBody
	size := 0
	flush := func() {
		if res.err == nil && len(batch) > 0 {
			if res.err = e.st.PutRawBodies(ctx, batch); res.err == nil {
				res.n += len(batch)
				e.emit(ctx, FolderProgress{Account: e.acct.Name, Folder: f.Name, Phase: PhaseBodies, Done: res.n, Total: total})
			}
		}
		for _, b := range batch {
			inFlight.Release(weight(b.Size()))
		}
		clear(batch) // let the bodies go before the next batch fills
		batch, size = batch[:0], 0
	}
	for b := range in {
		batch = append(batch, b)
		size += b.Size()
		if len(batch) >= writeBatchCount || size >= writeBatchBytes {
			flush()
		}
	}
	flush()
	return res
}
