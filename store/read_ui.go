package store

import (
	"context"
	"database/sql"
	"fmt"
)

// The message list's reads: a folder sorted by sender or subject, and a
// folder as threads. Both page by keyset over an index, like Page, so a
// 100k-message folder costs the same at any depth.

// SortField is what a folder's list is sorted by.
type SortField int

const (
	SortDate    SortField = iota // the message's date (Message.SortDate)
	SortSender                   // the From name, or the address when there is none, by collation key (store/collate.go)
	SortSubject                  // the Subject, by collation key (store/collate.go)
)

// SortCursor is a keyset position in a sorted list: the sort key (empty for
// SortDate), the date and the message ID that break ties.
type SortCursor struct {
	Key  string
	Date int64
	ID   MessageID
}

// SortedPageRequest selects a page of a folder in some order.
type SortedPageRequest struct {
	By SortField
	// Desc reverses the order: newest first for SortDate, Z to A for
	// the others. Ties run the same way (by date, then ID).
	Desc  bool
	Limit int         // rows per page; ≤ 0 means 50
	After *SortCursor // the rows after this one; nil: the first page
}

// The sort keys, as SQL expressions: collation keys (store/collate.go). The
// indexes of migrateCollatedOrders are on these exact texts: SQLite uses an
// expression index only for a query that repeats the expression verbatim.
const (
	senderKey  = `magpie_sortkey(CASE WHEN m.from_name <> '' THEN m.from_name ELSE m.from_addr END)`
	subjectKey = `magpie_sortkey(m.subject)`
)

// PageSorted returns one page of a folder in req's order, and for each row
// its cursor (hand the last one back as After for the next page; rows of
// several folders merge by comparing cursors with Less).
func (s *Store) PageSorted(ctx context.Context, folder FolderID, req SortedPageRequest) ([]Message, []SortCursor, error) {
	if req.By == SortDate {
		pr := PageRequest{Limit: req.Limit, Oldest: !req.Desc}
		if req.After != nil {
			pr.After = &Cursor{Date: req.After.Date, ID: req.After.ID}
		}
		rows, err := s.Page(ctx, folder, pr)
		curs := make([]SortCursor, len(rows))
		for i, m := range rows {
			c := m.Cursor()
			curs[i] = SortCursor{Date: c.Date, ID: c.ID}
		}
		return rows, curs, err
	}
	q, args := sortedSQL(folder, req)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("store: sorted page: %w", err)
	}
	defer rows.Close()
	var out []Message
	var curs []SortCursor
	for rows.Next() {
		var c SortCursor
		m, err := scanMessage(withExtra{rows, []any{&c.Key, &c.Date}})
		if err != nil {
			return nil, nil, fmt.Errorf("store: sorted page: %w", err)
		}
		c.ID = m.ID
		out, curs = append(out, m), append(curs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: sorted page: %w", err)
	}
	return out, curs, nil
}

// Less reports whether a comes before b in the order by/desc.
func (a SortCursor) Less(b SortCursor, desc bool) bool {
	if desc {
		a, b = b, a
	}
	switch {
	case a.Key != b.Key:
		return a.Key < b.Key
	case a.Date != b.Date:
		return a.Date < b.Date
	}
	return a.ID < b.ID
}

func sortedSQL(folder FolderID, req SortedPageRequest) (string, []any) {
	limit := req.Limit
	if limit <= 0 {
		limit = 50
	}
	// Fixed fragments only: the key, index and direction are chosen from
	// constants, never built from input.
	key, index := senderKey, "messages_folder_sender"
	if req.By == SortSubject {
		key, index = subjectKey, "messages_folder_subject"
	}
	cmp, order := ">", "ASC"
	if req.Desc {
		cmp, order = "<", "DESC"
	}
	where, args := `m.folder_id = ?`, []any{folder}
	if req.After != nil {
		// The row value alone is not a range SQLite seeks an expression
		// index by; the looser key bound is, so a deep page starts where
		// it should instead of walking the folder's keys from the first.
		where += ` AND ` + key + ` ` + cmp + `= ? AND (` + key + `, m.sort_date, m.id) ` + cmp + ` (?, ?, ?)`
		args = append(args, req.After.Key, req.After.Key, req.After.Date, req.After.ID)
	}
	return `SELECT ` + msgCols + `, ` + key + `, m.sort_date FROM messages m INDEXED BY ` + index + `
		WHERE ` + where + ` ORDER BY ` + key + ` ` + order + `, m.sort_date ` + order + `, m.id ` + order + ` LIMIT ?`,
		append(args, limit)
}

// withExtra scans a row of msgCols followed by more columns into extra.
type withExtra struct {
	rows  *sql.Rows
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.rows.Scan(append(dest, w.extra...)...) }

// ThreadHead is one thread of a folder: its newest message in the folder
// and how many of the thread's messages the folder holds.
type ThreadHead struct {
	Message
	Count int
}

// ThreadCursor is a keyset position in a folder's threads: the thread's
// last date in the folder (Unix seconds) and its ID, which breaks ties.
type ThreadCursor struct {
	Date   int64
	Thread ThreadID
}

// Cursor is the position of h, for ThreadPageRequest.After.
func (h ThreadHead) Cursor() ThreadCursor {
	return ThreadCursor{Date: unix(h.SortDate()), Thread: h.Thread}
}

// Less reports whether a comes before b, the most recently active first
// (oldest: the least recently active first).
func (a ThreadCursor) Less(b ThreadCursor, oldest bool) bool {
	if oldest {
		a, b = b, a
	}
	return a.Date > b.Date || a.Date == b.Date && a.Thread > b.Thread
}

// ThreadPageRequest selects a page of a folder's threads, the most recently
// active first (Oldest: the least recently active first).
type ThreadPageRequest struct {
	Limit  int           // threads per page; ≤ 0 means 50
	After  *ThreadCursor // the threads after this one
	Oldest bool
}

// FolderThreads returns a page of the threads of a folder. Every message
// belongs to a thread (a lone message is a thread of one). Each page reads
// the folder's (folder, thread, date) index once and sorts the folder's
// threads by their last date — small rows, but unlike Page its cost grows
// with the folder — then reads the message rows of the page's heads only.
func (s *Store) FolderThreads(ctx context.Context, folder FolderID, req ThreadPageRequest) ([]ThreadHead, error) {
	q, args := threadsSQL(folder, req)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: folder threads: %w", err)
	}
	defer rows.Close()
	var out []ThreadHead
	for rows.Next() {
		var h ThreadHead
		if h.Message, err = scanMessage(withExtra{rows, []any{&h.Count}}); err != nil {
			return nil, fmt.Errorf("store: folder threads: %w", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: folder threads: %w", err)
	}
	return out, nil
}

func threadsSQL(folder FolderID, req ThreadPageRequest) (string, []any) {
	limit := req.Limit
	if limit <= 0 {
		limit = 50
	}
	cmp, order := "<", "DESC"
	if req.Oldest {
		cmp, order = ">", "ASC"
	}
	// t: each thread's last date and size in the folder, from the covering
	// index alone; p: the page of them; then each head (the thread's
	// newest message in the folder) by one index probe and one row read.
	where, args := ``, []any{folder}
	if req.After != nil {
		where = `WHERE (d, thread_id) ` + cmp + ` (?, ?)`
		args = append(args, req.After.Date, req.After.Thread)
	}
	args = append(args, limit, folder)
	return `WITH t AS (SELECT thread_id, max(sort_date) AS d, count(*) AS n
			FROM messages INDEXED BY messages_folder_thread WHERE folder_id = ? GROUP BY thread_id),
		p AS (SELECT thread_id, d, n FROM t ` + where + ` ORDER BY d ` + order + `, thread_id ` + order + ` LIMIT ?)
		SELECT ` + msgCols + `, p.n FROM p JOIN messages m ON m.id = (
			SELECT x.id FROM messages x INDEXED BY messages_folder_thread
			WHERE x.folder_id = ? AND x.thread_id = p.thread_id ORDER BY x.sort_date DESC, x.id DESC LIMIT 1)
		ORDER BY p.d ` + order + `, p.thread_id ` + order, args
}

// migrateListOrders adds the indexes of the list's other orders: by
// sender and by subject within a folder (keyed on the expressions of
// senderKey and subjectKey, without the table alias), and a folder's
// threads.
func migrateListOrders(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE INDEX messages_folder_sender ON messages(folder_id,
			lower(CASE WHEN from_name <> '' THEN from_name ELSE from_addr END), sort_date)`,
		`CREATE INDEX messages_folder_subject ON messages(folder_id, lower(subject), sort_date)`,
		`CREATE INDEX messages_folder_thread ON messages(folder_id, thread_id, sort_date)`,
	)
}
