package store

import (
	"context"
	"database/sql"
	"fmt"
)

// ErrIntegrity marks a store that failed its integrity check.
var ErrIntegrity = fmt.Errorf("store: integrity check failed")

// CheckIntegrity runs SQLite's integrity check over the database file
// (PRAGMA integrity_check), reads every blob back against its SHA-256
// (its file, see blobfiles.go) and runs FTS5's check over the search index. It is what a
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
	if err := s.checkBlobs(ctx); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO fts(fts) VALUES ('integrity-check')`); err != nil {
			return fmt.Errorf("%w: search index: %v", ErrIntegrity, err)
		}
		return nil
	})
}

// checkBlobs reads every blob something references (a message, a stashed
// body, an unfinished append) and checks it against its content address.
// An unreferenced row may have lost its file to a GC whose transaction did
// not commit: harmless, GC deletes it and recordBlob writes the file again
// if the content comes back.
func (s *Store) checkBlobs(ctx context.Context) error {
	rows, err := s.r.QueryContext(ctx, `SELECT blob_hash FROM messages WHERE blob_hash IS NOT NULL
		UNION SELECT blob_hash FROM detached
		UNION SELECT blob_hash FROM ops WHERE blob_hash IS NOT NULL AND state != 1`)
	if err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	var hashes []Hash
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			rows.Close()
			return fmt.Errorf("store: integrity check: %w", err)
		}
		var h Hash
		copy(h[:], raw)
		hashes = append(hashes, h)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	for _, h := range hashes {
		if _, err := s.RawByHash(ctx, h); err != nil {
			return fmt.Errorf("%w: %w", ErrIntegrity, err)
		}
	}
	return nil
}
