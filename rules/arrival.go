package rules

import (
	"context"

	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/store"
)

// ArrivalApplied reports the client-side rules run over new INBOX mail
// (WatchArrivals). It is a mailsync.Event so it travels with the engine's.
type ArrivalApplied struct {
	Account string
	Applied Applied
	Err     error
}

// AccountName implements mailsync.Event.
func (a ArrivalApplied) AccountName() string { return a.Account }

var _ mailsync.Event = ArrivalApplied{}

// Kicker is the part of *mailsync.Engine WatchArrivals needs: a nudge to
// send queued operations now.
type Kicker interface{ Kick() }

var _ Kicker = (*mailsync.Engine)(nil)

// WatchArrivals runs an account's client-side rules on new mail, for
// servers without ManageSieve. It reads the engine's events from in and
// passes every one on to out; after each finished pass over INBOX
// (mailsync.FolderSynced) it runs the account's stored rules over the
// messages that arrived since they last ran (ApplyNew: once each, across
// restarts and re-syncs), and when that queued operations it kicks the
// engine so they reach the server at once, batched. Forward actions go
// through fwd (nil: counted, not done), whose Send runs when it queued
// some. It returns when in is
// closed or ctx ends. Blocking; run it in its own goroutine.
func WatchArrivals(ctx context.Context, st *store.Store, account string, k Kicker, fwd Forwarder, in <-chan mailsync.Event, out chan<- mailsync.Event) {
	send := func(ev mailsync.Event) bool {
		select {
		case out <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		var ev mailsync.Event
		select {
		case e, ok := <-in:
			if !ok {
				return
			}
			ev = e
		case <-ctx.Done():
			return
		}
		if !send(ev) {
			return
		}
		fs, ok := ev.(mailsync.FolderSynced)
		if !ok || fs.Summary.Role != "inbox" || fs.Summary.Err != nil {
			continue
		}
		res, err := applyArrivals(ctx, st, account, fs.Summary.Folder, fwd)
		if err == nil && res.Moved+res.Copied+res.Flagged == 0 && res.Examined == 0 {
			continue
		}
		if err == nil && res.Moved+res.Copied+res.Flagged > 0 {
			k.Kick()
		}
		if err == nil && res.Forwarded > 0 {
			fwd.Send(ctx)
		}
		if !send(ArrivalApplied{Account: account, Applied: res, Err: err}) {
			return
		}
	}
}

func applyArrivals(ctx context.Context, st *store.Store, account, folderName string, fwd Forwarder) (Applied, error) {
	id, err := st.Account(ctx, account)
	if err != nil {
		return Applied{}, err
	}
	set, err := LoadLocal(ctx, st, id)
	if err != nil {
		return Applied{}, err
	}
	folders, err := st.Folders(ctx, id)
	if err != nil {
		return Applied{}, err
	}
	for _, f := range folders {
		if f.Role == "inbox" || f.Name == folderName {
			return applyNew(ctx, st, f, set, fwd)
		}
	}
	return Applied{}, nil
}
