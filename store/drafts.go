package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DraftID identifies a local draft.
type DraftID int64

// LocalDraft is a message being written, saved locally (autosave) and
// uploaded to the server's Drafts folder from time to time.
type LocalDraft struct {
	ID      DraftID // 0: a new draft
	Account AccountID
	MsgID   string
	Subject string
	Raw     []byte // the message as built, Bcc included as the composer keeps it
	Updated time.Time
	// Uploaded is the local row of the copy last queued for the server's
	// Drafts folder (0: none); UploadDraft replaces it.
	Uploaded MessageID
}

// SaveDraft writes the draft (a new row when d.ID is 0) and returns its
// ID. It commits before returning: a draft saved survives a crash.
func (s *Store) SaveDraft(ctx context.Context, d LocalDraft) (DraftID, error) {
	if d.Account == 0 || len(d.Raw) == 0 {
		return 0, errors.New("store: save draft: account and bytes are required")
	}
	id := d.ID
	now := time.Now().Unix()
	err := s.write(ctx, func(tx *sql.Tx) error {
		if id == 0 {
			return tx.QueryRowContext(ctx, `INSERT INTO drafts(account_id, message_id, subject, raw, updated)
				VALUES (?,?,?,?,?) RETURNING id`, d.Account, normMsgID(d.MsgID), d.Subject, d.Raw, now).Scan(&id)
		}
		res, err := tx.ExecContext(ctx, `UPDATE drafts SET account_id = ?, message_id = ?, subject = ?, raw = ?, updated = ?
			WHERE id = ?`, d.Account, normMsgID(d.MsgID), d.Subject, d.Raw, now, id)
		if err != nil {
			return err
		}
		return mustAffect(res, "draft", int64(id))
	})
	if err != nil {
		return 0, fmt.Errorf("store: save draft: %w", err)
	}
	return id, nil
}

// AdoptDraftCopy records row (a message in the Drafts folder the draft was
// reopened from) as the draft's server copy, so the next upload or a
// discard replaces it instead of leaving it beside the new one.
func (s *Store) AdoptDraftCopy(ctx context.Context, id DraftID, row MessageID) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE drafts SET uploaded = ? WHERE id = ?`, row, id)
		if err != nil {
			return fmt.Errorf("store: adopt draft copy: %w", err)
		}
		return mustAffect(res, "draft", int64(id))
	})
}

// Drafts lists the account's local drafts, newest first; acct 0: all.
func (s *Store) Drafts(ctx context.Context, acct AccountID) ([]LocalDraft, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, account_id, message_id, subject, raw, updated, coalesce(uploaded, 0)
		FROM drafts WHERE ? = 0 OR account_id = ? ORDER BY updated DESC, id DESC`, acct, acct)
	if err != nil {
		return nil, fmt.Errorf("store: drafts: %w", err)
	}
	defer rows.Close()
	var out []LocalDraft
	for rows.Next() {
		var d LocalDraft
		var updated int64
		if err := rows.Scan(&d.ID, &d.Account, &d.MsgID, &d.Subject, &d.Raw, &updated, &d.Uploaded); err != nil {
			return nil, fmt.Errorf("store: drafts: %w", err)
		}
		d.Updated = fromUnix(updated)
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeleteDraft removes a local draft (sent or discarded). Its server copy,
// if any, is the caller's to expunge (see UploadDraft's returned row).
func (s *Store) DeleteDraft(ctx context.Context, id DraftID) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE id = ?`, id)
		return err
	})
}

// UploadDraft queues the draft's current bytes for the server's Drafts
// folder and, in the same transaction, the removal of the copy uploaded
// before, so the server keeps one version, not a pile. appendOp is an
// OpAppend into Drafts prepared by the caller (header fields parsed). It
// returns the new local row.
func (s *Store) UploadDraft(ctx context.Context, id DraftID, appendOp Op) (MessageID, error) {
	var row MessageID
	err := s.write(ctx, func(tx *sql.Tx) error {
		var prev sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT uploaded FROM drafts WHERE id = ?`, id).Scan(&prev); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				err = ErrNotFound
			}
			return err
		}
		if prev.Valid {
			if err := expungeRow(ctx, tx, MessageID(prev.Int64)); err != nil {
				return err
			}
		}
		if err := enqueue(ctx, tx, &appendOp); err != nil {
			return err
		}
		row = appendOp.Messages[0]
		_, err := tx.ExecContext(ctx, `UPDATE drafts SET uploaded = ? WHERE id = ?`, row, id)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: upload draft %d: %w", id, err)
	}
	return row, nil
}

// ExpungeMessage queues the removal of one message row from the server
// (OpExpunge) and removes it locally; a row already gone is no error.
func (s *Store) ExpungeMessage(ctx context.Context, id MessageID) error {
	return s.write(ctx, func(tx *sql.Tx) error { return expungeRow(ctx, tx, id) })
}

func expungeRow(ctx context.Context, tx *sql.Tx, id MessageID) error {
	var folder FolderID
	var uid UID
	err := tx.QueryRowContext(ctx, `SELECT folder_id, uid FROM messages WHERE id = ?`, id).Scan(&folder, &uid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // expunged meanwhile (by the user or the server)
	}
	if err != nil {
		return err
	}
	if !uid.Provisional() {
		return enqueue(ctx, tx, &Op{Kind: OpExpunge, Folder: folder, UIDs: []UID{uid}})
	}
	// Not on the server yet: cancel its pending upload rather than queue an
	// expunge that could never learn the server UID. (An upload already in
	// flight at this instant may still leave one copy there.)
	if _, err := tx.ExecContext(ctx, `UPDATE ops SET state = ?, reason = 'superseded', updated = ?
		WHERE kind = ? AND state = ? AND id IN (SELECT op_id FROM op_uids WHERE message_id = ?)`,
		OpDone, time.Now().Unix(), OpAppend, OpPending, id); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM messages WHERE id = ?`, id)
	return err
}
