package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

const msgCols = `m.id, m.account_id, m.folder_id, m.uid, m.thread_id, m.message_id, m.in_reply_to, m.refs,
	m.from_name, m.from_addr, m.to_list, m.cc_list, m.subject, m.date, m.internal_date, m.size,
	m.flags, m.keywords, m.modseq, m.has_attachment, m.preview, m.blob_hash IS NOT NULL`

func scanMessage(sc interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var refs, to, cc, kw string
	var date, idate, modseq int64
	var att, fetched int
	err := sc.Scan(&m.ID, &m.Account, &m.Folder, &m.UID, &m.Thread, &m.MsgID, &m.InReplyTo, &refs,
		&m.From.Name, &m.From.Addr, &to, &cc, &m.Subject, &date, &idate, &m.Size,
		&m.Flags, &kw, &modseq, &att, &m.Preview, &fetched)
	if err != nil {
		return m, err
	}
	m.References = splitRefs(refs)
	m.Keywords = strings.Fields(kw)
	m.Date, m.InternalDate, m.ModSeq = fromUnix(date), fromUnix(idate), uint64(modseq)
	m.HasAttachment, m.BodyFetched = att != 0, fetched != 0
	if m.To, err = decodeAddrs(to); err != nil {
		return m, err
	}
	m.Cc, err = decodeAddrs(cc)
	return m, err
}

func collect(rows *sql.Rows, err error, what string) ([]Message, error) {
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// Message returns one message; the error wraps ErrNotFound when it is gone.
func (s *Store) Message(ctx context.Context, id MessageID) (Message, error) {
	m, err := scanMessage(s.r.QueryRowContext(ctx, `SELECT `+msgCols+` FROM messages m WHERE m.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("store: message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("store: message %d: %w", id, err)
	}
	return m, nil
}

// Lookup returns the ID of the message with uid in folder (ErrNotFound wrapped
// when absent).
func (s *Store) Lookup(ctx context.Context, folder FolderID, uid UID) (MessageID, error) {
	var id MessageID
	err := s.r.QueryRowContext(ctx, `SELECT id FROM messages WHERE folder_id = ? AND uid = ?`, folder, uid).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: folder %d uid %d: %w", folder, uid, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("store: folder %d uid %d: %w", folder, uid, err)
	}
	return id, nil
}

// Cursor is a keyset position in a date-descending list: (sort date in Unix
// seconds, message ID). Get one from Message.Cursor.
type Cursor struct {
	Date int64
	ID   MessageID
}

// PageRequest selects a page of a folder, newest first (ties broken by ID,
// newest first).
type PageRequest struct {
	Limit int // rows per page; ≤ 0 means 50
	// After, when set, returns the rows that follow this cursor (keyset
	// pagination: stable while mail arrives, constant cost at any depth).
	After *Cursor
	// Offset skips rows when After is nil, for jumping (cost grows with Offset).
	Offset int
	// Oldest pages oldest first instead of newest first; After then means
	// the rows that come later.
	Oldest bool
}

// Page returns one page of a folder sorted by date, newest first (oldest
// first with PageRequest.Oldest).
func (s *Store) Page(ctx context.Context, folder FolderID, req PageRequest) ([]Message, error) {
	q, args := pageSQL(folder, req)
	rows, err := s.r.QueryContext(ctx, q, args...)
	return collect(rows, err, "page")
}

func pageSQL(folder FolderID, req PageRequest) (string, []any) {
	limit := req.Limit
	if limit <= 0 {
		limit = 50
	}
	// Fixed fragments only: the direction is chosen, never interpolated.
	cmp, order := "<", "DESC"
	if req.Oldest {
		cmp, order = ">", "ASC"
	}
	if req.After != nil {
		return `SELECT ` + msgCols + ` FROM messages m INDEXED BY messages_folder_date
			WHERE m.folder_id = ? AND (m.sort_date, m.id) ` + cmp + ` (?, ?)
			ORDER BY m.sort_date ` + order + `, m.id ` + order + ` LIMIT ?`,
			[]any{folder, req.After.Date, req.After.ID, limit}
	}
	return `SELECT ` + msgCols + ` FROM messages m INDEXED BY messages_folder_date
		WHERE m.folder_id = ? ORDER BY m.sort_date ` + order + `, m.id ` + order + ` LIMIT ? OFFSET ?`,
		[]any{folder, limit, max(req.Offset, 0)}
}

// Thread returns the messages of a thread across the account's folders,
// oldest first. A mail present in two folders appears twice (distinct IDs,
// same MsgID).
func (s *Store) Thread(ctx context.Context, id ThreadID) ([]Message, error) {
	rows, err := s.r.QueryContext(ctx, threadSQL, id)
	return collect(rows, err, "thread")
}

const threadSQL = `SELECT ` + msgCols + ` FROM messages m WHERE m.thread_id = ? ORDER BY m.sort_date, m.id`

// UnreadCounts returns, for each folder of the account, how many stored
// messages lack \Seen, as the store has them now (queued flag changes
// included). Folders without unread mail are absent from the map.
func (s *Store) UnreadCounts(ctx context.Context, acct AccountID) (map[FolderID]int, error) {
	rows, err := s.r.QueryContext(ctx, unreadSQL, acct)
	if err != nil {
		return nil, fmt.Errorf("store: unread counts: %w", err)
	}
	defer rows.Close()
	out := make(map[FolderID]int)
	for rows.Next() {
		var f FolderID
		var n int
		if err := rows.Scan(&f, &n); err != nil {
			return nil, fmt.Errorf("store: unread counts: %w", err)
		}
		if n > 0 {
			out[f] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unread counts: %w", err)
	}
	return out, nil
}

// The WHERE term repeats the partial index's expression verbatim so SQLite
// can use messages_unread.
const unreadSQL = `SELECT f.id, (SELECT count(*) FROM messages m WHERE m.folder_id = f.id AND (m.flags & 1) = 0)
	FROM folders f WHERE f.account_id = ?`
