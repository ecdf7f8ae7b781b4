package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// migrateV4Outbox adds the outbox (mail waiting to be sent, scheduled or
// offline), local drafts, and what was learnt about each account's server
// filing sent mail itself. Raw bytes live in the rows, not in blobs: they
// must survive GC whatever the folders hold.
func migrateV4Outbox(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE TABLE outbox(
			id         INTEGER PRIMARY KEY AUTOINCREMENT,
			account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
			sender     TEXT NOT NULL,
			rcpts      TEXT NOT NULL,
			message_id TEXT NOT NULL DEFAULT '',
			subject    TEXT NOT NULL DEFAULT '',
			raw        BLOB NOT NULL,
			not_before INTEGER NOT NULL DEFAULT 0,
			created    INTEGER NOT NULL,
			updated    INTEGER NOT NULL,
			attempts   INTEGER NOT NULL DEFAULT 0,
			state      INTEGER NOT NULL DEFAULT 0,
			reason     TEXT NOT NULL DEFAULT '')`,
		`CREATE INDEX outbox_due ON outbox(account_id, state, not_before)`,
		`CREATE TABLE drafts(
			id         INTEGER PRIMARY KEY AUTOINCREMENT,
			account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
			message_id TEXT NOT NULL DEFAULT '',
			subject    TEXT NOT NULL DEFAULT '',
			raw        BLOB NOT NULL,
			updated    INTEGER NOT NULL,
			uploaded   INTEGER REFERENCES messages(id) ON DELETE SET NULL)`,
		`CREATE TABLE sent_filing(
			account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
			server_saves INTEGER NOT NULL)`,
	)
}

// OutboxID identifies a message in the outbox.
type OutboxID int64

// OutState is where an outgoing message stands.
type OutState int

const (
	OutQueued  OutState = 0 // waiting: offline, or scheduled for NotBefore
	OutSending OutState = 1 // claimed by a sender (one process, one attempt)
	OutSent    OutState = 2
	OutFailed  OutState = 3 // refused for good (Reason); kept until the user acts
)

// Outgoing is one message in the outbox: its SMTP envelope and bytes.
type Outgoing struct {
	ID      OutboxID
	Account AccountID
	// From and Rcpts are the envelope (RFC 5321 §3.3), Bcc included.
	From      string
	Rcpts     []string
	MsgID     string
	Subject   string
	Raw       []byte
	NotBefore time.Time // zero: as soon as possible
	Created   time.Time
	Updated   time.Time
	Attempts  int
	State     OutState
	Reason    string // the last failure
}

// QueueOutgoing puts a message in the outbox and returns its ID.
func (s *Store) QueueOutgoing(ctx context.Context, o Outgoing) (OutboxID, error) {
	if o.Account == 0 || o.From == "" || len(o.Rcpts) == 0 || len(o.Raw) == 0 {
		return 0, errors.New("store: queue outgoing: account, sender, recipients and bytes are required")
	}
	var id OutboxID
	now := time.Now().Unix()
	err := s.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO outbox(account_id, sender, rcpts, message_id, subject, raw,
			not_before, created, updated) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id`,
			o.Account, o.From, strings.Join(o.Rcpts, "\n"), normMsgID(o.MsgID), o.Subject, o.Raw,
			unix(o.NotBefore), now, now).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("store: queue outgoing: %w", err)
	}
	return id, nil
}

const outboxCols = `id, account_id, sender, rcpts, message_id, subject, raw, not_before, created, updated, attempts, state, reason`

func scanOutgoing(sc interface{ Scan(...any) error }) (Outgoing, error) {
	var o Outgoing
	var rcpts string
	var nb, created, updated int64
	err := sc.Scan(&o.ID, &o.Account, &o.From, &rcpts, &o.MsgID, &o.Subject, &o.Raw, &nb, &created, &updated,
		&o.Attempts, &o.State, &o.Reason)
	o.Rcpts = strings.Split(rcpts, "\n")
	o.NotBefore, o.Created, o.Updated = fromUnix(nb), fromUnix(created), fromUnix(updated)
	return o, err
}

func (s *Store) outboxQuery(ctx context.Context, q string, args ...any) ([]Outgoing, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE `+q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	defer rows.Close()
	var out []Outgoing
	for rows.Next() {
		o, err := scanOutgoing(rows)
		if err != nil {
			return nil, fmt.Errorf("store: outbox: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// DueOutgoing returns the account's queued messages whose time has come,
// oldest first.
func (s *Store) DueOutgoing(ctx context.Context, acct AccountID, now time.Time) ([]Outgoing, error) {
	return s.outboxQuery(ctx, `account_id = ? AND state = ? AND not_before <= ? ORDER BY not_before, id`,
		acct, OutQueued, now.Unix())
}

// Outbox returns the account's messages not yet sent (queued, being sent,
// failed), oldest first; acct 0 means every account.
func (s *Store) Outbox(ctx context.Context, acct AccountID) ([]Outgoing, error) {
	return s.outboxQuery(ctx, `(? = 0 OR account_id = ?) AND state != ? ORDER BY id`, acct, acct, OutSent)
}

// OutgoingByID returns one outbox message.
func (s *Store) OutgoingByID(ctx context.Context, id OutboxID) (Outgoing, error) {
	o, err := scanOutgoing(s.r.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Outgoing{}, fmt.Errorf("store: outgoing %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Outgoing{}, fmt.Errorf("store: outgoing %d: %w", id, err)
	}
	return o, nil
}

// ErrClaimed means another sender already took the message (or it is no
// longer queued): the caller must not send it.
var ErrClaimed = errors.New("store: outgoing message already claimed")

// ClaimOutgoing moves a queued message to OutSending and counts the
// attempt. Only one caller wins, across processes: the others get
// ErrClaimed. This is what makes a flush send each message once.
func (s *Store) ClaimOutgoing(ctx context.Context, id OutboxID) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, attempts = attempts + 1, updated = ?
			WHERE id = ? AND state = ?`, OutSending, time.Now().Unix(), id, OutQueued)
		if err != nil {
			return fmt.Errorf("store: claim outgoing %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("store: outgoing %d: %w", id, ErrClaimed)
		}
		return nil
	})
}

// MarkSent records a message as sent. With copyOp (an OpAppend to Sent)
// the Sent copy is queued in the same transaction, so a sent message gets
// exactly one copy even if the process dies right after.
func (s *Store) MarkSent(ctx context.Context, id OutboxID, copyOp *Op) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, reason = '', updated = ? WHERE id = ? AND state = ?`,
			OutSent, time.Now().Unix(), id, OutSending)
		if err != nil {
			return fmt.Errorf("store: mark sent %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("store: mark sent %d: %w", id, ErrClaimed)
		}
		if copyOp != nil {
			return enqueue(ctx, tx, copyOp)
		}
		return nil
	})
}

// ReleaseOutgoing ends an attempt that did not send: back to OutQueued
// (a transient failure: offline, server busy) or OutFailed with the reason
// (refused for good). The message is kept either way.
func (s *Store) ReleaseOutgoing(ctx context.Context, id OutboxID, reason string, permanent bool) error {
	state := OutQueued
	if permanent {
		state = OutFailed
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, reason = ?, updated = ? WHERE id = ? AND state = ?`,
			state, reason, time.Now().Unix(), id, OutSending)
		if err != nil {
			return fmt.Errorf("store: release outgoing %d: %w", id, err)
		}
		return nil
	})
}

// RetryOutgoing puts a failed message back in the queue, optionally with
// a new time (zero: now).
func (s *Store) RetryOutgoing(ctx context.Context, id OutboxID, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, not_before = ?, updated = ? WHERE id = ? AND state = ?`,
			OutQueued, unix(at), time.Now().Unix(), id, OutFailed)
		if err != nil {
			return fmt.Errorf("store: retry outgoing %d: %w", id, err)
		}
		return nil
	})
}

// DeleteOutgoing removes a message from the outbox (the user gave up on it).
func (s *Store) DeleteOutgoing(ctx context.Context, id OutboxID) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE id = ? AND state != ?`, id, OutSending)
		return err
	})
}

// AbandonStale turns attempts left in OutSending longer than olderThan (the
// sending process died) into OutFailed with reason: whether the server took
// the message is unknown, and sending it again could duplicate it, so the
// user decides.
func (s *Store) AbandonStale(ctx context.Context, olderThan time.Time, reason string) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, reason = ? WHERE state = ? AND updated < ?`,
			OutFailed, reason, OutSending, olderThan.Unix())
		if err != nil {
			return fmt.Errorf("store: abandon stale: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// ServerSavesSent returns what was learnt about the account's server
// filing sent mail itself; known is false when never learnt.
func (s *Store) ServerSavesSent(ctx context.Context, acct AccountID) (saves, known bool, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT server_saves FROM sent_filing WHERE account_id = ?`, acct).Scan(&saves)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("store: sent filing: %w", err)
	}
	return saves, true, nil
}

// SetServerSavesSent records whether the account's server files sent mail.
func (s *Store) SetServerSavesSent(ctx context.Context, acct AccountID, saves bool) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sent_filing(account_id, server_saves) VALUES (?,?)
			ON CONFLICT(account_id) DO UPDATE SET server_saves = excluded.server_saves`, acct, boolInt(saves))
		if err != nil {
			return fmt.Errorf("store: sent filing: %w", err)
		}
		return nil
	})
}

// RescheduleOutgoing puts a queued or failed message (back) in the queue
// to leave at at (zero: at the next flush), clearing its failure. A message
// being sent or already sent is not touched: ErrClaimed.
func (s *Store) RescheduleOutgoing(ctx context.Context, id OutboxID, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, not_before = ?, reason = '', updated = ?
			WHERE id = ? AND state IN (?, ?)`, OutQueued, unix(at), time.Now().Unix(), id, OutQueued, OutFailed)
		if err != nil {
			return fmt.Errorf("store: reschedule outgoing %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("store: reschedule outgoing %d: %w", id, ErrClaimed)
		}
		return nil
	})
}

// OutgoingToDraft takes a queued or failed message out of the outbox and
// saves d (its text, rebuilt as a draft) as a new local draft, in one
// transaction: the text is never in neither place nor in both. A message
// being sent or already sent is left alone: ErrClaimed.
func (s *Store) OutgoingToDraft(ctx context.Context, id OutboxID, d LocalDraft) (DraftID, error) {
	if d.Account == 0 || len(d.Raw) == 0 {
		return 0, errors.New("store: outgoing to draft: account and bytes are required")
	}
	var did DraftID
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE id = ? AND state IN (?, ?)`, id, OutQueued, OutFailed)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrClaimed
		}
		return tx.QueryRowContext(ctx, `INSERT INTO drafts(account_id, message_id, subject, raw, updated)
			VALUES (?,?,?,?,?) RETURNING id`, d.Account, normMsgID(d.MsgID), d.Subject, d.Raw, time.Now().Unix()).Scan(&did)
	})
	if err != nil {
		return 0, fmt.Errorf("store: outgoing %d to draft: %w", id, err)
	}
	return did, nil
}
