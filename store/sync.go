package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Bookkeeping for the sync engine. The engine is expected to push pending
// operations (PendingOps) for a folder before it pulls that folder's flags,
// since SetFlags writes the server's state over the local one.

// UIDFlags is the server-visible state of one message.
type UIDFlags struct {
	UID      UID
	Flags    Flags
	Keywords []string
	ModSeq   uint64
}

// SetFlags sets (replaces) the flags and keywords of the given UIDs in a
// folder, in one transaction. UIDs the store does not hold are ignored.
func (s *Store) SetFlags(ctx context.Context, folder FolderID, updates []UIDFlags) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `UPDATE messages SET flags = ?, keywords = ?, modseq = ? WHERE folder_id = ? AND uid = ?`)
		if err != nil {
			return fmt.Errorf("store: set flags: %w", err)
		}
		defer st.Close()
		for _, u := range updates {
			if _, err := st.ExecContext(ctx, u.Flags, normKeywords(u.Keywords), int64(u.ModSeq), folder, u.UID); err != nil {
				return fmt.Errorf("store: set flags uid %d: %w", u.UID, err)
			}
		}
		return nil
	})
}

// DeleteUIDs removes expunged messages (RFC 3501 §7.4.1, RFC 7162 VANISHED)
// from a folder, in one transaction. Bodies are stashed for relinking (a move
// by another client looks like expunge here plus a new message there).
// Missing UIDs are ignored.
func (s *Store) DeleteUIDs(ctx context.Context, folder FolderID, uids []UID) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		return deleteUIDs(ctx, tx, folder, uids, true)
	})
}

func deleteUIDs(ctx context.Context, tx *sql.Tx, folder FolderID, uids []UID, stash bool) error {
	const chunk = 500
	for len(uids) > 0 {
		n := min(chunk, len(uids))
		part := uids[:n]
		uids = uids[n:]
		in := "?" + strings.Repeat(",?", len(part)-1) // placeholders only, values bound
		args := make([]any, 0, len(part)+1)
		args = append(args, folder)
		for _, u := range part {
			args = append(args, u)
		}
		where := `m.folder_id = ? AND m.uid IN (` + in + `)`
		if stash {
			if err := detachWhere(ctx, tx, where, args...); err != nil {
				return fmt.Errorf("store: delete uids: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM messages AS m WHERE `+where, args...); err != nil {
			return fmt.Errorf("store: delete uids: %w", err)
		}
	}
	return nil
}

// UIDs returns the server UIDs held for a folder with their flags, ascending.
// Provisional rows are left out. 100k entries are a few MB.
func (s *Store) UIDs(ctx context.Context, folder FolderID) ([]UIDFlags, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT uid, flags, keywords, modseq FROM messages
		WHERE folder_id = ? AND uid > 0 ORDER BY uid`, folder)
	if err != nil {
		return nil, fmt.Errorf("store: uids: %w", err)
	}
	defer rows.Close()
	var out []UIDFlags
	for rows.Next() {
		var u UIDFlags
		var kw string
		var modseq int64
		if err := rows.Scan(&u.UID, &u.Flags, &kw, &modseq); err != nil {
			return nil, fmt.Errorf("store: uids: %w", err)
		}
		u.Keywords, u.ModSeq = strings.Fields(kw), uint64(modseq)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: uids: %w", err)
	}
	return out, nil
}

// ResetFolder handles a UIDVALIDITY change (RFC 3501 §2.3.1.1): every message
// row of the folder is dropped, bodies stashed so the re-listing relinks them
// by Message-ID and size instead of downloading them again; the folder's
// UIDVALIDITY is set to uidValidity and UIDNEXT/HIGHESTMODSEQ cleared.
// Provisional rows (UID ≤ 0: queued moves, copies, appended drafts) are
// local creations and stay.
func (s *Store) ResetFolder(ctx context.Context, folder FolderID, uidValidity uint32) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := detachWhere(ctx, tx, `m.folder_id = ? AND m.uid > 0`, folder); err != nil {
			return fmt.Errorf("store: reset folder %d: %w", folder, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE folder_id = ? AND uid > 0`, folder); err != nil {
			return fmt.Errorf("store: reset folder %d: %w", folder, err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE folders SET uidvalidity = ?, uidnext = 0, highestmodseq = 0 WHERE id = ?`,
			uidValidity, folder)
		if err != nil {
			return fmt.Errorf("store: reset folder %d: %w", folder, err)
		}
		return mustAffect(res, "folder", int64(folder))
	})
}

// NeedBody is a message whose raw bytes are not stored yet.
type NeedBody struct {
	ID   MessageID
	UID  UID
	Size int64

	sortDate int64 // where NeedBodiesAfter goes on from
}

// NeedBodies returns up to limit messages of a folder still lacking their
// body, newest first. Provisional rows are left out.
func (s *Store) NeedBodies(ctx context.Context, folder FolderID, limit int) ([]NeedBody, error) {
	return s.needBodies(ctx, needBodiesSQL, folder, limit)
}

// NeedBodiesAfter continues NeedBodies: up to limit more messages of the
// folder lacking their body, in the same order, after last (the final one
// of the previous page), so that a caller walks a folder of any size a
// page at a time instead of holding its whole list. Messages whose body
// was stored meanwhile are left out; messages newer than last are not
// looked at again.
func (s *Store) NeedBodiesAfter(ctx context.Context, folder FolderID, last NeedBody, limit int) ([]NeedBody, error) {
	return s.needBodies(ctx, needBodiesAfterSQL, folder, limit, last.sortDate, last.ID)
}

// needBodies runs q, a query of NeedBody's columns, with args.
func (s *Store) needBodies(ctx context.Context, q string, args ...any) ([]NeedBody, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: need bodies: %w", err)
	}
	defer rows.Close()
	var out []NeedBody
	for rows.Next() {
		var n NeedBody
		if err := rows.Scan(&n.ID, &n.UID, &n.Size, &n.sortDate); err != nil {
			return nil, fmt.Errorf("store: need bodies: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: need bodies: %w", err)
	}
	return out, nil
}

const needBodiesSQL = `SELECT id, uid, size, sort_date FROM messages INDEXED BY messages_nobody
	WHERE folder_id = ?1 AND blob_hash IS NULL AND uid > 0 ORDER BY sort_date DESC, id DESC LIMIT ?2`

// needBodiesAfterSQL is needBodiesSQL after the row (?3, ?4) in its order:
// a range of the index (sort_date ≤ ?3), not a scan of the folder.
const needBodiesAfterSQL = `SELECT id, uid, size, sort_date FROM messages INDEXED BY messages_nobody
	WHERE folder_id = ?1 AND blob_hash IS NULL AND uid > 0 AND sort_date <= ?3 AND (sort_date < ?3 OR id < ?4)
	ORDER BY sort_date DESC, id DESC LIMIT ?2`

// SetUID replaces a provisional UID with the server UID learned for it
// (APPENDUID/COPYUID, RFC 4315 §3, or a later sync). When the server UID is
// already stored (the sync got there first) the provisional row is merged
// into it: its body moves over if the synced row lacks one, then it is
// deleted. Pending operations that named the provisional UID now name the
// real one.
func (s *Store) SetUID(ctx context.Context, folder FolderID, provisional, real UID) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		return setUID(ctx, tx, folder, provisional, real)
	})
}

func setUID(ctx context.Context, tx *sql.Tx, folder FolderID, prov, real UID) error {
	if !prov.Provisional() || real.Provisional() {
		return fmt.Errorf("store: set uid %d→%d: want provisional→server", prov, real)
	}
	var pid int64
	var phash []byte
	err := tx.QueryRowContext(ctx, `SELECT id, blob_hash FROM messages WHERE folder_id = ? AND uid = ?`, folder, prov).Scan(&pid, &phash)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: set uid %d in folder %d: %w", prov, folder, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: set uid: %w", err)
	}
	var rid int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM messages WHERE folder_id = ? AND uid = ?`, folder, real).Scan(&rid)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET uid = ? WHERE id = ?`, real, pid); err != nil {
			return fmt.Errorf("store: set uid: %w", err)
		}
	case err != nil:
		return fmt.Errorf("store: set uid: %w", err)
	default:
		if phash != nil {
			_, err := tx.ExecContext(ctx, `UPDATE messages SET blob_hash = ?1,
				indexed = (SELECT indexed FROM messages WHERE id = ?2) WHERE id = ?3 AND blob_hash IS NULL`, phash, pid, rid)
			if err == nil {
				// rid may have no texts row yet (see texts.go).
				_, err = tx.ExecContext(ctx, `INSERT INTO texts(id, subject, from_text, rcpt_text, body)
					SELECT ?2, subject, from_text, rcpt_text, body FROM texts WHERE id = ?1
					ON CONFLICT(id) DO UPDATE SET body = excluded.body WHERE texts.body = ''`, pid, rid)
			}
			if err != nil {
				return fmt.Errorf("store: set uid merge: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE id = ?`, pid); err != nil {
			return fmt.Errorf("store: set uid merge: %w", err)
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE op_uids SET uid = ?1 WHERE uid = ?2
		AND op_id IN (SELECT id FROM ops WHERE folder_id = ?3 AND state = 0)`, real, prov, folder)
	if err != nil {
		return fmt.Errorf("store: set uid ops: %w", err)
	}
	return nil
}
