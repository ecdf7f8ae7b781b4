package mailsync

import (
	"context"
	"sync"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

// maxHeaderConns caps the connections a header pass uses: the store has
// one writer, which two already keep busy.
const maxHeaderConns = 2

// headerConnWorth is how many missing headers a folder needs before the
// pass dials a second connection for the folders after it.
const headerConnWorth = 200

// headerPass syncs the headers and flags of a pass's folders, in their
// order, over the pass's connection and, when a folder turns out to lack
// many headers (a first sync), one more connection of the account's
// budget that takes the next folders meanwhile. A header pass on one
// connection is bound by round trips and by parsing, and leaves the
// second core and the store's writer idle; two folders at a time keep
// both busy. Each folder is still fetched newest first, on one
// connection, and committed batch by batch, so the order and kill-safety
// of a folder's pass are those of syncFolder. A folder's result is handed
// to the bodies pass as soon as it is known.
type headerPass struct {
	e       *Engine
	outer   context.Context // the pass's: events
	ctx     context.Context // cancelled when a connection breaks
	stop    context.CancelFunc
	folders []store.Folder
	bp      *bodiesPass // nil: no bodies in this pass
	wg      sync.WaitGroup

	mu    sync.Mutex // guards everything below
	next  int        // the next folder to take
	spare int        // connections still allowed to dial
	res   []headerResult
	fatal error
}

// headerResult is a folder's outcome; done tells a folder tried from one
// never reached (the pass stopped first).
type headerResult struct {
	fs   FolderSummary
	done bool
}

// runHeaderPass syncs folders over c and up to spare more connections and
// returns the summaries of the folders it tried, in folder order, and the
// failure that stopped it (a broken connection, a store failure). With
// bp nil, c is the caller's again when it returns; with bp set, c joined
// the bodies pass once it ran out of folders (see bodiesPass.join) and is
// free again once bp.wait or bp.abort returns.
func (e *Engine) runHeaderPass(ctx context.Context, c *account.IMAPClient, folders []store.Folder, spare int, bp *bodiesPass) ([]FolderSummary, error) {
	spare = max(0, min(spare, maxHeaderConns-1))
	hp := &headerPass{e: e, outer: ctx, folders: folders, bp: bp, spare: spare, res: make([]headerResult, len(folders))}
	hp.ctx, hp.stop = context.WithCancel(ctx)
	defer hp.stop()
	hp.worker(c, true)
	hp.wg.Wait()
	var out []FolderSummary
	for _, r := range hp.res {
		if r.done {
			out = append(out, r.fs)
		}
	}
	return out, hp.fatal
}

// take returns the index of the next folder, or -1 when none is left or
// the pass stopped.
func (hp *headerPass) take() int {
	hp.mu.Lock()
	defer hp.mu.Unlock()
	if hp.fatal != nil || hp.next >= len(hp.folders) {
		return -1
	}
	hp.next++
	return hp.next - 1
}

// worker syncs folders over conn until none is left. The pass's own
// connection (main) then joins the bodies pass.
func (hp *headerPass) worker(conn *account.IMAPClient, main bool) {
	e := hp.e
	for i := hp.take(); i >= 0; i = hp.take() {
		f := hp.folders[i]
		var feed *headerFeed // set when the folder's bodies stream (see bodiesPass.stream)
		missing := 0
		hooks := &headerHooks{
			missing: func(n int) { missing = n; hp.missing(n) },
			stored: func(lo, hi store.UID) {
				if hp.bp == nil {
					return
				}
				if feed == nil {
					hp.mu.Lock()
					// Only every body: a recent:N policy asks the server
					// which ones first (feedBodies).
					if hp.bp.lacking[f.ID] == 0 && e.opts.Bodies.Mode == account.BodiesAll && hp.ctx.Err() == nil {
						feed = hp.bp.stream(f, missing)
					}
					hp.mu.Unlock()
				}
				if feed != nil {
					feed.put(lo, hi)
				}
			},
		}
		fs, err := e.syncFolder(hp.ctx, conn, f, hooks)
		if feed != nil {
			feed.close()
		}
		if err != nil && hp.ctx.Err() != nil && hp.outer.Err() == nil {
			return // stopped by the other connection's failure, which is the one reported
		}
		if err != nil {
			fs.Err = err
			e.emit(hp.outer, SyncError{Account: e.acct.Name, Folder: f.Name, Err: err})
		}
		broken := err != nil && !isServerRefusal(err)
		if !broken && fs.New > 0 && f.UIDNext != 0 && !fs.Reset {
			e.emit(hp.outer, NewMail{Account: e.acct.Name, Folder: f.Name, Count: fs.New})
		}
		hp.mu.Lock()
		hp.res[i] = headerResult{fs: fs, done: true}
		if broken {
			if hp.fatal == nil {
				hp.fatal = err
			}
			hp.stop()
		} else if hp.bp != nil && feed == nil {
			hp.bp.add(f, fs.New)
		}
		hp.mu.Unlock()
		if broken {
			return // this connection is gone
		}
	}
	if main && hp.bp != nil && hp.ctx.Err() == nil {
		hp.bp.join(conn)
	}
}

// missing is told how many headers a folder lacks before they are fetched:
// a big one dials the spare connection for the folders after it.
func (hp *headerPass) missing(n int) {
	if n < hp.e.headerWorth {
		return
	}
	hp.mu.Lock()
	defer hp.mu.Unlock()
	if hp.spare == 0 || hp.fatal != nil || hp.next >= len(hp.folders) {
		return
	}
	hp.spare--
	hp.wg.Go(func() {
		conn, err := hp.e.dialer.DialIMAP(hp.ctx, hp.e.acct, nil)
		if err != nil {
			return // the pass's connection goes on alone
		}
		defer closeClient(conn)
		hp.worker(conn, false)
	})
}
