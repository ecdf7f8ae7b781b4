package mailsync

import (
	"context"
	"fmt"
	"sync"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

// maxBodyConns caps the connections one engine fetches bodies over: on
// loopback two already keep the server and the client busy, and providers
// count connections per account.
const maxBodyConns = 3

// connWorth is how many missing bodies a folder needs before the pass
// dials a connection of its own for them.
const connWorth = 200

type bodyResult struct {
	n   int // bodies stored
	err error
}

// bodyWork is a folder for the bodies pass: its missing bodies, or with
// feed set, those of the header batches the feed hands over.
type bodyWork struct {
	f    store.Folder
	feed *headerFeed
}

// bodiesPass fetches the missing bodies of the folders handed to add, in
// the order they come, into one pipeline: one writer, one memory budget.
// It starts while the pass still fetches headers on the main connection:
// a folder is added as soon as its headers are stored (a folder that
// lacked no bodies, a first sync's, as soon as its first batch of them
// is: see stream), and fetched over
// up to extra more connections, each dialled when a folder needs it (the
// first folder that lacks bodies dials the first, and so on; one that
// cannot be dialled is simply not used; each is closed at the end). The
// main connection joins in wait, once the headers are done. So downloads
// overlap the header pass of the next folders, using the CPU and network
// the header pass leaves idle. A folder the server refuses is reported in
// its result and the others go on; a broken connection or a store failure
// stops the pass (the other connections stop after their current FETCH)
// and wait returns it.
type bodiesPass struct {
	e        *Engine
	p        *bodyPipeline
	fetchCtx context.Context
	stop     context.CancelFunc
	work     chan bodyWork
	wg       sync.WaitGroup
	extra    int                    // connections still allowed to dial
	added    int                    // folders added
	joined   bool                   // the pass's connection fetches bodies already
	lacking  map[store.FolderID]int // messages without bodies per folder, before the pass

	mu    sync.Mutex // guards errs and fatal
	errs  map[store.FolderID]error
	fatal error
}

// startBodiesPass starts a pass for at most folders folders, or returns nil
// when the account's policy fetches no bodies.
func (e *Engine) startBodiesPass(ctx context.Context, folders, extra int) (*bodiesPass, error) {
	if e.opts.Bodies.Mode == account.BodiesNone || folders == 0 {
		return nil, nil
	}
	acct, err := e.accountID(ctx)
	if err != nil {
		return nil, err
	}
	lacking, err := e.st.LackingBodies(ctx, acct)
	if err != nil {
		return nil, err
	}
	bp := &bodiesPass{e: e, work: make(chan bodyWork, folders), lacking: lacking,
		extra: max(0, min(extra, maxBodyConns-1)), errs: map[store.FolderID]error{}}
	bp.fetchCtx, bp.stop = context.WithCancel(ctx)
	bp.p = e.startBodyPipeline(ctx)
	return bp, nil
}

// add queues f for bodies if it may lack any: it did before the pass, or
// the pass stored new headers (newHeaders) in it. It never blocks.
func (bp *bodiesPass) add(f store.Folder, newHeaders int) {
	if bp.lacking[f.ID] == 0 && newHeaders == 0 {
		return
	}
	bp.queue(bodyWork{f: f}, bp.lacking[f.ID]+newHeaders)
}

// stream queues f, a folder that lacked no bodies before the pass, for
// the bodies of its headers as they are stored, batch by batch, while its
// header pass goes on (see headerFeed): a first sync's big folder keeps
// the bodies' connections, and the core they use, busy from its first
// batch instead of idle until its last. missing is how many headers the
// folder lacks. It never blocks.
func (bp *bodiesPass) stream(f store.Folder, missing int) *headerFeed {
	feed := &headerFeed{ready: make(chan struct{}, 1)}
	bp.p.setTotal(f.ID, missing)
	bp.queue(bodyWork{f: f, feed: feed}, missing)
	return feed
}

// queue hands w to the connections, dialling one more for it when it
// needs n bodies or more and the pass may.
func (bp *bodiesPass) queue(w bodyWork, n int) {
	bp.added++
	bp.work <- w // buffered for every folder of the pass
	// A few missing bodies are left for the main connection, after the
	// headers: not worth a login (new mail in a regular pass).
	if bp.extra > 0 && n >= connWorth {
		bp.extra--
		bp.wg.Go(func() {
			conn, err := bp.e.dialer.DialIMAP(bp.fetchCtx, bp.e.acct, nil)
			if err != nil {
				return
			}
			defer closeClient(conn)
			bp.worker(conn)
		})
	}
}

func (bp *bodiesPass) worker(conn *account.IMAPClient) {
	for w := range bp.work {
		if bp.fetchCtx.Err() != nil {
			continue // drain: the pass is stopping
		}
		f := w.f
		err := bp.e.bodiesOf(bp.fetchCtx, conn, w, bp.p)
		broken := err != nil && !isServerRefusal(err)
		bp.mu.Lock()
		bp.errs[f.ID] = err
		if broken && bp.fatal == nil {
			bp.fatal = err
			bp.stop()
		}
		bp.mu.Unlock()
		if broken {
			return // this connection is gone
		}
	}
}

// abort stops the pass after a failure of the header pass (c is gone):
// the other connections stop after their current FETCH, and what the
// pipeline holds is stored.
func (bp *bodiesPass) abort() {
	bp.stop()
	close(bp.work)
	bp.wg.Wait()
	_ = bp.p.finish() // the header pass's failure is the one reported
}

// join lets c, the pass's connection, fetch bodies beside the other
// connections once it has no more headers to fetch, while another
// connection may still fetch a folder's headers (and add it). Call it
// before wait, from the goroutine that calls add.
func (bp *bodiesPass) join(c *account.IMAPClient) {
	bp.joined = true
	bp.wg.Go(func() { bp.worker(c) })
}

// wait lets c (free now: the headers are done) fetch what is left beside
// the other connections, unless it joined already, and returns once every
// queued folder is done, with the result of each folder it tried. c is
// free again when it returns.
func (bp *bodiesPass) wait(ctx context.Context, c *account.IMAPClient) (map[store.FolderID]bodyResult, error) {
	defer bp.stop()
	close(bp.work)
	if bp.added > 0 && !bp.joined {
		bp.wg.Go(func() { bp.worker(c) })
	}
	bp.wg.Wait()
	res := bp.p.finish()
	out := map[store.FolderID]bodyResult{}
	for id, err := range bp.errs {
		out[id] = bodyResult{n: res.done[id], err: err}
	}
	for id, n := range res.done {
		if _, ok := out[id]; !ok && n > 0 {
			out[id] = bodyResult{n: n}
		}
	}
	writeErr := res.err
	switch {
	case bp.fatal != nil:
		return out, bp.fatal
	case writeErr != nil:
		return out, writeErr
	}
	return out, ctx.Err()
}

// bodiesOf selects w's folder on c (read-only) and feeds its missing
// bodies into p, newest first.
func (e *Engine) bodiesOf(ctx context.Context, c *account.IMAPClient, w bodyWork, p *bodyPipeline) error {
	f := w.f
	condstore := c.Caps().Has(imap.CapCondStore)
	if _, err := c.Select(f.RawName, &imap.SelectOptions{ReadOnly: true, CondStore: condstore}).Wait(); err != nil {
		return fmt.Errorf("mailsync: examine %q: %w", f.Name, err)
	}
	if w.feed != nil {
		return e.feedStreamed(ctx, c, f, w.feed, p)
	}
	return e.feedBodies(ctx, c, f, p)
}

// feedStreamed feeds into p the bodies of each header batch of f that
// feed hands over, until the folder's header pass is done. The batches
// are disjoint UID ranges, so no body is asked for twice; a folder
// queued this way lacked no body before the pass, so the batches are all
// it lacks.
func (e *Engine) feedStreamed(ctx context.Context, c *account.IMAPClient, f store.Folder, feed *headerFeed, p *bodyPipeline) error {
	for {
		ranges, err := feed.next(ctx)
		if err != nil || ranges == nil {
			return err
		}
		for _, r := range ranges {
			page, err := e.st.NeedBodiesIn(ctx, f.ID, r[0], r[1])
			if err != nil {
				return err
			}
			if err := e.fetchSets(ctx, c, f, page, p); err != nil {
				return err
			}
		}
	}
}

// headerFeed hands the UID ranges of a folder's stored header batches
// from its header pass (put, done) to the connection fetching its bodies
// (next). put never blocks: the header pass never waits for bodies.
type headerFeed struct {
	ready chan struct{} // a token when ranges or done changed

	mu     sync.Mutex
	ranges [][2]store.UID
	done   bool
}

// put adds the stored batch of UIDs lo to hi.
func (h *headerFeed) put(lo, hi store.UID) {
	h.mu.Lock()
	h.ranges = append(h.ranges, [2]store.UID{lo, hi})
	h.mu.Unlock()
	h.signal()
}

// close says the folder's header pass is over, whatever its outcome.
func (h *headerFeed) close() {
	h.mu.Lock()
	h.done = true
	h.mu.Unlock()
	h.signal()
}

func (h *headerFeed) signal() {
	select {
	case h.ready <- struct{}{}:
	default:
	}
}

// next waits for ranges not handed out yet and returns them, or nil once
// the header pass is over and every range was handed out.
func (h *headerFeed) next(ctx context.Context) ([][2]store.UID, error) {
	for {
		h.mu.Lock()
		r, done := h.ranges, h.done
		h.ranges = nil
		h.mu.Unlock()
		if len(r) > 0 || done {
			return r, nil
		}
		select {
		case <-h.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
