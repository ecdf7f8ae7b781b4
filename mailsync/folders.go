package mailsync

import (
	"context"
	"fmt"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

// remoteFolder is a folder as LIST shows it.
type remoteFolder struct {
	store.Folder
	selectable bool
}

// syncFolderList reads the server's folders (LIST, RFC 3501 §6.3.8, with
// RETURN (SPECIAL-USE), RFC 6154, where offered) and makes the store's list
// equal: new folders are added, vanished ones deleted (their bodies stay
// stashed for relinking, so a rename by another client costs no download).
// go-imap decodes modified UTF-7 names, so names are UTF-8 throughout and
// RawName equals Name; go-imap encodes them again on the wire.
func (e *Engine) syncFolderList(ctx context.Context, c *account.IMAPClient, acct store.AccountID) ([]remoteFolder, bool, error) {
	opts := &imap.ListOptions{}
	caps := c.Caps()
	if caps.Has(imap.CapSpecialUse) {
		opts.ReturnSpecialUse = true
	}
	list, err := c.List("", "*", opts).Collect()
	if err != nil {
		return nil, false, fmt.Errorf("mailsync: list folders: %w", err)
	}
	// Subscriptions only where LIST-EXTENDED (RFC 5258) offers them in one
	// command; elsewhere every folder counts as subscribed.
	subscribed := map[string]bool{}
	if caps.Has(imap.Cap("LIST-EXTENDED")) {
		if lsub, err := c.List("", "*", &imap.ListOptions{SelectSubscribed: true}).Collect(); err == nil {
			for _, l := range lsub {
				subscribed[l.Mailbox] = true
			}
		}
	}
	local, err := e.st.Folders(ctx, acct)
	if err != nil {
		return nil, false, err
	}
	known := make(map[string]store.Folder, len(local))
	for _, f := range local {
		known[f.RawName] = f
	}
	changed := false
	seen := map[string]bool{}
	var out []remoteFolder
	for _, l := range list {
		rf := remoteFolder{selectable: true}
		for _, a := range l.Attrs {
			if a == imap.MailboxAttrNoSelect || a == imap.MailboxAttrNonExistent {
				rf.selectable = false
			}
		}
		f := store.Folder{
			Account: acct, Name: l.Mailbox, RawName: l.Mailbox,
			Role:       storeRole(account.FolderRole(l.Mailbox, l.Delim, l.Attrs)),
			Subscribed: subscribed[l.Mailbox] || len(subscribed) == 0,
		}
		if l.Delim != 0 {
			f.Delim = string(l.Delim)
		}
		old, ok := known[l.Mailbox]
		if !ok || old.Role != f.Role || old.Delim != f.Delim || old.Subscribed != f.Subscribed {
			changed = changed || !ok
			id, err := e.st.UpsertFolder(ctx, f)
			if err != nil {
				return nil, false, err
			}
			f.ID = id
		} else {
			f = old
		}
		if ok {
			f.UIDValidity, f.UIDNext, f.HighestModSeq = old.UIDValidity, old.UIDNext, old.HighestModSeq
		}
		seen[l.Mailbox] = true
		rf.Folder = f
		out = append(out, rf)
	}
	// A folder made here whose CREATE has not reached the server yet stays.
	pending, err := e.st.PendingFolderCreates(ctx, acct)
	if err != nil {
		return nil, false, err
	}
	for _, f := range local {
		if !seen[f.RawName] && !pending[f.ID] {
			if err := e.st.DeleteFolder(ctx, f.ID); err != nil {
				return nil, false, err
			}
			changed = true
		}
	}
	return out, changed, nil
}
