package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

// ErrNoSentFolder means the account has no folder with the Sent role.
var ErrNoSentFolder = errors.New("outbox: no sent folder")

// sentCopy decides whether Magpie files the copy of a sent message and, if
// so, returns the OpAppend to queue with MarkSent. The provider preset or
// the account's sent_copy decides; otherwise the store remembers what an
// earlier send showed; otherwise the Sent folder is searched for the
// message's Message-ID right after sending (and once more after
// DetectWait), and the answer is remembered.
func (o *Outbox) sentCopy(ctx context.Context, a account.Account, acct store.AccountID, m store.Outgoing) (*store.Op, error) {
	saves, known := a.ServerSavesSent()
	if !known {
		var err error
		if saves, known, err = o.Store.ServerSavesSent(ctx, acct); err != nil {
			return nil, err
		}
	}
	var c *account.IMAPClient
	defer func() {
		if c != nil {
			_ = c.Logout().Wait()
			c.Close()
		}
	}()
	dial := func() error {
		if c != nil {
			return nil
		}
		if o.Dialer == nil {
			return ErrNoDialer
		}
		var err error
		c, err = o.Dialer.DialIMAP(ctx, a, nil)
		return err
	}
	if !known {
		if err := dial(); err != nil {
			return nil, err
		}
		found, err := o.detect(ctx, c, a, acct, m.MsgID)
		if err != nil {
			return nil, err
		}
		saves = found
		if err := o.Store.SetServerSavesSent(ctx, acct, saves); err != nil {
			return nil, err
		}
	}
	if saves {
		return nil, nil
	}
	sent, err := o.sentFolder(ctx, acct, func() (*account.IMAPClient, error) { err := dial(); return c, err })
	if err != nil {
		return nil, err
	}
	return copyOp(sent, m, o.now()), nil
}

// detect looks for msgID in the server's Sent folder.
func (o *Outbox) detect(ctx context.Context, c *account.IMAPClient, a account.Account, acct store.AccountID, msgID string) (bool, error) {
	sent, err := o.sentFolder(ctx, acct, func() (*account.IMAPClient, error) { return c, nil })
	if err != nil {
		return false, err
	}
	f, err := o.Store.Folder(ctx, sent)
	if err != nil {
		return false, err
	}
	wait := o.DetectWait
	if wait == 0 {
		wait = 3 * time.Second
	}
	deadline := time.Now().Add(wait)
	for try := 0; ; try++ {
		if try > 0 {
			left := time.Until(deadline)
			if left <= 0 {
				return false, nil
			}
			select {
			case <-ctx.Done():
				return false, ctx.Err()
			case <-time.After(min(left, 250*time.Millisecond)):
			}
		}
		if _, err := c.Select(f.RawName, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			return false, fmt.Errorf("outbox: examine %s: %w", f.Name, err)
		}
		data, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: msgID}}}, nil).Wait()
		if err != nil {
			return false, fmt.Errorf("outbox: search sent: %w", err)
		}
		if len(data.AllUIDs()) > 0 {
			return true, nil
		}
	}
}

// sentFolder returns the store's Sent folder of the account; when the
// store has none yet (never synced), the server's folder list decides and
// the folder is recorded.
func (o *Outbox) sentFolder(ctx context.Context, acct store.AccountID, conn func() (*account.IMAPClient, error)) (store.FolderID, error) {
	return o.roleFolder(ctx, acct, store.Role(account.RoleSent), conn)
}

func (o *Outbox) roleFolder(ctx context.Context, acct store.AccountID, role store.Role, conn func() (*account.IMAPClient, error)) (store.FolderID, error) {
	folders, err := o.Store.Folders(ctx, acct)
	if err != nil {
		return 0, err
	}
	for _, f := range folders {
		if f.Role == role {
			return f.ID, nil
		}
	}
	c, err := conn()
	if err != nil {
		return 0, err
	}
	opts := &imap.ListOptions{}
	if c.Caps().Has(imap.CapSpecialUse) {
		opts.ReturnSpecialUse = true
	}
	list, err := c.List("", "*", opts).Collect()
	if err != nil {
		return 0, fmt.Errorf("outbox: list folders: %w", err)
	}
	for _, l := range list {
		if store.Role(account.FolderRole(l.Mailbox, l.Delim, l.Attrs)) != role {
			continue
		}
		delim := ""
		if l.Delim != 0 {
			delim = string(l.Delim)
		}
		return o.Store.UpsertFolder(ctx, store.Folder{Account: acct, Name: l.Mailbox, RawName: l.Mailbox, Delim: delim, Role: role})
	}
	if role == store.Role(account.RoleSent) {
		return 0, ErrNoSentFolder
	}
	return 0, fmt.Errorf("outbox: no %s folder", role)
}

// copyOp is the OpAppend of a sent message to Sent, \Seen.
func copyOp(folder store.FolderID, m store.Outgoing, now time.Time) *store.Op {
	msg, body := storeMessage(m.Raw, now)
	return &store.Op{Kind: store.OpAppend, Folder: folder, Flags: store.FlagSeen,
		Append: &store.Draft{Message: msg, Body: body}}
}

// storeMessage is the store row and body of a message Magpie built.
func storeMessage(raw []byte, now time.Time) (store.Message, store.Body) {
	p, err := message.Parse(raw)
	if err != nil {
		return store.Message{InternalDate: now, Size: int64(len(raw))}, store.Body{Raw: raw}
	}
	m := store.Message{
		MsgID: p.MessageID, InReplyTo: p.InReplyTo, References: p.References,
		Subject: p.Subject, Date: p.Date, InternalDate: now, Size: int64(len(raw)),
		HasAttachment: p.HasAttachments, Preview: p.Preview,
		To: storeAddrs(p.To), Cc: storeAddrs(p.Cc),
	}
	if len(p.From) > 0 {
		m.From = store.Address{Name: p.From[0].Name, Addr: p.From[0].Addr}
	}
	has := p.HasAttachments
	return m, store.Body{Raw: raw, Text: p.Text, Preview: p.Preview, HasAttachment: &has}
}

func storeAddrs(list []message.Address) []store.Address {
	out := make([]store.Address, 0, len(list))
	for _, a := range list {
		out = append(out, store.Address{Name: a.Name, Addr: a.Addr})
	}
	return out
}
