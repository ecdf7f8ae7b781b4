package mailsync

import (
	"context"
	"errors"
	"fmt"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

// ErrConflict means the server cannot apply an offline operation any more
// (the message is gone, the folder was deleted). The store keeps the
// operation as a conflict the user can see; nothing local is lost.
var ErrConflict = errors.New("conflict with the server")

// errNotYet means an operation names a message whose server UID is not
// known yet (it was itself moved offline); it waits for the next pass.
var errNotYet = errors.New("waiting for an earlier operation")

// replayOps sends the account's pending offline operations to the server in
// the order they were made. Each is idempotent on replay: flag changes are
// absolute in effect; a move or copy of UIDs already gone is a no-op that
// the next sync reconciles by Message-ID; an append first looks for its
// Message-ID so that a crash after the server stored it never doubles it.
// A connection failure stops the replay (the rest stay pending).
func (e *Engine) replayOps(ctx context.Context, c *account.IMAPClient, acct store.AccountID) error {
	ops, err := e.st.PendingOps(ctx, acct)
	if err != nil {
		return err
	}
	for _, op := range ops {
		res, err := e.applyOp(ctx, c, op)
		switch {
		case err == nil:
			if err := e.st.CompleteOp(ctx, op.ID, res); err != nil {
				return err
			}
			e.emit(ctx, OpFinished{Account: e.acct.Name, Op: op.ID})
		case errors.Is(err, errNotYet):
			continue
		case errors.Is(err, ErrConflict):
			if err := e.st.FailOp(ctx, op.ID, err.Error(), true); err != nil {
				return err
			}
			e.emit(ctx, OpFinished{Account: e.acct.Name, Op: op.ID, Err: err})
		default:
			if ferr := e.st.FailOp(ctx, op.ID, err.Error(), false); ferr != nil {
				return ferr
			}
			var ie *imap.Error
			if !errors.As(err, &ie) {
				return err // the connection is gone; retry later
			}
		}
	}
	return nil
}

// ReplayOps connects and sends the account's pending offline operations
// (flag changes, moves, drafts and Sent copies to append) without syncing
// any folder: `magpie send` files its Sent copy at once with it. It blocks
// until done; the error is the connection's or the store's (operations the
// server refused are recorded as conflicts, as in a sync).
func (e *Engine) ReplayOps(ctx context.Context) error {
	acct, err := e.accountID(ctx)
	if err != nil {
		return err
	}
	ops, err := e.st.PendingOps(ctx, acct)
	if err != nil || len(ops) == 0 {
		return err
	}
	c, err := e.dialer.DialIMAP(ctx, e.acct, nil)
	if err != nil {
		return err
	}
	defer closeClient(c)
	return e.replayOps(ctx, c, acct)
}

func (e *Engine) applyOp(ctx context.Context, c *account.IMAPClient, op store.Op) (store.OpResult, error) {
	var res store.OpResult
	if op.Kind == store.OpCreateFolder {
		return res, e.createFolder(ctx, c, op)
	}
	src, err := e.st.Folder(ctx, op.Folder)
	if err != nil {
		return res, fmt.Errorf("mailsync: op %d: %w: %v", op.ID, ErrConflict, err)
	}
	var set imap.UIDSet
	for _, u := range op.UIDs {
		if u.Provisional() {
			return res, errNotYet
		}
		set.AddNum(imap.UID(u))
	}
	if _, err := c.Select(src.RawName, nil).Wait(); err != nil {
		return res, selectFailure(op, src, err)
	}
	caps := c.Caps()
	switch op.Kind {
	case store.OpFlagsAdd, store.OpFlagsRemove:
		sf := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: toIMAPFlags(op.Flags, op.Keywords)}
		if op.Kind == store.OpFlagsRemove {
			sf.Op = imap.StoreFlagsDel
		}
		return res, c.Store(set, sf, nil).Close()
	case store.OpCopy, store.OpMove:
		dst, err := e.st.Folder(ctx, op.Target)
		if err != nil {
			return res, fmt.Errorf("mailsync: op %d: %w: %v", op.ID, ErrConflict, err)
		}
		return e.copyOrMove(c, caps, op, set, dst)
	case store.OpExpunge:
		if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			return res, err
		}
		if caps.Has(imap.CapUIDPlus) {
			// UID EXPUNGE (RFC 4315 §2.1) removes only these messages; a
			// plain EXPUNGE would also take others' \Deleted mail.
			return res, c.UIDExpunge(set).Close()
		}
		return res, nil
	case store.OpAppend:
		return e.appendDraft(ctx, c, caps, op, src)
	}
	return res, fmt.Errorf("mailsync: op %d: unknown kind %d", op.ID, op.Kind)
}

func selectFailure(op store.Op, f store.Folder, err error) error {
	var ie *imap.Error
	if errors.As(err, &ie) && (ie.Code == imap.ResponseCodeNonExistent || ie.Type == imap.StatusResponseTypeNo) {
		return fmt.Errorf("mailsync: op %d: folder %q: %w: %v", op.ID, f.Name, ErrConflict, err)
	}
	return err
}

// copyOrMove copies (RFC 3501 §6.4.7) or moves (RFC 6851) and maps the
// provisional UIDs to the destination's through COPYUID (RFC 4315 §3).
// Without MOVE it copies, marks \Deleted and UID EXPUNGEs (only with
// UIDPLUS; otherwise the originals stay marked rather than risk others').
func (e *Engine) copyOrMove(c *account.IMAPClient, caps imap.CapSet, op store.Op, set imap.UIDSet, dst store.Folder) (store.OpResult, error) {
	var res store.OpResult
	var srcUIDs, dstUIDs imap.NumSet
	if op.Kind == store.OpMove && caps.Has(imap.CapMove) {
		data, err := c.Move(set, dst.RawName).Wait()
		if err != nil {
			return res, copyFailure(op, dst, err)
		}
		if data != nil {
			srcUIDs, dstUIDs = data.SourceUIDs, data.DestUIDs
		}
	} else {
		data, err := c.Copy(set, dst.RawName).Wait()
		if err != nil {
			return res, copyFailure(op, dst, err)
		}
		if data != nil {
			srcUIDs, dstUIDs = data.SourceUIDs, data.DestUIDs
		}
		if op.Kind == store.OpMove {
			if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
				return res, err
			}
			if caps.Has(imap.CapUIDPlus) {
				if err := c.UIDExpunge(set).Close(); err != nil {
					return res, err
				}
			}
		}
	}
	src, dstList := uidList(srcUIDs), uidList(dstUIDs)
	if caps.Has(imap.CapUIDPlus) && len(dstList) == 0 {
		// The server copied nothing: the messages are gone there.
		return res, fmt.Errorf("mailsync: op %d: %w: the messages are no longer on the server", op.ID, ErrConflict)
	}
	if len(src) == len(dstList) {
		prov := map[store.UID]store.UID{}
		for i, u := range op.UIDs {
			if i < len(op.NewUIDs) {
				prov[u] = op.NewUIDs[i]
			}
		}
		res.UIDs = map[store.UID]store.UID{}
		for i, s := range src {
			if p, ok := prov[store.UID(s)]; ok {
				res.UIDs[p] = store.UID(dstList[i])
			}
		}
	}
	return res, nil
}

func copyFailure(op store.Op, dst store.Folder, err error) error {
	var ie *imap.Error
	if errors.As(err, &ie) && (ie.Code == imap.ResponseCodeTryCreate || ie.Code == imap.ResponseCodeNonExistent) {
		return fmt.Errorf("mailsync: op %d: folder %q: %w: %v", op.ID, dst.Name, ErrConflict, err)
	}
	return err
}

func uidList(set imap.NumSet) []imap.UID {
	if s, ok := set.(imap.UIDSet); ok {
		if uids, ok := s.Nums(); ok {
			return uids
		}
	}
	return nil
}

// appendDraft uploads a locally created message (RFC 3501 §6.3.11). After a
// failed or interrupted attempt it first searches the folder for the
// message's Message-ID, so a retry never stores a second copy.
func (e *Engine) appendDraft(ctx context.Context, c *account.IMAPClient, caps imap.CapSet, op store.Op, f store.Folder) (store.OpResult, error) {
	var res store.OpResult
	if len(op.Messages) == 0 {
		return res, fmt.Errorf("mailsync: op %d: %w: nothing to append", op.ID, ErrConflict)
	}
	m, err := e.st.Message(ctx, op.Messages[0])
	if err != nil {
		return res, fmt.Errorf("mailsync: op %d: %w: %v", op.ID, ErrConflict, err)
	}
	prov := op.NewUIDs[0]
	// A copy for Sent is looked for even on the first attempt: a server
	// that files sent mail itself, too slowly for the outbox to notice, has
	// put its own there meanwhile — the copy then maps to it, and the
	// account is remembered as one that files sent mail (no more copies).
	sentCopy := f.Role == store.Role(account.RoleSent)
	if (op.Attempts > 0 || sentCopy) && m.MsgID != "" {
		data, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: m.MsgID}}}, nil).Wait()
		if err == nil {
			if uids := data.AllUIDs(); len(uids) > 0 {
				res.UIDs = map[store.UID]store.UID{prov: store.UID(uids[len(uids)-1])}
				if sentCopy && op.Attempts == 0 {
					if _, known := e.acct.ServerSavesSent(); !known {
						_ = e.st.SetServerSavesSent(ctx, f.Account, true)
					}
				}
				return res, nil
			}
		}
	}
	raw, err := e.st.Raw(ctx, op.Messages[0])
	if err != nil {
		return res, fmt.Errorf("mailsync: op %d: %w: %v", op.ID, ErrConflict, err)
	}
	cmd := c.Append(f.RawName, int64(len(raw)), &imap.AppendOptions{Flags: toIMAPFlags(op.Flags, op.Keywords), Time: m.InternalDate})
	if _, err := cmd.Write(raw); err != nil {
		cmd.Close()
		return res, err
	}
	if err := cmd.Close(); err != nil {
		return res, err
	}
	data, err := cmd.Wait()
	if err != nil {
		return res, err
	}
	if data != nil && data.UID != 0 {
		res.UIDs = map[store.UID]store.UID{prov: store.UID(data.UID)}
	}
	return res, nil
}
