package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Downloaded is a message fetched whole in one FETCH (RFC 3501 §6.4.5:
// UID, FLAGS, INTERNALDATE, RFC822.SIZE and BODY.PEEK[]): its header row,
// with the fields the caller took from the raw bytes, and its raw body.
type Downloaded struct {
	Folder FolderID
	Msg    Message      // Account and Folder are set by PutDownloaded
	Body   PreparedBody // its ID is ignored: the row is made here
}

// PutDownloaded stores, in one transaction, messages fetched whole (a row
// linked to its blob from the start, waiting for the index like a body of
// PutRawBodies) and bodies of messages whose rows exist (as PutRawBodies).
// A message whose (folder, UID) row exists already gets its flags updated
// and, if it has none yet, the body. So an initial sync writes each
// message once instead of a header row first and its body later.
func (s *Store) PutDownloaded(ctx context.Context, msgs []Downloaded, bodies []PreparedBody) error {
	if len(msgs) == 0 && len(bodies) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := putDownloaded(ctx, tx, s.stmts, s.blobs, msgs); err != nil {
			return fmt.Errorf("store: put downloaded: %w", err)
		}
		return putRawBodies(ctx, tx, s.stmts, s.blobs, bodies)
	})
}

func putDownloaded(ctx context.Context, tx *sql.Tx, cache stmtCache, dir string, msgs []Downloaded) error {
	if len(msgs) == 0 {
		return nil
	}
	blob, err := cache.prepare(ctx, tx, insertBlobSQL)
	if err != nil {
		return err
	}
	defer blob.Close()
	ins, err := newInserter(ctx, tx, cache)
	if err != nil {
		return err
	}
	defer ins.close()
	group := make([]Message, 0, len(msgs))
	for start := 0; start < len(msgs); {
		// The inserter's batch lookups are per folder: one group per run
		// of messages of the same folder.
		folder := msgs[start].Folder
		end := start
		group = group[:0]
		for ; end < len(msgs) && msgs[end].Folder == folder; end++ {
			group = append(group, msgs[end].Msg)
		}
		var acct AccountID
		if err := cache.queryRow(ctx, tx, qFolderAccount, folder).Scan(&acct); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				err = ErrNotFound
			}
			return fmt.Errorf("folder %d: %w", folder, err)
		}
		if err := ins.prefetch(ctx, acct, folder, group, true); err != nil {
			return err
		}
		for i := start; i < end; i++ {
			d := &msgs[i]
			m := d.Msg
			m.Account, m.Folder = acct, folder
			if m.UID <= 0 {
				return fmt.Errorf("UID %d is not a server UID", m.UID)
			}
			b := &d.Body
			if err := recordBlob(ctx, tx, blob, dir, b.sum, len(b.Body.Raw), b.codec, b.data, b.Body.Raw); err != nil {
				return fmt.Errorf("uid %d: %w", m.UID, err)
			}
			if _, err := ins.putWith(ctx, &m, &b.sum); err != nil {
				return fmt.Errorf("uid %d: %w", m.UID, err)
			}
		}
		start = end
	}
	return ins.flush(ctx)
}
