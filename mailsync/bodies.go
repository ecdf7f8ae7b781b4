package mailsync

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

// Body downloads are planned in sets of at most bodySetCount messages and
// bodySetBytes bytes per UID FETCH, and written to the store in batches of
// at most writeBatchCount bodies or writeBatchBytes bytes, one transaction
// each. Memory therefore holds a bounded number of bodies whatever the
// mailbox size (see budget).
const (
	bodySetCount    = 500
	bodySetBytes    = 24 << 20
	writeBatchCount = 200
	writeBatchBytes = 2 << 20
)

// fetchBodies downloads the bodies one folder lacks over c (see
// feedBodies) and returns how many it stored. The folder must be selected.
func (e *Engine) fetchBodies(ctx context.Context, c *account.IMAPClient, f store.Folder) (int, error) {
	if e.opts.Bodies.Mode == account.BodiesNone {
		return 0, nil
	}
	p := e.startBodyPipeline(ctx)
	err := e.feedBodies(ctx, c, f, p)
	res := p.finish()
	if err != nil {
		return res.done[f.ID], err
	}
	return res.done[f.ID], res.err
}

// feedBodies downloads the raw bytes (BODY.PEEK[], RFC 3501 §6.4.5: PEEK so
// \Seen is never set) of messages the store lacks, newest first, as the
// account's policy allows, into p. The folder must be selected. The UID
// FETCHes run back to back, so the network, the encoders and the store's
// writer work at the same time. Messages the server no longer has are
// skipped; the next pass sees them expunged. It stops between FETCHes when
// ctx ends.
func (e *Engine) feedBodies(ctx context.Context, c *account.IMAPClient, f store.Folder, p *bodyPipeline) error {
	var allowed map[store.UID]bool // nil: every body
	if e.opts.Bodies.Mode == account.BodiesRecent {
		since := dayStart(e.opts.Now().AddDate(0, 0, -e.opts.Bodies.Days))
		data, err := c.UIDSearch(&imap.SearchCriteria{Since: since}, nil).Wait()
		if err != nil {
			return fmt.Errorf("mailsync: search recent %q: %w", f.Name, err)
		}
		allowed = map[store.UID]bool{}
		for _, u := range data.AllUIDs() {
			allowed[store.UID(u)] = true
		}
	}
	// The list of missing bodies is read a page at a time, twice: once to
	// count them (the progress's total), once to fetch them, so that a
	// folder of any size holds one page of it, not its whole list.
	total := 0
	if err := e.eachNeed(ctx, f, allowed, func(page []store.NeedBody) error {
		total += len(page)
		return nil
	}); err != nil {
		return err
	}
	p.setTotal(f.ID, total)
	return e.eachNeed(ctx, f, allowed, func(page []store.NeedBody) error {
		return e.fetchSets(ctx, c, f, page, p)
	})
}

// fetchSets fetches the bodies of page into p, one UID FETCH per set of
// at most bodySetCount messages and bodySetBytes bytes (one larger body
// alone), in the page's order. It stops between FETCHes when ctx ends.
func (e *Engine) fetchSets(ctx context.Context, c *account.IMAPClient, f store.Folder, page []store.NeedBody, p *bodyPipeline) error {
	for len(page) > 0 {
		n, bytes := 0, int64(0)
		for n < len(page) && n < bodySetCount && (n == 0 || bytes+page[n].Size <= bodySetBytes) {
			bytes += page[n].Size
			n++
		}
		byUID := make(map[store.UID]store.MessageID, n)
		var set imap.UIDSet
		for _, nb := range page[:n] {
			byUID[nb.UID] = nb.ID
			set.AddNum(imap.UID(nb.UID))
		}
		page = page[n:]
		if err := p.fetch(c, f, set, byUID); err != nil {
			return fmt.Errorf("mailsync: fetch bodies %q: %w", f.Name, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// needPage is how many missing bodies feedBodies reads from the store at
// once.
const needPage = 1000

// eachNeed hands fn the folder's missing bodies (those allowed, when
// allowed is not nil), newest first, a page at a time. fn must not keep
// the page.
func (e *Engine) eachNeed(ctx context.Context, f store.Folder, allowed map[store.UID]bool, fn func([]store.NeedBody) error) error {
	page, err := e.st.NeedBodies(ctx, f.ID, e.needPage)
	for err == nil && len(page) > 0 {
		last := page[len(page)-1]
		if allowed != nil {
			page = slices.DeleteFunc(page, func(n store.NeedBody) bool { return !allowed[n.UID] })
		}
		if err = fn(page); err == nil {
			if err = ctx.Err(); err == nil {
				page, err = e.st.NeedBodiesAfter(ctx, f.ID, last, e.needPage)
			}
		}
	}
	return err
}

// bodyPipeline carries raw bodies from FETCHes (one or several connections)
// through encoders (one per core: hashing and compression) to one writer
// that stores them in batches. Nothing here parses the mail: the full-text
// index is fed afterwards from the store (indexPending), off the download's
// path. The budget bounds the bytes between FETCH and the store.
type bodyPipeline struct {
	ctx     context.Context
	cancel  context.CancelFunc
	raws    chan rawBody
	written chan writeResult
	budget  *budget
	bufs    bufPool // the bodies' buffers, back from the writer

	mu     sync.Mutex // guards totals
	totals map[store.FolderID]int
}

type rawBody struct {
	id     store.MessageID
	folder store.Folder
	data   []byte
}

type preparedBody struct {
	store.PreparedBody
	folder store.Folder
	err    error // its file could not be written (the store's failure)
}

type writeResult struct {
	done map[store.FolderID]int // bodies stored per folder
	err  error
}

// minEncoders is the fewest encoders a pipeline runs, whatever the cores:
// each also writes its bodies' files and waits for them to reach the disk
// (store.Encoder.PrepareWrite), and a file system commits concurrent fsyncs together,
// so more of them in flight cost less wait per body (on ext4 over a
// virtual disk, 3000 bodies took ~2.8 s with two in flight, ~0.8 s with
// many). The budget, not their number, bounds the bytes they hold.
const minEncoders = 8

func (e *Engine) startBodyPipeline(ctx context.Context) *bodyPipeline {
	p := &bodyPipeline{raws: make(chan rawBody, 4), written: make(chan writeResult, 1),
		budget: newBudget(e.bodyBudget), totals: map[store.FolderID]int{}}
	p.ctx, p.cancel = context.WithCancel(ctx)
	prepared := make(chan preparedBody, 4)
	var encoders sync.WaitGroup
	for range max(minEncoders, runtime.GOMAXPROCS(0)) {
		encoders.Go(func() {
			var enc store.Encoder
			for r := range p.raws {
				// Its file, here in parallel: the writer only records it.
				// A failure (a full disk) is the store's: the writer
				// reports it and stops the pass.
				pb, err := enc.PrepareWrite(e.st, r.id, store.Body{Raw: r.data})
				select {
				case prepared <- preparedBody{pb, r.folder, err}:
				case <-p.ctx.Done():
					return
				}
			}
		})
	}
	go func() { encoders.Wait(); close(prepared) }()
	nudge := p.budget.register()
	go func() {
		defer p.budget.unregister(nudge)
		p.written <- e.writeBodies(p.ctx, p, prepared, nudge)
	}()
	return p
}

func (p *bodyPipeline) setTotal(f store.FolderID, n int) {
	p.mu.Lock()
	p.totals[f] = n
	p.mu.Unlock()
}

func (p *bodyPipeline) total(f store.FolderID) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.totals[f]
}

// fetch runs one UID FETCH of folder f (selected on c) into the pipeline.
// It is safe to call from several goroutines, one per connection.
func (p *bodyPipeline) fetch(c *account.IMAPClient, f store.Folder, set imap.UIDSet, byUID map[store.UID]store.MessageID) error {
	cmd := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		uid, data, err := readBody(p.ctx, msg, p.budget, &p.bufs)
		if err != nil {
			cmd.Close()
			return err
		}
		id, ok := byUID[uid]
		if !ok || data == nil {
			if data != nil {
				p.budget.release(len(data))
			}
			continue
		}
		select {
		case p.raws <- rawBody{id: id, folder: f, data: data}:
		case <-p.ctx.Done():
			p.budget.release(len(data))
			cmd.Close()
			return p.ctx.Err()
		}
	}
	return cmd.Close()
}

// readBody reads one message of a FETCH of UID and BODY[]: the body goes
// into a buffer of exactly the literal's size (Collect's io.ReadAll grows
// one by doubling, twice the allocation and copying of every body). data
// is nil when the server sent no body. The body's bytes are taken from
// the budget before it is read, by the literal's announced size, so that
// the bodies being read count too: otherwise each connection could hold
// a large attachment beyond the budget, and the more large ones a mailbox
// has, the likelier several at once (the peak grew with the mailbox). The
// caller releases len(data) once the body leaves the pipeline; on an
// error nothing stays taken.
func readBody(ctx context.Context, msg *imapclient.FetchMessageData, b *budget, bufs *bufPool) (store.UID, []byte, error) {
	var uid store.UID
	var data []byte
	for item := msg.Next(); item != nil; item = msg.Next() {
		switch item := item.(type) {
		case imapclient.FetchItemDataUID:
			uid = store.UID(item.UID)
		case imapclient.FetchItemDataBodySection:
			if item.Literal == nil {
				continue
			}
			if data != nil { // a second body section, not asked for: the last counts
				b.release(len(data))
				data = nil
			}
			want := int(min(item.Literal.Size(), maxPresized))
			if err := b.acquire(ctx, want); err != nil {
				return 0, nil, err
			}
			got, err := readLiteral(item.Literal, bufs)
			if err != nil {
				b.release(want)
				return 0, nil, err
			}
			if len(got) != want { // larger than announced may be trusted: retake its own size
				b.release(want)
				if err := b.acquire(ctx, len(got)); err != nil {
					return 0, nil, err
				}
			}
			data = got
		}
	}
	return uid, data, nil
}

// readLiteral reads a FETCH literal whole: into a buffer of its announced
// size (from bufs) when that is at most maxPresized, otherwise as it
// arrives.
func readLiteral(lit imap.LiteralReader, bufs *bufPool) ([]byte, error) {
	if n := lit.Size(); n <= maxPresized {
		data := bufs.get(int(n))
		_, err := io.ReadFull(lit, data)
		return data, err
	}
	return io.ReadAll(lit) // grows only as bytes arrive
}

// maxPresized is the largest literal readLiteral trusts the announced size
// of: a larger one is read as it arrives, not allocated up front.
const maxPresized = 64 << 20

// finish closes the pipeline's input and waits for the writer; every fetch
// must have returned.
func (p *bodyPipeline) finish() writeResult {
	close(p.raws)
	res := <-p.written
	p.cancel()
	return res
}

// writeBodies stores what arrives on in, in batches, reporting progress per
// folder; it drains in even after a failure so that the encoders never
// block. While a fetcher waits for budget it commits at once what it holds
// (see budget).
func (e *Engine) writeBodies(ctx context.Context, p *bodyPipeline, in <-chan preparedBody, nudge <-chan struct{}) writeResult {
	res := writeResult{done: map[store.FolderID]int{}}
	var batch []store.PreparedBody
	var folders []store.Folder
	size := 0
	flush := func() {
		if res.err == nil && len(batch) > 0 {
			if res.err = e.st.PutRawBodies(ctx, batch); res.err == nil {
				seen := map[store.FolderID]bool{}
				for _, f := range folders {
					res.done[f.ID]++
				}
				for _, f := range folders {
					if !seen[f.ID] {
						seen[f.ID] = true
						e.emit(ctx, FolderProgress{Account: e.acct.Name, Folder: f.Name, Phase: PhaseBodies, Done: res.done[f.ID], Total: p.total(f.ID)})
					}
				}
			}
		}
		for _, b := range batch {
			p.budget.release(b.Size())
			p.bufs.put(b.Body.Raw) // the store keeps none of it
		}
		clear(batch) // let the bodies go before the next batch fills
		batch, folders, size = batch[:0], folders[:0], 0
	}
	for {
		select {
		case b, ok := <-in:
			if !ok {
				flush()
				return res
			}
			if b.err != nil {
				p.budget.release(b.Size())
				if res.err == nil {
					res.err = b.err
				}
				continue
			}
			batch = append(batch, b.PreparedBody)
			folders = append(folders, b.folder)
			size += b.Size()
			if len(batch) >= writeBatchCount || size >= writeBatchBytes || p.budget.pressed() {
				flush()
			}
		case <-nudge:
			flush()
		}
	}
}
