package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// PendingOps returns the account's operations still to send, oldest first,
// with UIDs as they stand now (provisional ones already resolved are
// rewritten). Ops survive restarts: they live in the database.
func (s *Store) PendingOps(ctx context.Context, acct AccountID) ([]Op, error) {
	return s.Ops(ctx, acct, OpPending)
}

// Ops returns the account's operations in one state, oldest first (the UI
// lists OpConflict and OpFailed ones for the user).
func (s *Store) Ops(ctx context.Context, acct AccountID, state OpState) ([]Op, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, kind, account_id, coalesce(folder_id, 0), coalesce(target_id, 0),
		flags, keywords, payload, blob_hash, created, updated, attempts, state, reason
		FROM ops WHERE account_id = ? AND state = ? ORDER BY id`, acct, state)
	if err != nil {
		return nil, fmt.Errorf("store: ops: %w", err)
	}
	var ops []Op
	for rows.Next() {
		var op Op
		var kw string
		var created, updated int64
		var blob []byte
		if err := rows.Scan(&op.ID, &op.Kind, &op.Account, &op.Folder, &op.Target, &op.Flags, &kw, &op.Payload, &blob,
			&created, &updated, &op.Attempts, &op.State, &op.Reason); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: ops: %w", err)
		}
		op.Keywords, op.Created, op.Updated = strings.Fields(kw), fromUnix(created), fromUnix(updated)
		copy(op.Blob[:], blob)
		ops = append(ops, op)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("store: ops: %w", err)
	}
	for i := range ops {
		if err := s.loadOpUIDs(ctx, &ops[i]); err != nil {
			return nil, err
		}
	}
	return ops, nil
}

func (s *Store) loadOpUIDs(ctx context.Context, op *Op) error {
	rows, err := s.r.QueryContext(ctx, `SELECT uid, new_uid, message_id FROM op_uids WHERE op_id = ? ORDER BY seq`, op.ID)
	if err != nil {
		return fmt.Errorf("store: op %d uids: %w", op.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var u, nu UID
		var mid MessageID
		if err := rows.Scan(&u, &nu, &mid); err != nil {
			return fmt.Errorf("store: op %d uids: %w", op.ID, err)
		}
		if op.Kind != OpAppend {
			op.UIDs = append(op.UIDs, u)
		}
		if op.Kind == OpMove || op.Kind == OpCopy || op.Kind == OpAppend {
			op.NewUIDs, op.Messages = append(op.NewUIDs, nu), append(op.Messages, mid)
		}
	}
	return rows.Err()
}

// OpResult is what the engine learned doing an operation.
type OpResult struct {
	// UIDs maps provisional UIDs (Op.NewUIDs) to the server UIDs the
	// destination assigned (COPYUID / APPENDUID, RFC 4315 §3). May be nil when
	// the server does not say; PutHeaders then adopts the provisional rows by
	// Message-ID at the next sync.
	UIDs map[UID]UID
}

// CompleteOp marks an operation done and, in the same transaction, gives its
// provisional rows their server UIDs.
func (s *Store) CompleteOp(ctx context.Context, id OpID, res OpResult) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var kind OpKind
		var folder, target sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT kind, folder_id, target_id FROM ops WHERE id = ?`, id).Scan(&kind, &folder, &target)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: complete op %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: complete op %d: %w", id, err)
		}
		dest := FolderID(target.Int64)
		if kind == OpAppend {
			dest = FolderID(folder.Int64)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ops SET state = ?, updated = ?, reason = '' WHERE id = ?`,
			OpDone, time.Now().Unix(), id); err != nil {
			return fmt.Errorf("store: complete op %d: %w", id, err)
		}
		for prov, real := range res.UIDs {
			err := setUID(ctx, tx, dest, prov, real)
			if err != nil && !errors.Is(err, ErrNotFound) { // already adopted by a sync
				return fmt.Errorf("store: complete op %d: %w", id, err)
			}
		}
		return nil
	})
}

// FailOp records a failed attempt. With conflict the server refused the
// operation for good: the op becomes OpConflict and the local effects of a
// move or copy are undone as far as they can be (the provisional rows go; the
// next sync restores the source from the server). An appended draft is never
// removed. Without conflict the failure is transient: the attempt is counted
// and the op stays pending until maxAttempts, then becomes OpFailed.
func (s *Store) FailOp(ctx context.Context, id OpID, reason string, conflict bool) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var kind OpKind
		var attempts int
		var target sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT kind, attempts, target_id FROM ops WHERE id = ?`, id).Scan(&kind, &attempts, &target)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: fail op %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: fail op %d: %w", id, err)
		}
		attempts++
		state := OpPending
		switch {
		case conflict:
			state = OpConflict
		case attempts >= maxAttempts:
			state = OpFailed
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ops SET state = ?, attempts = ?, reason = ?, updated = ? WHERE id = ?`,
			state, attempts, reason, time.Now().Unix(), id); err != nil {
			return fmt.Errorf("store: fail op %d: %w", id, err)
		}
		if state != OpPending && (kind == OpMove || kind == OpCopy) && target.Valid {
			// Stash bodies first: the source row will come back at the next
			// sync and relink them by Message-ID.
			where := `m.folder_id = ? AND m.uid <= 0 AND m.id IN (SELECT message_id FROM op_uids WHERE op_id = ?)`
			if err := detachWhere(ctx, tx, where, target.Int64, id); err != nil {
				return fmt.Errorf("store: fail op %d: %w", id, err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM messages AS m WHERE `+where, target.Int64, id); err != nil {
				return fmt.Errorf("store: fail op %d: %w", id, err)
			}
		}
		return nil
	})
}
