package store

import (
	"context"
	"fmt"
)

// LocalCounts is what the store holds of one folder.
type LocalCounts struct {
	Messages int // rows with a server UID (provisional rows left out)
	Bodies   int // of which the raw bytes are stored
}

// Counts returns, per folder of an account, how many messages and bodies
// the store holds (one indexed pass over the account's rows).
func (s *Store) Counts(ctx context.Context, acct AccountID) (map[FolderID]LocalCounts, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT folder_id, count(*), count(blob_hash) FROM messages
		WHERE account_id = ? AND uid > 0 GROUP BY folder_id`, acct)
	if err != nil {
		return nil, fmt.Errorf("store: counts: %w", err)
	}
	defer rows.Close()
	out := map[FolderID]LocalCounts{}
	for rows.Next() {
		var id FolderID
		var c LocalCounts
		if err := rows.Scan(&id, &c.Messages, &c.Bodies); err != nil {
			return nil, fmt.Errorf("store: counts: %w", err)
		}
		out[id] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: counts: %w", err)
	}
	return out, nil
}
