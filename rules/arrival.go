package rules

import (
	"context"
	"strings"

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
// engine so they reach the server at once, batched. After a pass over
// Junk it moves new mail from allowed senders back to INBOX
// (rescueAllowed). Forward actions go
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
		if !ok || fs.Summary.Err != nil || (fs.Summary.Role != "inbox" && fs.Summary.Role != "junk") {
			continue
		}
		apply := applyArrivals
		if fs.Summary.Role == "junk" {
			apply = rescueAllowed
		}
		res, err := apply(ctx, st, account, fs.Summary.Folder, fwd)
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

// rescueAllowed moves new Junk mail from allowed senders (the allow list)
// back to INBOX, once each: the provider's own spam filter may put it
// there, and an allowed sender's mail must never stay in Junk. It runs as
// a rule of its own over the Junk folder, so the once-only bookkeeping of
// applyNew holds.
func rescueAllowed(ctx context.Context, st *store.Store, account, folderName string, _ Forwarder) (Applied, error) {
	id, err := st.Account(ctx, account)
	if err != nil {
		return Applied{}, err
	}
	set, err := LoadLocal(ctx, st, id)
	if err != nil || len(set.Allow) == 0 {
		return Applied{}, err
	}
	folders, err := st.Folders(ctx, id)
	if err != nil {
		return Applied{}, err
	}
	for _, f := range folders {
		if f.Name == folderName {
			return applyNew(ctx, st, f, allowedToInbox(set.Allow), nil)
		}
	}
	return Applied{}, nil
}

// allowedToInbox is the rule "from any allowed address or @domain: move to
// INBOX". A domain matches the whole domain after "@", as in senderIn.
func allowedToInbox(allow []string) Set {
	r := Rule{Name: "allow", Any: true, Actions: []Action{{Kind: ActionMove, Arg: "INBOX"}}}
	for _, e := range allow {
		if d, ok := strings.CutPrefix(e, "@"); ok {
			r.Conditions = append(r.Conditions, Condition{Field: FieldFrom, Match: MatchMatches, Value: "*@" + d})
		} else {
			r.Conditions = append(r.Conditions, Condition{Field: FieldFrom, Match: MatchIs, Value: e})
		}
	}
	return Set{Rules: []Rule{r}}
}
