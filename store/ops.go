package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// OpKind is what a queued operation does on the server.
type OpKind int

const (
	OpFlagsAdd    OpKind = iota + 1 // UID STORE +FLAGS (RFC 3501 §6.4.6)
	OpFlagsRemove                   // UID STORE -FLAGS
	OpMove                          // UID MOVE (RFC 6851), or COPY+STORE+EXPUNGE
	OpCopy                          // UID COPY
	OpExpunge                       // STORE +\Deleted then UID EXPUNGE (RFC 4315 §2.1)
	OpAppend                        // APPEND a draft or sent message (RFC 3501 §6.3.11)
)

// OpState is where a queued operation stands.
type OpState int

const (
	OpPending  OpState = 0 // waiting for (another) attempt
	OpDone     OpState = 1
	OpFailed   OpState = 2 // gave up after maxAttempts transient failures
	OpConflict OpState = 3 // the server refused it for good (reason says why)
)

// maxAttempts transient failures turn a pending operation into OpFailed.
const maxAttempts = 8

// Op is an offline operation: applied to the local rows when enqueued, sent
// to the server by the sync engine later, in ID order per account.
type Op struct {
	ID      OpID // set by EnqueueOp
	Kind    OpKind
	Account AccountID // set by EnqueueOp from Folder
	// Folder is the source folder (flags, move, copy, expunge) or the
	// destination (append); Target is the destination of move and copy.
	Folder, Target FolderID
	// UIDs are the messages in Folder the operation applies to. A
	// provisional UID here is rewritten to the server UID when SetUID or
	// CompleteOp learns it.
	UIDs []UID
	// NewUIDs, set by EnqueueOp, are the provisional UIDs given to the rows
	// created in Target (move, copy; parallel to UIDs) or Folder (append).
	NewUIDs []UID
	// Messages are the local IDs of the rows created or moved (parallel to
	// NewUIDs); for append, Messages[0] is the draft to read with Raw.
	Messages []MessageID

	Flags    Flags    // flags to add/remove, or the flags of an appended message
	Keywords []string // keywords to add/remove, or of an appended message
	Payload  []byte   // opaque to the store, for the engine

	// Append is the message to append (OpAppend only; not read back).
	Append *Draft
	// Blob is the content address of an appended draft (set by EnqueueOp):
	// RawByHash(Blob) reads it even if its row was deleted meanwhile. GC
	// keeps it until the op is done.
	Blob Hash

	Created, Updated time.Time
	Attempts         int
	State            OpState
	Reason           string // last failure
}

// Draft is a message created locally: its header fields and raw bytes.
type Draft struct {
	Message Message
	Body    Body
}

// EnqueueOp records an operation and applies it to the local rows in the same
// transaction, so the UI shows it at once: flags change; a moved message
// leaves Folder and appears in Target with a provisional UID; a copy appears
// in Target; expunged messages go; an appended draft appears in Folder with
// its body stored. It returns the op with ID, NewUIDs and Messages filled.
// UIDs the store does not hold are recorded but change nothing locally.
func (s *Store) EnqueueOp(ctx context.Context, op Op) (Op, error) {
	err := s.write(ctx, func(tx *sql.Tx) error { return enqueue(ctx, tx, &op) })
	if err != nil {
		return Op{}, err
	}
	return op, nil
}

func enqueue(ctx context.Context, tx *sql.Tx, op *Op) error {
	if err := tx.QueryRowContext(ctx, `SELECT account_id FROM folders WHERE id = ?`, op.Folder).Scan(&op.Account); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = ErrNotFound
		}
		return fmt.Errorf("store: enqueue: folder %d: %w", op.Folder, err)
	}
	if op.Kind == OpMove || op.Kind == OpCopy {
		var ta AccountID
		if err := tx.QueryRowContext(ctx, `SELECT account_id FROM folders WHERE id = ?`, op.Target).Scan(&ta); err != nil || ta != op.Account {
			return fmt.Errorf("store: enqueue: target folder %d is not in account %d: %w", op.Target, op.Account, ErrNotFound)
		}
	}
	if op.Kind == OpAppend && op.Append == nil {
		return errors.New("store: enqueue: append without a draft")
	}
	now := time.Now()
	op.Created, op.Updated, op.State, op.Attempts = now, now, OpPending, 0
	var target any
	if op.Target != 0 {
		target = op.Target
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO ops(account_id, kind, folder_id, target_id, flags, keywords, payload, created, updated)
		VALUES (?,?,?,?,?,?,?,?,?) RETURNING id`, op.Account, op.Kind, op.Folder, target, op.Flags,
		normKeywords(op.Keywords), op.Payload, now.Unix(), now.Unix()).Scan(&op.ID)
	if err != nil {
		return fmt.Errorf("store: enqueue: %w", err)
	}
	if err := applyLocal(ctx, tx, op); err != nil {
		return fmt.Errorf("store: enqueue %d: %w", op.Kind, err)
	}
	n := max(len(op.UIDs), len(op.NewUIDs))
	for i := range n {
		var uid, nu UID
		var mid MessageID
		if i < len(op.UIDs) {
			uid = op.UIDs[i]
		}
		if i < len(op.NewUIDs) {
			nu, mid = op.NewUIDs[i], op.Messages[i]
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO op_uids(op_id, seq, uid, new_uid, message_id) VALUES (?,?,?,?,?)`,
			op.ID, i, uid, nu, mid); err != nil {
			return fmt.Errorf("store: enqueue: %w", err)
		}
	}
	return nil
}

// nextProvisional returns a UID below every provisional UID of the folder.
func nextProvisional(ctx context.Context, tx *sql.Tx, folder FolderID) (UID, error) {
	var u UID
	err := tx.QueryRowContext(ctx, `SELECT min(0, coalesce(min(uid), 0)) - 1 FROM messages WHERE folder_id = ?`, folder).Scan(&u)
	return u, err
}

func applyLocal(ctx context.Context, tx *sql.Tx, op *Op) error {
	switch op.Kind {
	case OpFlagsAdd, OpFlagsRemove:
		return applyFlags(ctx, tx, op)
	case OpMove, OpCopy:
		for _, uid := range op.UIDs {
			var id MessageID
			err := tx.QueryRowContext(ctx, `SELECT id FROM messages WHERE folder_id = ? AND uid = ?`, op.Folder, uid).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				op.NewUIDs, op.Messages = append(op.NewUIDs, 0), append(op.Messages, 0)
				continue
			}
			if err != nil {
				return err
			}
			nu, err := nextProvisional(ctx, tx, op.Target)
			if err != nil {
				return err
			}
			if op.Kind == OpMove {
				_, err = tx.ExecContext(ctx, `UPDATE messages SET folder_id = ?, uid = ? WHERE id = ?`, op.Target, nu, id)
			} else {
				id, err = copyRow(ctx, tx, id, op.Target, nu)
			}
			if err != nil {
				return err
			}
			op.NewUIDs, op.Messages = append(op.NewUIDs, nu), append(op.Messages, id)
		}
		return nil
	case OpExpunge:
		return deleteUIDs(ctx, tx, op.Folder, op.UIDs, false)
	case OpAppend:
		return applyAppend(ctx, tx, op)
	default:
		return fmt.Errorf("unknown op kind %d", op.Kind)
	}
}

func applyFlags(ctx context.Context, tx *sql.Tx, op *Op) error {
	for _, uid := range op.UIDs {
		var id MessageID
		var flags Flags
		var kw string
		err := tx.QueryRowContext(ctx, `SELECT id, flags, keywords FROM messages WHERE folder_id = ? AND uid = ?`,
			op.Folder, uid).Scan(&id, &flags, &kw)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		have := strings.Fields(kw)
		if op.Kind == OpFlagsAdd {
			flags |= op.Flags
			have = append(have, op.Keywords...)
		} else {
			flags &^= op.Flags
			for _, k := range op.Keywords {
				for i := 0; i < len(have); i++ {
					if strings.EqualFold(have[i], k) {
						have = append(have[:i], have[i+1:]...)
						i--
					}
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET flags = ?, keywords = ? WHERE id = ?`, flags, normKeywords(have), id); err != nil {
			return err
		}
	}
	return nil
}

// copyRow duplicates a message row (with its text and blob link) into folder.
func copyRow(ctx context.Context, tx *sql.Tx, id MessageID, folder FolderID, uid UID) (MessageID, error) {
	var nid MessageID
	err := tx.QueryRowContext(ctx, `INSERT INTO messages(account_id, folder_id, uid, thread_id, message_id, in_reply_to, refs,
		from_name, from_addr, to_list, cc_list, subject, date, internal_date, sort_date, size,
		flags, keywords, modseq, has_attachment, preview, blob_hash, indexed)
		SELECT account_id, ?, ?, thread_id, message_id, in_reply_to, refs,
		from_name, from_addr, to_list, cc_list, subject, date, internal_date, sort_date, size,
		flags, keywords, 0, has_attachment, preview, blob_hash, indexed FROM messages WHERE id = ? RETURNING id`,
		folder, uid, id).Scan(&nid)
	if err != nil {
		return 0, err
	}
	// The copy waits for the index as the original does (without a texts
	// row when the original has none, see texts.go).
	_, err = tx.ExecContext(ctx, `INSERT INTO texts(id, subject, from_text, rcpt_text, body)
		SELECT ?, subject, from_text, rcpt_text, body FROM texts WHERE id = ?`, nid, id)
	return nid, err
}

func applyAppend(ctx context.Context, tx *sql.Tx, op *Op) error {
	nu, err := nextProvisional(ctx, tx, op.Folder)
	if err != nil {
		return err
	}
	m := op.Append.Message
	m.Account, m.Folder, m.UID = op.Account, op.Folder, nu
	m.Flags, m.Keywords = op.Flags, op.Keywords
	if m.Size == 0 {
		m.Size = int64(len(op.Append.Body.Raw))
	}
	ins, err := newInserter(ctx, tx, nil)
	if err != nil {
		return err
	}
	defer ins.close()
	id, err := ins.put(ctx, &m)
	if err != nil {
		return err
	}
	if err := ins.flush(ctx); err != nil {
		return err
	}
	sum := sha256.Sum256(op.Append.Body.Raw)
	dir, err := txBlobDir(ctx, tx)
	if err != nil {
		return err
	}
	if err := putBlob(ctx, tx, dir, sum, op.Append.Body.Raw); err != nil {
		return err
	}
	if err := linkBody(ctx, tx, id, sum, op.Append.Body); err != nil {
		return err
	}
	op.NewUIDs, op.Messages, op.Blob = []UID{nu}, []MessageID{id}, sum
	_, err = tx.ExecContext(ctx, `UPDATE ops SET blob_hash = ? WHERE id = ?`, sum[:], op.ID)
	return err
}
