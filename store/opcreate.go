package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// OpCreateFolder creates on the server a folder made here first (IMAP
// CREATE, RFC 3501 §6.3.3): Folder is the local row, which exists at once
// so that moves and copies can target it before the server has it. Its
// value stands apart from the kinds counted in ops.go so that kinds added
// there never clash with it.
//
// The sync engine replays it (CREATE, then the operations queued after it)
// and must keep a folder with a pending create when the server's LIST does
// not show it yet (PendingFolderCreates).
const OpCreateFolder OpKind = 32

// CreateFolderOffline makes folder f (Account, Name, RawName, Delim; no
// role) here and queues its creation on the server, in one transaction. It
// returns the folder's ID and the queued op's; when the account already has
// a folder with f.RawName it returns that one and op 0: nothing to create.
func (s *Store) CreateFolderOffline(ctx context.Context, f Folder) (FolderID, OpID, error) {
	if f.Account == 0 || f.RawName == "" {
		return 0, 0, errors.New("store: create folder: account and raw name are required")
	}
	if f.Name == "" {
		f.Name = f.RawName
	}
	var id int64
	var op OpID
	err := s.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM folders WHERE account_id = ? AND raw_name = ?`,
			f.Account, f.RawName).Scan(&id)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: create folder %q: %w", f.RawName, err)
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO folders(account_id, name, raw_name, delim, role, subscribed)
			VALUES (?,?,?,?,'',1) RETURNING id`, f.Account, f.Name, f.RawName, f.Delim).Scan(&id); err != nil {
			return fmt.Errorf("store: create folder %q: %w", f.RawName, err)
		}
		if err := linkParents(ctx, tx, f.Account, id, f.RawName, f.Delim); err != nil {
			return err
		}
		now := time.Now().Unix()
		if err := tx.QueryRowContext(ctx, `INSERT INTO ops(account_id, kind, folder_id, created, updated)
			VALUES (?,?,?,?,?) RETURNING id`, f.Account, OpCreateFolder, id, now, now).Scan(&op); err != nil {
			return fmt.Errorf("store: create folder %q: queue: %w", f.RawName, err)
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return FolderID(id), op, nil
}

// PendingFolderCreates returns the account's folders whose creation on the
// server is still queued: a sync's folder listing keeps them although the
// server does not list them yet.
func (s *Store) PendingFolderCreates(ctx context.Context, acct AccountID) (map[FolderID]bool, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT folder_id FROM ops WHERE account_id = ? AND kind = ? AND state = ?
		AND folder_id IS NOT NULL`, acct, OpCreateFolder, OpPending)
	if err != nil {
		return nil, fmt.Errorf("store: pending folder creates: %w", err)
	}
	defer rows.Close()
	out := map[FolderID]bool{}
	for rows.Next() {
		var id FolderID
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: pending folder creates: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}
