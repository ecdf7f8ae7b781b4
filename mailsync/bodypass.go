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

type bodyResult struct {
	n   int
	err error
}

// bodiesPass fetches the missing bodies of folders, taken in order, over c
// and up to extra more connections (dialled only when more than one folder
// lacks bodies, each closed at the end; one that cannot be dialled is
// simply not used), into one pipeline: one writer, one memory budget. A
// folder the server refuses is reported in its result and the others go
// on; a broken connection or a store failure stops the pass (the other
// connections stop after their current FETCH) and is returned.
func (e *Engine) bodiesPass(ctx context.Context, c *account.IMAPClient, folders []store.Folder, extra int) (map[store.FolderID]bodyResult, error) {
	out := map[store.FolderID]bodyResult{}
	if e.opts.Bodies.Mode == account.BodiesNone || len(folders) == 0 {
		return out, nil
	}
	acct, err := e.accountID(ctx)
	if err != nil {
		return out, err
	}
	counts, err := e.st.Counts(ctx, acct)
	if err != nil {
		return out, err
	}
	var todo []store.Folder
	for _, f := range folders {
		if n := counts[f.ID]; n.Bodies < n.Messages {
			todo = append(todo, f)
		}
	}
	if len(todo) == 0 {
		return out, nil
	}
	extra = max(0, min(extra, maxBodyConns-1, len(todo)-1))

	p := e.startBodyPipeline(ctx)
	fetchCtx, stop := context.WithCancel(ctx)
	defer stop()
	var mu sync.Mutex
	errs := map[store.FolderID]error{}
	var fatal error
	work := make(chan store.Folder)
	worker := func(conn *account.IMAPClient) {
		for f := range work {
			err := e.bodiesOf(fetchCtx, conn, f, p)
			broken := err != nil && !isServerRefusal(err)
			mu.Lock()
			errs[f.ID] = err
			if broken && fatal == nil {
				fatal = err
				stop()
			}
			mu.Unlock()
			if broken {
				return // this connection is gone
			}
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() { worker(c) })
	for range extra {
		wg.Go(func() {
			conn, err := e.dialer.DialIMAP(fetchCtx, e.acct, nil)
			if err != nil {
				return
			}
			defer closeClient(conn)
			worker(conn)
		})
	}
feed:
	for _, f := range todo {
		select {
		case work <- f:
		case <-fetchCtx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	done, writeErr := p.finish()
	for _, f := range todo {
		if _, tried := errs[f.ID]; tried || done[f.ID] > 0 {
			out[f.ID] = bodyResult{n: done[f.ID], err: errs[f.ID]}
		}
	}
	switch {
	case fatal != nil:
		return out, fatal
	case writeErr != nil:
		return out, writeErr
	}
	return out, ctx.Err()
}

// bodiesOf selects f on c (read-only) and feeds its missing bodies into p.
func (e *Engine) bodiesOf(ctx context.Context, c *account.IMAPClient, f store.Folder, p *bodyPipeline) error {
	if _, err := c.Select(f.RawName, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return fmt.Errorf("mailsync: examine %q: %w", f.Name, err)
	}
	return e.feedBodies(ctx, c, f, p)
}
