package store

import (
	"context"
	"database/sql"
	"fmt"
)

// ErrIntegrity marks a store that failed its integrity check.
var ErrIntegrity = fmt.Errorf("store: integrity check failed")

// CheckIntegrity runs SQLite's integrity check over the database file
// (PRAGMA integrity_check) and FTS5's over the search index. It is what a
// crash test, or a user who suspects the disk, runs; it reads everything
// and takes the write lock for the index check.
func (s *Store) CheckIntegrity(ctx context.Context) error {
	var res string
	if err := s.r.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("%w: %s", ErrIntegrity, res)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO fts(fts) VALUES ('integrity-check')`); err != nil {
			return fmt.Errorf("%w: search index: %v", ErrIntegrity, err)
		}
		return nil
	})
}
