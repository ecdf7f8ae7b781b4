package mailsync

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/emersion/go-imap/v2"

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
	writeBatchBytes = 16 << 20
)

// fetchBodies downloads the raw bytes (BODY.PEEK[], RFC 3501 §6.4.5: PEEK so
// \Seen is never set) of messages the store lacks, newest first, as the
// account's policy allows. The folder must be selected. Messages that the
// server no longer has are skipped; the next pass sees them expunged.
func (e *Engine) fetchBodies(ctx context.Context, c *account.IMAPClient, f store.Folder) (int, error) {
	if e.opts.Bodies.Mode == account.BodiesNone {
		return 0, nil
	}
	var allowed map[store.UID]bool
	if e.opts.Bodies.Mode == account.BodiesRecent {
		since := dayStart(e.opts.Now().AddDate(0, 0, -e.opts.Bodies.Days))
		data, err := c.UIDSearch(&imap.SearchCriteria{Since: since}, nil).Wait()
		if err != nil {
			return 0, fmt.Errorf("mailsync: search recent %q: %w", f.Name, err)
		}
		allowed = map[store.UID]bool{}
		for _, u := range data.AllUIDs() {
			allowed[store.UID(u)] = true
		}
	}
	tried := map[store.MessageID]bool{}
	done := 0
	for {
		need, err := e.st.NeedBodies(ctx, f.ID, bodySetCount+len(tried))
		if err != nil {
			return done, err
		}
		byUID := map[store.UID]store.MessageID{}
		var set imap.UIDSet
		fresh, bytes := 0, int64(0)
		for _, n := range need {
			if tried[n.ID] {
				continue
			}
			if len(byUID) > 0 && (len(byUID) == bodySetCount || bytes+n.Size > bodySetBytes) {
				break
			}
			fresh++
			tried[n.ID] = true // also when skipped: asked once per pass
			if allowed != nil && !allowed[n.UID] {
				continue
			}
			byUID[n.UID] = n.ID
			bytes += n.Size
			set.AddNum(imap.UID(n.UID))
		}
		if fresh == 0 {
			return done, nil
		}
		if len(byUID) == 0 {
			continue
		}
		n, err := e.fetchBodySet(ctx, c, f, set, byUID)
		done += n
		if err != nil {
			return done, err
		}
		e.emit(ctx, FolderProgress{Account: e.acct.Name, Folder: f.Name, Phase: PhaseBodies, Done: done, Total: done + len(need) - fresh})
	}
}

// fetchBodySet runs one UID FETCH and pipes its bodies through parsers (one
// per core: charset decoding and HTML reduction for the index, hashing and
// compression for the store) to a writer
// that stores them in batches, so the network, the CPU and the disk work at
// the same time.
func (e *Engine) fetchBodySet(ctx context.Context, c *account.IMAPClient, f store.Folder, set imap.UIDSet, byUID map[store.UID]store.MessageID) (int, error) {
	type raw struct {
		id   store.MessageID
		data []byte
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	raws := make(chan raw, 8)
	parsed := make(chan store.PreparedBody, 8)
	var parsers sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		parsers.Add(1)
		go func() {
			defer parsers.Done()
			for r := range raws {
				p, err := store.PrepareBody(r.id, bodyOf(r.data))
				if err != nil {
					continue // not stored; the next pass asks again
				}
				select {
				case parsed <- p:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { parsers.Wait(); close(parsed) }()
	written := make(chan writeResult, 1)
	go func() { written <- e.writeBodies(ctx, parsed) }()

	readErr := func() error {
		defer close(raws)
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
			select {
			case raws <- raw{id: id, data: buf.BodySection[0].Bytes}:
			case <-ctx.Done():
				cmd.Close()
				return ctx.Err()
			}
		}
		return cmd.Close()
	}()
	if readErr != nil {
		cancel()
	}
	res := <-written
	if readErr != nil {
		return res.n, fmt.Errorf("mailsync: fetch bodies %q: %w", f.Name, readErr)
	}
	return res.n, res.err
}

type writeResult struct {
	n   int
	err error
}

// writeBodies stores what arrives on in, in batches; it drains in even
// after a failure so that the parsers never block.
func (e *Engine) writeBodies(ctx context.Context, in <-chan store.PreparedBody) writeResult {
	var res writeResult
	var batch []store.PreparedBody
	size := 0
	flush := func() {
		if res.err == nil && len(batch) > 0 {
			if res.err = e.st.PutBodies(ctx, batch); res.err == nil {
				res.n += len(batch)
			}
		}
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
