package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Account returns the ID of the account called name, creating it when new.
// Names are the stable account names from the configuration.
func (s *Store) Account(ctx context.Context, name string) (AccountID, error) {
	if name == "" {
		return 0, errors.New("store: empty account name")
	}
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT id FROM accounts WHERE name = ?`, name).Scan(&id)
	if err == nil {
		return AccountID(id), nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: account %q: %w", name, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO accounts(name) VALUES (?)
			ON CONFLICT(name) DO UPDATE SET name = excluded.name RETURNING id`, name).Scan(&id)
		if err != nil {
			return fmt.Errorf("store: account %q: %w", name, err)
		}
		return nil
	})
	return AccountID(id), err
}

// Role is a folder's special use (RFC 6154 §2), lower-case without the
// backslash: "inbox", "sent", "drafts", "trash", "junk", "archive", "all",
// "flagged", or "" for an ordinary folder.
type Role string

// Folder is one mailbox of an account.
type Folder struct {
	ID      FolderID
	Account AccountID
	// Name is the decoded UTF-8 name shown to people; RawName is the name
	// exactly as the server spells it on the wire (modified UTF-7, RFC 3501
	// §5.1.3, or UTF-8 under RFC 6855). RawName identifies the folder.
	Name, RawName string
	Delim         string // hierarchy delimiter, "" when flat
	Role          Role
	Parent        FolderID // 0 for a top-level folder; derived from RawName and Delim
	Subscribed    bool

	// Sync state, written with SetFolderState.
	UIDValidity   uint32
	UIDNext       uint32
	HighestModSeq uint64
	Total, Unseen int // as last reported by the server (STATUS / SELECT)
	LastSync      time.Time
}

// UpsertFolder records a folder seen in LIST, keyed by (Account, RawName), and
// returns its ID. It updates Name, Delim, Role and Subscribed; it never touches
// the sync state (see SetFolderState). Parent links are maintained in both
// directions, so folders may be upserted in any order.
func (s *Store) UpsertFolder(ctx context.Context, f Folder) (FolderID, error) {
	if f.Account == 0 || f.RawName == "" {
		return 0, errors.New("store: upsert folder: account and raw name are required")
	}
	if f.Name == "" {
		f.Name = f.RawName
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO folders(account_id, name, raw_name, delim, role, subscribed)
			VALUES (?,?,?,?,?,?)
			ON CONFLICT(account_id, raw_name) DO UPDATE SET name = excluded.name,
				delim = excluded.delim, role = excluded.role, subscribed = excluded.subscribed
			RETURNING id`, f.Account, f.Name, f.RawName, f.Delim, string(f.Role), boolInt(f.Subscribed)).Scan(&id)
		if err != nil {
			return fmt.Errorf("store: upsert folder %q: %w", f.RawName, err)
		}
		return linkParents(ctx, tx, f.Account, id, f.RawName, f.Delim)
	})
	return FolderID(id), err
}

// linkParents sets the parent of folder id and adopts its direct children.
func linkParents(ctx context.Context, tx *sql.Tx, acct AccountID, id int64, raw, delim string) error {
	var parent sql.NullInt64
	if delim != "" {
		if i := strings.LastIndex(raw, delim); i > 0 {
			err := tx.QueryRowContext(ctx, `SELECT id FROM folders WHERE account_id = ? AND raw_name = ?`,
				acct, raw[:i]).Scan(&parent)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: folder parent: %w", err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE folders SET parent_id = ? WHERE id = ?`, parent, id); err != nil {
		return fmt.Errorf("store: folder parent: %w", err)
	}
	if delim == "" {
		return nil
	}
	prefix := raw + delim
	_, err := tx.ExecContext(ctx, `UPDATE folders SET parent_id = ?1
		WHERE account_id = ?2 AND substr(raw_name, 1, length(?3)) = ?3
		AND length(raw_name) > length(?3) AND instr(substr(raw_name, length(?3) + 1), ?4) = 0`,
		id, acct, prefix, delim)
	if err != nil {
		return fmt.Errorf("store: folder children: %w", err)
	}
	return nil
}

// FolderState is the per-folder sync bookkeeping (RFC 3501 §2.3.1.1, RFC 7162 §3.1).
type FolderState struct {
	UIDValidity   uint32
	UIDNext       uint32
	HighestModSeq uint64
	Total, Unseen int
	LastSync      time.Time
}

// SetFolderState records the sync state of a folder. It does not act on a
// UIDVALIDITY change: call ResetFolder for that.
func (s *Store) SetFolderState(ctx context.Context, id FolderID, st FolderState) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE folders SET uidvalidity = ?, uidnext = ?, highestmodseq = ?,
			total = ?, unseen = ?, last_sync = ? WHERE id = ?`,
			st.UIDValidity, st.UIDNext, int64(st.HighestModSeq), st.Total, st.Unseen, unix(st.LastSync), id)
		if err != nil {
			return fmt.Errorf("store: folder state %d: %w", id, err)
		}
		return mustAffect(res, "folder", int64(id))
	})
}

func mustAffect(res sql.Result, what string, id int64) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s %d: %w", what, id, err)
	}
	if n == 0 {
		return fmt.Errorf("store: %s %d: %w", what, id, ErrNotFound)
	}
	return nil
}

const folderCols = `id, account_id, name, raw_name, delim, role, coalesce(parent_id, 0), subscribed,
	uidvalidity, uidnext, highestmodseq, total, unseen, last_sync`

func scanFolder(sc interface{ Scan(...any) error }) (Folder, error) {
	var f Folder
	var role string
	var sub int
	var modseq, last int64
	err := sc.Scan(&f.ID, &f.Account, &f.Name, &f.RawName, &f.Delim, &role, &f.Parent, &sub,
		&f.UIDValidity, &f.UIDNext, &modseq, &f.Total, &f.Unseen, &last)
	f.Role, f.Subscribed, f.HighestModSeq, f.LastSync = Role(role), sub != 0, uint64(modseq), fromUnix(last)
	return f, err
}

// Folders lists an account's folders ordered by raw name (so parents come
// before their children).
func (s *Store) Folders(ctx context.Context, acct AccountID) ([]Folder, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+folderCols+` FROM folders WHERE account_id = ? ORDER BY raw_name`, acct)
	if err != nil {
		return nil, fmt.Errorf("store: folders: %w", err)
	}
	defer rows.Close()
	var out []Folder
	for rows.Next() {
		f, err := scanFolder(rows)
		if err != nil {
			return nil, fmt.Errorf("store: folders: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: folders: %w", err)
	}
	return out, nil
}

// FolderByName returns the account's folder with this raw (server) name; the
// error wraps ErrNotFound when there is none.
func (s *Store) FolderByName(ctx context.Context, acct AccountID, rawName string) (Folder, error) {
	f, err := scanFolder(s.r.QueryRowContext(ctx, `SELECT `+folderCols+` FROM folders WHERE account_id = ? AND raw_name = ?`, acct, rawName))
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("store: folder %q: %w", rawName, ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("store: folder %q: %w", rawName, err)
	}
	return f, nil
}

// Folder returns one folder; the error wraps ErrNotFound when it does not exist.
func (s *Store) Folder(ctx context.Context, id FolderID) (Folder, error) {
	f, err := scanFolder(s.r.QueryRowContext(ctx, `SELECT `+folderCols+` FROM folders WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("store: folder %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("store: folder %d: %w", id, err)
	}
	return f, nil
}

// RenameFolder renames a folder and, like IMAP RENAME (RFC 3501 §6.3.5), its
// descendants: their names keep the new prefix. Messages, UIDs and sync state
// stay (the server keeps UIDVALIDITY across a rename only sometimes; the next
// sync compares it).
func (s *Store) RenameFolder(ctx context.Context, id FolderID, newName, newRawName string) error {
	if newRawName == "" {
		return errors.New("store: rename folder: empty raw name")
	}
	if newName == "" {
		newName = newRawName
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var acct AccountID
		var oldName, oldRaw, delim string
		err := tx.QueryRowContext(ctx, `SELECT account_id, name, raw_name, delim FROM folders WHERE id = ?`, id).
			Scan(&acct, &oldName, &oldRaw, &delim)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: rename folder %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: rename folder %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE folders SET name = ?, raw_name = ? WHERE id = ?`, newName, newRawName, id); err != nil {
			return fmt.Errorf("store: rename folder %d: %w", id, err)
		}
		if delim != "" {
			_, err = tx.ExecContext(ctx, `UPDATE folders
				SET raw_name = ?1 || substr(raw_name, length(?2) + 1),
				    name = CASE WHEN substr(name, 1, length(?3)) = ?3 THEN ?4 || substr(name, length(?3) + 1) ELSE name END
				WHERE account_id = ?5 AND id != ?6 AND substr(raw_name, 1, length(?2)) = ?2`,
				newRawName+delim, oldRaw+delim, oldName+delim, newName+delim, acct, id)
			if err != nil {
				return fmt.Errorf("store: rename folder %d children: %w", id, err)
			}
		}
		return linkParents(ctx, tx, acct, int64(id), newRawName, delim)
	})
}

// DeleteFolder removes a folder and its messages. Bodies of messages with a
// Message-ID are stashed (see GC) so the same mail found in another folder
// later is not downloaded again. Pending operations keep their row with the
// folder cleared; the engine fails them. Child folders stay, re-parented to none.
func (s *Store) DeleteFolder(ctx context.Context, id FolderID) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := detachWhere(ctx, tx, `m.folder_id = ?`, id); err != nil {
			return fmt.Errorf("store: delete folder %d: %w", id, err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM folders WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("store: delete folder %d: %w", id, err)
		}
		return mustAffect(res, "folder", int64(id))
	})
}
