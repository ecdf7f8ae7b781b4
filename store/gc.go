package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrateBlobGC makes GC's blob sweep cost what changed, not the store:
// blob_gc holds the hashes that may have lost their last reference (a
// message deleted or relinked, a stashed body dropped, an append done or
// deleted), fed by triggers, and GC checks only those. Before, GC looked
// at every blob on every sync pass, a no-op one included. Blobs are
// always stored in the transaction that links them, so a blob nothing
// ever referenced cannot exist. Every blob of an upgraded store is a
// candidate once, for the first GC after the upgrade. ops gets an index
// over blob_hash for the check.
func migrateBlobGC(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE TABLE blob_gc(hash BLOB PRIMARY KEY) WITHOUT ROWID`,
		`INSERT INTO blob_gc SELECT hash FROM blobs`,
		`CREATE INDEX ops_blob ON ops(blob_hash) WHERE blob_hash IS NOT NULL`,
		`CREATE TRIGGER blob_gc_messages_ad AFTER DELETE ON messages WHEN old.blob_hash IS NOT NULL BEGIN
			INSERT OR IGNORE INTO blob_gc(hash) VALUES (old.blob_hash);
		END`,
		`CREATE TRIGGER blob_gc_messages_au AFTER UPDATE OF blob_hash ON messages
		WHEN old.blob_hash IS NOT NULL AND old.blob_hash IS NOT new.blob_hash BEGIN
			INSERT OR IGNORE INTO blob_gc(hash) VALUES (old.blob_hash);
		END`,
		`CREATE TRIGGER blob_gc_detached_ad AFTER DELETE ON detached BEGIN
			INSERT OR IGNORE INTO blob_gc(hash) VALUES (old.blob_hash);
		END`,
		`CREATE TRIGGER blob_gc_detached_au AFTER UPDATE OF blob_hash ON detached
		WHEN old.blob_hash IS NOT new.blob_hash BEGIN
			INSERT OR IGNORE INTO blob_gc(hash) VALUES (old.blob_hash);
		END`,
		`CREATE TRIGGER blob_gc_ops_ad AFTER DELETE ON ops WHEN old.blob_hash IS NOT NULL BEGIN
			INSERT OR IGNORE INTO blob_gc(hash) VALUES (old.blob_hash);
		END`,
		`CREATE TRIGGER blob_gc_ops_au AFTER UPDATE OF blob_hash, state ON ops
		WHEN old.blob_hash IS NOT NULL AND (old.blob_hash IS NOT new.blob_hash OR new.state = 1) BEGIN
			INSERT OR IGNORE INTO blob_gc(hash) VALUES (old.blob_hash);
		END`,
	)
}

// gcBlobsSQL deletes the candidate blobs nothing references any more:
// index lookups per candidate, no scan of blobs (TestGCLooksAtCandidates).
const gcBlobsSQL = `DELETE FROM blobs WHERE hash IN (SELECT hash FROM blob_gc) AND
	NOT EXISTS (SELECT 1 FROM messages WHERE blob_hash = blobs.hash) AND
	NOT EXISTS (SELECT 1 FROM detached WHERE blob_hash = blobs.hash) AND
	NOT EXISTS (SELECT 1 FROM ops WHERE blob_hash = blobs.hash AND state != 1)
	RETURNING hash`

// GCStats reports what GC removed.
type GCStats struct {
	Detached int64 // stashed bodies dropped
	Blobs    int64 // blobs no longer referenced, deleted
	Orphans  int64 // blob files no row named (a killed sync's), deleted
}

// GC drops bodies stashed before olderThan that no folder claimed back, then
// deletes blobs no message, stash or unfinished append references (a queued
// draft's bytes survive even if its folder goes). Run it after a full sync of
// an account (stashes exist so moves seen as expunge+new are not refetched).
// It looks only at blobs that lost a reference since the last GC (blob_gc),
// so a pass that deleted nothing costs next to nothing. The files of
// deleted blobs are removed inside the transaction, which holds SQLite's
// write lock, so no writer (of any process) can record one of those hashes
// again until GC is done (see recordBlob); orphan files are swept a
// fraction at a time (sweepOrphans).
func (s *Store) GC(ctx context.Context, olderThan time.Time) (GCStats, error) {
	var st GCStats
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM detached WHERE detached_at < ?`, olderThan.Unix())
		if err != nil {
			return fmt.Errorf("store: gc: %w", err)
		}
		st.Detached, _ = res.RowsAffected()
		gone, err := deleteBlobs(ctx, tx)
		if err != nil {
			return fmt.Errorf("store: gc: %w", err)
		}
		st.Blobs = int64(len(gone))
		if err := removeBlobFiles(s.blobs, gone); err != nil {
			return fmt.Errorf("store: gc: %w", err)
		}
		if st.Orphans, err = sweepOrphans(ctx, tx, s.blobs, time.Now()); err != nil {
			return fmt.Errorf("store: gc: %w", err)
		}
		// Those still referenced are candidates again only when they lose
		// a reference again.
		if _, err := tx.ExecContext(ctx, `DELETE FROM blob_gc`); err != nil {
			return fmt.Errorf("store: gc: %w", err)
		}
		return nil
	})
	return st, err
}

// deleteBlobs runs gcBlobsSQL and returns the hashes it deleted.
func deleteBlobs(ctx context.Context, tx *sql.Tx) ([]Hash, error) {
	rows, err := tx.QueryContext(ctx, gcBlobsSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var gone []Hash
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var h Hash
		copy(h[:], raw)
		gone = append(gone, h)
	}
	return gone, rows.Err()
}
