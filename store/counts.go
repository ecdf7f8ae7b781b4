package store

import (
	"context"
	"database/sql"
	"fmt"
)

// LocalCounts is what the store holds of one folder.
type LocalCounts struct {
	Messages int // rows with a server UID (provisional rows left out)
	Bodies   int // of which the raw bytes are stored
	// Unindexed of those bodies wait for the full-text index (see
	// PutRawBodies): a search does not see their text yet.
	Unindexed int
}

// Counts returns, per folder of an account, how many messages and bodies
// the store holds (one indexed pass over the account's rows).
func (s *Store) Counts(ctx context.Context, acct AccountID) (map[FolderID]LocalCounts, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT folder_id, count(*), count(blob_hash), sum(blob_hash IS NOT NULL AND indexed = 0) FROM messages
		WHERE account_id = ? AND uid > 0 GROUP BY folder_id`, acct)
	if err != nil {
		return nil, fmt.Errorf("store: counts: %w", err)
	}
	defer rows.Close()
	out := map[FolderID]LocalCounts{}
	for rows.Next() {
		var id FolderID
		var c LocalCounts
		if err := rows.Scan(&id, &c.Messages, &c.Bodies, &c.Unindexed); err != nil {
			return nil, fmt.Errorf("store: counts: %w", err)
		}
		out[id] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: counts: %w", err)
	}
	return out, nil
}

// LackingBodies returns, per folder of an account that has any, how many
// messages with a server UID have no raw bytes stored. It reads only the
// rows that lack a body (the messages_nobody index), so it costs nothing
// on a store whose bodies are all there, whatever its size.
func (s *Store) LackingBodies(ctx context.Context, acct AccountID) (map[FolderID]int, error) {
	rows, err := s.r.QueryContext(ctx, lackingBodiesSQL, acct)
	if err != nil {
		return nil, fmt.Errorf("store: lacking bodies: %w", err)
	}
	defer rows.Close()
	out := map[FolderID]int{}
	for rows.Next() {
		var id FolderID
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("store: lacking bodies: %w", err)
		}
		out[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: lacking bodies: %w", err)
	}
	return out, nil
}

const lackingBodiesSQL = `SELECT m.folder_id, count(*) FROM folders f
	JOIN messages m INDEXED BY messages_nobody ON m.folder_id = f.id AND m.blob_hash IS NULL
	WHERE f.account_id = ? AND m.uid > 0 GROUP BY m.folder_id`

// FolderMessages returns how many messages with a server UID the store
// holds in a folder (provisional rows left out).
func (s *Store) FolderMessages(ctx context.Context, folder FolderID) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE folder_id = ? AND uid > 0`, folder).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: folder messages: %w", err)
	}
	return n, nil
}

// RefreshUnseen recounts the unread messages of every folder of an account
// into folders.unseen and returns the counts (every folder, zeros
// included), in one transaction: the sync engine calls it once per pass
// rather than once per folder.
func (s *Store) RefreshUnseen(ctx context.Context, acct AccountID) (map[FolderID]int, error) {
	out := map[FolderID]int{}
	err := s.write(ctx, func(tx *sql.Tx) error {
		// The inner WHERE repeats messages_unread's expression so it is used.
		if _, err := tx.ExecContext(ctx, `UPDATE folders SET unseen =
			(SELECT count(*) FROM messages m WHERE m.folder_id = folders.id AND (m.flags & 1) = 0)
			WHERE account_id = ?`, acct); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, unseen FROM folders WHERE account_id = ?`, acct)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id FolderID
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			out[id] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: refresh unseen: %w", err)
	}
	return out, nil
}
