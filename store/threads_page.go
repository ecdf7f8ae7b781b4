package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// ThreadsPage returns the same page of a folder's threads as FolderThreads
// (the same heads, counts, order and cursor), at a cost that grows with the
// page, not with the folder. FolderThreads groups every message of the
// folder by thread on each page; ThreadsPage walks the folder's date index
// from the cursor and keeps a message only when it is its thread's newest
// in the folder (one probe of the thread index each), so it stops as soon
// as the page is full: the messages it reads are those dated within the
// page, whose threads are on this page or an earlier one.
func (s *Store) ThreadsPage(ctx context.Context, folder FolderID, req ThreadPageRequest) ([]ThreadHead, error) {
	limit := req.Limit
	if limit <= 0 {
		limit = 50
	}
	heads, err := s.threadHeadIDs(ctx, folder, req, limit)
	if err != nil || len(heads) == 0 {
		return nil, err
	}
	return s.threadHeadRows(ctx, folder, heads)
}

// threadWalkSQL is the walk of threadHeadIDs: the folder's messages that
// are their thread's newest in the folder, by date from the cursor's date.
func threadWalkSQL(folder FolderID, req ThreadPageRequest) (string, []any) {
	cmp, order := "<=", "DESC"
	if req.Oldest {
		cmp, order = ">=", "ASC"
	}
	where, args := ``, []any{folder}
	if req.After != nil {
		where = ` AND m.sort_date ` + cmp + ` ?2`
		args = append(args, req.After.Date)
	}
	// The subquery is the thread's last date in the folder: one seek of
	// the (folder, thread, date) index.
	return `SELECT m.id, m.thread_id, m.sort_date FROM messages m INDEXED BY messages_folder_date
		WHERE m.folder_id = ?1` + where + ` AND m.sort_date = (SELECT max(x.sort_date) FROM messages x INDEXED BY messages_folder_thread
			WHERE x.folder_id = ?1 AND x.thread_id = m.thread_id)
		ORDER BY m.sort_date ` + order + `, m.id ` + order, args
}

// headID is a thread's newest message in a folder and its place.
type headID struct {
	id  MessageID
	key ThreadCursor
}

// threadHeadIDs walks the folder's messages by date, newest first (Oldest:
// oldest first), from the cursor, and returns the first limit heads in the
// page's order. Messages of one date are taken together, so that ties
// (same second) are ordered by thread as FolderThreads orders them.
func (s *Store) threadHeadIDs(ctx context.Context, folder FolderID, req ThreadPageRequest, limit int) ([]headID, error) {
	q, args := threadWalkSQL(folder, req)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: threads page: %w", err)
	}
	defer rows.Close()
	var out, group []headID
	groupDate := int64(0)
	// flush sorts a date's heads into the page's order and keeps those
	// after the cursor.
	flush := func() {
		slices.SortFunc(group, func(a, b headID) int {
			if a.key.Less(b.key, req.Oldest) {
				return -1
			}
			return 1
		})
		for _, h := range group {
			if req.After == nil || req.After.Less(h.key, req.Oldest) {
				out = append(out, h)
			}
		}
		group = group[:0]
	}
	for rows.Next() {
		var h headID
		if err := rows.Scan(&h.id, &h.key.Thread, &h.key.Date); err != nil {
			return nil, fmt.Errorf("store: threads page: %w", err)
		}
		if len(group) > 0 && h.key.Date != groupDate {
			flush()
			if len(out) >= limit {
				break
			}
		}
		groupDate = h.key.Date
		// Two messages of a thread at its last second: the head is the
		// one with the higher ID, as in FolderThreads.
		if i := slices.IndexFunc(group, func(g headID) bool { return g.key.Thread == h.key.Thread }); i >= 0 {
			group[i].id = max(group[i].id, h.id)
			continue
		}
		group = append(group, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: threads page: %w", err)
	}
	flush()
	return out[:min(len(out), limit)], nil
}

// threadHeadRows reads the heads' rows and their threads' sizes in the
// folder, in the heads' order.
func (s *Store) threadHeadRows(ctx context.Context, folder FolderID, heads []headID) ([]ThreadHead, error) {
	ph := strings.TrimSuffix(strings.Repeat("?,", len(heads)), ",")
	args := make([]any, 0, len(heads)+1)
	args = append(args, folder)
	for _, h := range heads {
		args = append(args, h.id)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+msgCols+`, (SELECT count(*) FROM messages x INDEXED BY messages_folder_thread
			WHERE x.folder_id = ?1 AND x.thread_id = m.thread_id)
		FROM messages m WHERE m.id IN (`+ph+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: threads page: %w", err)
	}
	defer rows.Close()
	byID := make(map[MessageID]ThreadHead, len(heads))
	for rows.Next() {
		var h ThreadHead
		if h.Message, err = scanMessage(withExtra{rows, []any{&h.Count}}); err != nil {
			return nil, fmt.Errorf("store: threads page: %w", err)
		}
		byID[h.ID] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: threads page: %w", err)
	}
	out := make([]ThreadHead, 0, len(heads))
	for _, h := range heads {
		if r, ok := byID[h.id]; ok { // gone since the walk: skipped
			out = append(out, r)
		}
	}
	return out, nil
}
