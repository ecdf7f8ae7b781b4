package mailsync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

// SyncOnce connects, replays queued operations, and makes one full pass over
// every folder: the folder list, then headers and flags of each folder (INBOX
// first), then bodies by policy (over up to maxBodyConns connections of the
// account's budget), then it feeds the search index with the new bodies
// before returning, so the store it leaves is fully indexed. It returns
// what it did; the error is the account-wide failure (also in Summary.Err),
// while per-folder failures are in Summary.Folders and do not stop the
// other folders.
func (e *Engine) SyncOnce(ctx context.Context) (Summary, error) {
	c, err := e.dialer.DialIMAP(ctx, e.acct, nil)
	if err != nil {
		return Summary{Account: e.acct.Name, Err: err}, err
	}
	// Every connection of the account's budget may fetch bodies.
	sum, err := e.pass(ctx, c, true, e.acct.Connections()-1)
	if err != nil {
		closeClient(c)
		return sum, err
	}
	e.collectGarbage(ctx)
	// The mail is offline now; the search index catches up before
	// SyncOnce returns, so a finished --once leaves a fully indexed store.
	closeClient(c)
	sum.Indexed, err = e.indexPending(ctx)
	e.emit(ctx, Indexed{Account: e.acct.Name, Count: sum.Indexed, Err: err})
	if err != nil {
		sum.Err = err
	}
	return sum, err
}

// stashKeep is how long the body of a message that left a folder is kept
// for relinking: a move by another client is seen as an expunge here and a
// new message there, possibly a pass or two apart.
const stashKeep = 7 * 24 * time.Hour

// collectGarbage drops stashed bodies older than stashKeep that no folder
// claimed back, and blobs nothing references any more, so the store does not
// grow with mail deleted on the server. A failure only delays that.
func (e *Engine) collectGarbage(ctx context.Context) {
	if _, err := e.st.GC(ctx, e.opts.Now().Add(-stashKeep)); err != nil {
		e.emit(ctx, SyncError{Account: e.acct.Name, Err: err})
	}
}

func closeClient(c *account.IMAPClient) {
	_ = c.Logout().Wait()
	_ = c.Close()
}

// pass is one sync of every folder over c and extraConns more connections
// at most: bodies, when asked for, are fetched over up to maxBodyConns-1 of
// them while the headers come in, then over c too (see bodiesPass); what
// the bodies leave may take a second folder's headers at a time (see
// headerPass).
func (e *Engine) pass(ctx context.Context, c *account.IMAPClient, bodies bool, extraConns int) (Summary, error) {
	sum := Summary{Account: e.acct.Name}
	fail := func(err error) (Summary, error) {
		sum.Err = err
		e.emit(ctx, SyncError{Account: e.acct.Name, Err: err})
		return sum, err
	}
	acct, err := e.accountID(ctx)
	if err != nil {
		return fail(err)
	}
	if err := e.replayOps(ctx, c, acct); err != nil {
		return fail(err)
	}
	folders, changed, err := e.syncFolderList(ctx, c, acct)
	if err != nil {
		return fail(err)
	}
	if changed {
		e.emit(ctx, FoldersChanged{Account: e.acct.Name})
	}
	slices.SortStableFunc(folders, func(a, b remoteFolder) int { return folderOrder(a.Folder) - folderOrder(b.Folder) })
	var bp *bodiesPass
	spare := extraConns // connections the bodies pass leaves to the headers
	if bodies {
		if bp, err = e.startBodiesPass(ctx, len(folders), extraConns); err != nil {
			return fail(err)
		}
		if bp != nil {
			spare -= bp.extra
		}
	}
	selectable := make([]store.Folder, 0, len(folders))
	for _, rf := range folders {
		if rf.selectable {
			selectable = append(selectable, rf.Folder)
		}
	}
	sum.Folders, err = e.runHeaderPass(ctx, c, selectable, spare, bp)
	if err != nil {
		if bp != nil {
			bp.abort()
		}
		return fail(err) // a connection is gone
	}
	if bp != nil {
		got, err := bp.wait(ctx, c)
		for i := range sum.Folders {
			r, ok := got[sum.Folders[i].id]
			if !ok {
				continue
			}
			sum.Folders[i].Bodies = r.n
			if r.err != nil && sum.Folders[i].Err == nil {
				sum.Folders[i].Err = r.err
			}
		}
		if err != nil {
			return fail(err)
		}
	}
	e.refreshUnseen(ctx, acct, sum.Folders)
	for _, fs := range sum.Folders {
		e.emit(ctx, FolderSynced{Account: e.acct.Name, Summary: fs})
	}
	return sum, nil
}

// refreshUnseen recounts unread mail of the account once, after a pass,
// and fills the summaries' Unseen. A failure leaves the counts as they
// were and is reported.
func (e *Engine) refreshUnseen(ctx context.Context, acct store.AccountID, sums []FolderSummary) {
	unread, err := e.st.RefreshUnseen(ctx, acct)
	if err != nil {
		e.emit(ctx, SyncError{Account: e.acct.Name, Err: err})
		return
	}
	for i := range sums {
		sums[i].Unseen = unread[sums[i].id]
	}
}

// isServerRefusal tells a NO/BAD for one folder (the connection is fine)
// from a broken connection or a cancelled context.
func isServerRefusal(err error) bool {
	var ie *imap.Error
	return errors.As(err, &ie)
}

// folderOrder puts INBOX first, then the folders people read most.
func folderOrder(f store.Folder) int {
	switch account.Role(f.Role) {
	case account.RoleInbox:
		return 0
	case account.RoleSent:
		return 1
	case account.RoleDrafts:
		return 2
	case account.RoleNone:
		return 3
	case account.RoleArchive:
		return 4
	}
	return 5
}

// syncNamed syncs one folder by role (INBOX after IDLE reported a change):
// operations are replayed first, then the folder's headers, flags and bodies.
func (e *Engine) syncRole(ctx context.Context, c *account.IMAPClient, role store.Role) error {
	acct, err := e.accountID(ctx)
	if err != nil {
		return err
	}
	if err := e.replayOps(ctx, c, acct); err != nil {
		return err
	}
	folders, err := e.st.Folders(ctx, acct)
	if err != nil {
		return err
	}
	for _, f := range folders {
		if f.Role != role {
			continue
		}
		before := f.UIDNext
		fs, err := e.syncFolder(ctx, c, f, nil)
		if err == nil {
			fs.Bodies, err = e.fetchBodies(ctx, c, f)
		}
		fs.Err = err
		sums := []FolderSummary{fs}
		e.refreshUnseen(ctx, acct, sums)
		fs = sums[0]
		if fs.New > 0 && before != 0 {
			e.emit(ctx, NewMail{Account: e.acct.Name, Folder: f.Name, Count: fs.New})
		}
		e.emit(ctx, FolderSynced{Account: e.acct.Name, Summary: fs})
		return err
	}
	return nil
}

// Run keeps the account in step until ctx ends: a full pass, then IDLE on
// INBOX over a second connection (restarted every Options.IdleRestart, as
// RFC 2177 §3 asks) so new mail arrives within seconds, a poll of every
// folder every Options.PollEvery (and of INBOX every 30 s where the server
// has no IDLE), and a replay whenever Kick is called. A lost connection is
// retried with backoff; a login the server refuses (wrong password, IMAP
// off, account locked) ends Run with that error instead, since retrying it
// would only lock the account. Stored bodies are indexed for search by a
// goroutine of their own beside the passes. Run returns nil when ctx ends.
// It stays within the account's connection budget (Connections): one for
// the passes, one for IDLE, and while a pass downloads bodies up to the
// rest of the budget (at most maxBodyConns in all) for them.
func (e *Engine) Run(ctx context.Context) error {
	backoff := time.Second
	for {
		err := e.runConnected(ctx)
		if ctx.Err() != nil {
			return nil
		}
		e.emit(ctx, Online{Account: e.acct.Name, Online: false})
		if err != nil {
			e.emit(ctx, SyncError{Account: e.acct.Name, Err: err})
			if gaveUp(err) {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		case <-e.kick:
		}
		backoff = min(2*backoff, 5*time.Minute)
	}
}

// gaveUp tells failures that retrying cannot mend: refused credentials, a
// mailbox with IMAP off or locked, no password at all. Retrying those would
// only count more failed logins against the account (providers lock
// accounts after a few); the user must act first, then start sync again.
func gaveUp(err error) bool {
	var ce *account.ConnError
	if !errors.As(err, &ce) {
		return false
	}
	switch account.Diagnose(err).Problem {
	case account.ProblemWrongPassword, account.ProblemIMAPDisabled, account.ProblemAccountLocked,
		account.ProblemNoPassword, account.ProblemKeyring, account.ProblemPasswordCmd, account.ProblemAuthzid:
		return true
	}
	return false
}

func (e *Engine) runConnected(ctx context.Context) error {
	c, err := e.dialer.DialIMAP(ctx, e.acct, nil)
	if err != nil {
		return err
	}
	defer closeClient(c)
	e.emit(ctx, Online{Account: e.acct.Name, Online: true})
	// IDLE keeps one connection of the account's budget, once it runs:
	// the first pass (a cold sync's) has the whole budget.
	extra := e.acct.Connections() - 2
	if _, err := e.pass(ctx, c, true, extra+1); err != nil {
		return err
	}
	e.collectGarbage(ctx)
	ctx, cancel := context.WithCancel(ctx)
	indexWake := make(chan struct{}, 1)
	indexDone := make(chan struct{})
	go func() { defer close(indexDone); e.indexLoop(ctx, indexWake) }()
	defer func() { cancel(); <-indexDone }()
	wakeIndex := func() {
		select {
		case indexWake <- struct{}{}:
		default:
		}
	}
	wakeIndex()
	inboxChanged := make(chan struct{}, 1)
	idleDone := make(chan error, 1)
	inboxPoll := e.opts.PollEvery
	if c.Caps().Has(imap.CapIdle) {
		go func() { idleDone <- e.watchInbox(ctx, inboxChanged) }()
	} else {
		inboxPoll = min(inboxPoll, 30*time.Second)
	}
	all := time.NewTicker(e.opts.PollEvery)
	defer all.Stop()
	inbox := time.NewTicker(inboxPoll)
	defer inbox.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case err = <-idleDone:
			if ctx.Err() == nil {
				return fmt.Errorf("mailsync: idle: %w", err)
			}
			return nil
		case <-inboxChanged:
			err = e.syncRole(ctx, c, store.Role(account.RoleInbox))
		case <-inbox.C:
			err = e.syncRole(ctx, c, store.Role(account.RoleInbox))
		case <-e.kick:
			_, err = e.pass(ctx, c, false, 0)
		case <-all.C:
			_, err = e.pass(ctx, c, true, extra)
		}
		wakeIndex()
		if err != nil && !isServerRefusal(err) {
			return err
		}
	}
}

// indexLoop indexes stored bodies whenever wake fires, beside the passes of
// Run, until ctx ends.
func (e *Engine) indexLoop(ctx context.Context, wake <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		}
		n, err := e.indexPending(ctx)
		if ctx.Err() != nil {
			return
		}
		if n > 0 || err != nil {
			e.emit(ctx, Indexed{Account: e.acct.Name, Count: n, Err: err})
		}
	}
}
