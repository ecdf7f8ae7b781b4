package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The store keeps two things for mail rules (package rules): an account's
// rule set for rules that run on this computer, as opaque bytes (the rules
// package's JSON), and which messages the client-side rules were already
// applied to, so that restarts and re-syncs never apply them twice.
//
// A message is identified for this by (folder, UIDVALIDITY, UID), which
// survives re-syncs of the same mailbox; a new UIDVALIDITY (the server
// renumbered the folder) means new messages, as it does for sync.

// RuleSet returns the account's stored rule set, or nil when it has none.
func (s *Store) RuleSet(ctx context.Context, acct AccountID) ([]byte, error) {
	var data []byte
	err := s.r.QueryRowContext(ctx, `SELECT data FROM rule_sets WHERE account_id = ?`, acct).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: rule set: %w", err)
	}
	return data, nil
}

// SetRuleSet replaces the account's rule set.
func (s *Store) SetRuleSet(ctx context.Context, acct AccountID, data []byte) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO rule_sets(account_id, data, updated) VALUES (?,?,?)
			ON CONFLICT(account_id) DO UPDATE SET data = excluded.data, updated = excluded.updated`,
			acct, data, time.Now().Unix())
		if err != nil {
			return fmt.Errorf("store: set rule set: %w", err)
		}
		return nil
	})
}

// MarkRulesApplied records that the rules ran over these messages of folder
// (at the folder's UIDVALIDITY uidValidity). Marking twice is harmless.
func (s *Store) MarkRulesApplied(ctx context.Context, folder FolderID, uidValidity uint32, uids []UID) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO rules_applied(folder_id, uidvalidity, uid, applied) VALUES (?,?,?,?)`)
		if err != nil {
			return fmt.Errorf("store: mark rules applied: %w", err)
		}
		defer st.Close()
		now := time.Now().Unix()
		for _, u := range uids {
			if _, err := st.ExecContext(ctx, folder, uidValidity, u, now); err != nil {
				return fmt.Errorf("store: mark rules applied: %w", err)
			}
		}
		return nil
	})
}

// RulesApplied returns which of uids the rules already ran over.
func (s *Store) RulesApplied(ctx context.Context, folder FolderID, uidValidity uint32, uids []UID) (map[UID]bool, error) {
	out := map[UID]bool{}
	for len(uids) > 0 {
		n := min(len(uids), 500)
		args := []any{folder, uidValidity}
		q := `SELECT uid FROM rules_applied WHERE folder_id = ? AND uidvalidity = ? AND uid IN (?` + repeatParams(n-1) + `)`
		for _, u := range uids[:n] {
			args = append(args, u)
		}
		rows, err := s.r.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("store: rules applied: %w", err)
		}
		for rows.Next() {
			var u UID
			if err := rows.Scan(&u); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: rules applied: %w", err)
			}
			out[u] = true
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("store: rules applied: %w", err)
		}
		uids = uids[n:]
	}
	return out, nil
}

// RulesWatermark returns the highest UID of folder (at uidValidity) the
// rules ran over; ok is false when they never ran there.
func (s *Store) RulesWatermark(ctx context.Context, folder FolderID, uidValidity uint32) (UID, bool, error) {
	var max sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT max(uid) FROM rules_applied WHERE folder_id = ? AND uidvalidity = ?`,
		folder, uidValidity).Scan(&max)
	if err != nil {
		return 0, false, fmt.Errorf("store: rules watermark: %w", err)
	}
	return UID(max.Int64), max.Valid, nil
}

func repeatParams(n int) string {
	b := make([]byte, 0, 2*n)
	for range n {
		b = append(b, ",?"...)
	}
	return string(b)
}

// migrateRules (v6) adds the client-side rule sets and the applied-once
// tracking of package rules.
func migrateRules(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE TABLE rule_sets(
			account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
			data       BLOB NOT NULL,
			updated    INTEGER NOT NULL)`,
		`CREATE TABLE rules_applied(
			folder_id   INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
			uidvalidity INTEGER NOT NULL,
			uid         INTEGER NOT NULL,
			applied     INTEGER NOT NULL,
			PRIMARY KEY(folder_id, uidvalidity, uid)) WITHOUT ROWID`,
	)
}
