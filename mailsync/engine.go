// Package mailsync keeps Magpie's local store in step with an account's IMAP
// server: every folder, full history (headers first, newest first, then
// bodies by policy), flags both ways, expunges, folder changes, UIDVALIDITY
// resets, real-time new mail through IDLE (RFC 2177), and the replay of
// offline operations queued in the store.
//
// It is named mailsync, not sync, so that it does not shadow the standard
// library's package for its importers.
package mailsync

import (
	"context"
	"sync"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

// Options tune an Engine. The zero value is usable.
type Options struct {
	// Bodies is the body download policy (account.BodyPolicy; the
	// account's own setting is the usual value).
	Bodies account.BodyPolicy
	// Events receives what the engine does; nil discards. The engine never
	// blocks on it beyond its context: a consumer that stops reading only
	// loses events, it cannot stall the sync.
	Events chan<- Event
	// PollEvery is how often folders other than INBOX (and INBOX on a server
	// without IDLE) are checked while Run runs; 0 means 2 minutes.
	PollEvery time.Duration
	// IdleRestart ends and restarts IDLE before servers drop it (RFC 2177
	// §3 allows them to after 30 minutes); 0 means 25 minutes.
	IdleRestart time.Duration
	// Batch is how many messages one FETCH asks for; 0 means 500.
	Batch int
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.PollEvery <= 0 {
		o.PollEvery = 2 * time.Minute
	}
	if o.IdleRestart <= 0 {
		o.IdleRestart = 25 * time.Minute
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Engine syncs one account. SyncOnce and Run may not run concurrently on one
// Engine; Kick may be called from any goroutine.
type Engine struct {
	acct   account.Account
	dialer *account.Dialer
	st     *store.Store
	opts   Options
	kick   chan struct{}

	// bodyBudget bounds the body bytes in flight in a pass (pipelineBytes;
	// tests make it tiny).
	bodyBudget int64
	// needPage is how many missing bodies are read from the store at once
	// (needPage; tests make it tiny).
	needPage int
	// headerWorth is headerConnWorth (tests make it tiny).
	headerWorth int

	mu     sync.Mutex // guards acctID
	acctID store.AccountID
}

// New returns an engine for a; it does not connect until SyncOnce or Run.
func New(a account.Account, d *account.Dialer, st *store.Store, opts Options) *Engine {
	opts.defaults()
	return &Engine{acct: a, dialer: d, st: st, opts: opts, kick: make(chan struct{}, 1),
		bodyBudget: pipelineBytes, needPage: needPage, headerWorth: headerConnWorth}
}

// Account is the account this engine syncs.
func (e *Engine) Account() account.Account { return e.acct }

// Kick asks a running Run to replay queued operations and resync soon (the
// UI calls it after EnqueueOp). It never blocks.
func (e *Engine) Kick() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

func (e *Engine) accountID(ctx context.Context) (store.AccountID, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.acctID != 0 {
		return e.acctID, nil
	}
	id, err := e.st.Account(ctx, e.acct.Name)
	if err != nil {
		return 0, err
	}
	e.acctID = id
	return id, nil
}

// emit sends ev unless the context ends first.
func (e *Engine) emit(ctx context.Context, ev Event) {
	if e.opts.Events == nil {
		return
	}
	select {
	case e.opts.Events <- ev:
	case <-ctx.Done():
	}
}

// Summary is the outcome of one sync pass over an account.
type Summary struct {
	Account string
	Folders []FolderSummary
	// Indexed is how many stored bodies were added to the full-text index
	// (SyncOnce indexes after the downloads, before it returns).
	Indexed int
	// Err is set when the pass as a whole failed (login, folder list).
	Err error
}

// Failed reports whether anything in the pass failed.
func (s Summary) Failed() bool {
	if s.Err != nil {
		return true
	}
	for _, f := range s.Folders {
		if f.Err != nil {
			return true
		}
	}
	return false
}

// FolderSummary is what one pass did to one folder.
type FolderSummary struct {
	Folder   string // decoded name
	Role     store.Role
	New      int // headers added
	Updated  int // flag changes taken from the server
	Expunged int // messages gone from the server
	Bodies   int // bodies downloaded
	Total    int // messages in the folder after the pass
	Unseen   int
	Reset    bool // UIDVALIDITY changed: re-listed (bodies relinked, not re-downloaded)
	Err      error

	id store.FolderID
}

// Event is something an engine reports. Every event names its account.
type Event interface{ AccountName() string }

// FolderProgress reports progress within a folder's pass.
type FolderProgress struct {
	Account, Folder string
	Phase           Phase
	Done, Total     int
}

// Phase is a step of a folder's pass.
type Phase string

const (
	PhaseHeaders Phase = "headers"
	PhaseFlags   Phase = "flags"
	PhaseBodies  Phase = "bodies"
	// PhaseIndex is the full-text indexing of stored bodies, per account:
	// FolderProgress.Folder is empty.
	PhaseIndex Phase = "index"
)

// FolderSynced reports a folder's finished pass.
type FolderSynced struct {
	Account string
	Summary FolderSummary
}

// NewMail reports messages that arrived in a folder since the last pass.
type NewMail struct {
	Account, Folder string
	Count           int
}

// FoldersChanged reports that the folder list changed (created, renamed,
// deleted on the server).
type FoldersChanged struct{ Account string }

// OpFinished reports an offline operation that reached the server, or that
// the server refused for good (Err set, the local change undone or kept as a
// conflict the user can see).
type OpFinished struct {
	Account string
	Op      store.OpID
	Err     error
}

// SyncError reports a failure; Folder is empty for account-wide ones.
type SyncError struct {
	Account, Folder string
	Err             error
}

// Indexed reports that stored bodies were added to the full-text index:
// Count of them, and the indexing's failure if any (those messages wait
// for the next try). Until then a search does not see their body text.
type Indexed struct {
	Account string
	Count   int
	Err     error
}

// Online reports the connection state of a running engine.
type Online struct {
	Account string
	Online  bool
}

func (e FolderProgress) AccountName() string { return e.Account }
func (e FolderSynced) AccountName() string   { return e.Account }
func (e NewMail) AccountName() string        { return e.Account }
func (e FoldersChanged) AccountName() string { return e.Account }
func (e OpFinished) AccountName() string     { return e.Account }
func (e SyncError) AccountName() string      { return e.Account }
func (e Online) AccountName() string         { return e.Account }
func (e Indexed) AccountName() string        { return e.Account }
