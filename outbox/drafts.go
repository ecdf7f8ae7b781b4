package outbox

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

// SaveDraft stores m as a local draft of account a (id 0: a new draft)
// and returns its ID. It touches no network and commits before returning,
// so the composer can call it every few seconds and on quit; a crash
// loses at most what was typed since.
func (o *Outbox) SaveDraft(ctx context.Context, a account.Account, id store.DraftID, m *message.Outgoing) (store.DraftID, error) {
	m.Draft = true
	raw, err := m.Build()
	if err != nil {
		return 0, fmt.Errorf("outbox: draft: %w", err)
	}
	acct, err := o.Store.Account(ctx, a.Name)
	if err != nil {
		return 0, err
	}
	return o.Store.SaveDraft(ctx, store.LocalDraft{ID: id, Account: acct, MsgID: m.MessageID, Subject: m.Subject, Raw: raw})
}

// UploadDraft queues the draft's latest version for the account's Drafts
// folder (flags \Draft \Seen), replacing the version uploaded before; the
// sync engine's offline queue does the APPEND and the EXPUNGE. When the
// store does not know the Drafts folder yet, the server's list is asked.
func (o *Outbox) UploadDraft(ctx context.Context, a account.Account, id store.DraftID) error {
	acct, err := o.Store.Account(ctx, a.Name)
	if err != nil {
		return err
	}
	var d *store.LocalDraft
	list, err := o.Store.Drafts(ctx, acct)
	if err != nil {
		return err
	}
	for i := range list {
		if list[i].ID == id {
			d = &list[i]
		}
	}
	if d == nil {
		return fmt.Errorf("outbox: draft %d: %w", id, store.ErrNotFound)
	}
	var c *account.IMAPClient
	defer func() {
		if c != nil {
			_ = c.Logout().Wait()
			c.Close()
		}
	}()
	folder, err := o.roleFolder(ctx, acct, store.Role(account.RoleDrafts), func() (*account.IMAPClient, error) {
		if o.Dialer == nil {
			return nil, ErrNoDialer
		}
		var err error
		c, err = o.Dialer.DialIMAP(ctx, a, nil)
		return c, err
	})
	if err != nil {
		return err
	}
	msg, body := storeMessage(d.Raw, o.now())
	_, err = o.Store.UploadDraft(ctx, id, store.Op{Kind: store.OpAppend, Folder: folder,
		Flags: store.FlagDraft | store.FlagSeen, Append: &store.Draft{Message: msg, Body: body}})
	return err
}

// ErrNoDialer means the Outbox may not connect (it was made without a
// Dialer, to stay local) and what it needed was not in the store.
var ErrNoDialer = errors.New("outbox: not connecting")

// UploadPendingDrafts uploads every local draft of the accounts whose
// latest version is not the one last queued for the server (never
// uploaded, or changed since: the app was killed or quit in between). It
// returns the first error after trying them all.
func (o *Outbox) UploadPendingDrafts(ctx context.Context, accounts []account.Account) error {
	var first error
	for _, a := range accounts {
		acct, err := o.Store.Account(ctx, a.Name)
		if err != nil {
			return err
		}
		list, err := o.Store.Drafts(ctx, acct)
		if err != nil {
			return err
		}
		for _, d := range list {
			if d.Uploaded != 0 {
				if h, ok, err := o.Store.BodyHash(ctx, d.Uploaded); err == nil && ok && h == sha256.Sum256(d.Raw) {
					continue
				}
			}
			if err := o.UploadDraft(ctx, a, d.ID); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

// DiscardDraft deletes a local draft and its server copy (queued expunge).
func (o *Outbox) DiscardDraft(ctx context.Context, id store.DraftID) error {
	list, err := o.Store.Drafts(ctx, 0)
	if err != nil {
		return err
	}
	for _, d := range list {
		if d.ID == id && d.Uploaded != 0 {
			if err := o.Store.ExpungeMessage(ctx, d.Uploaded); err != nil {
				return err
			}
		}
	}
	return o.Store.DeleteDraft(ctx, id)
}
