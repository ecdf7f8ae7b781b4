package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"
)

// Briefs: beside each cached calendar object the calendar package stores
// a pre-parsed summary of it (UID, summary, times, recurrence, status…),
// so that drawing a month reads and decodes small records instead of
// parsing every iCalendar document. The store treats a brief as opaque
// bytes whose first byte is the format version.

// migrateCalBriefs adds the brief column. Rows cached before it have an
// empty brief: CalBriefs hands back their Data, and the calendar package
// stores their brief with SetCalBriefs the first time a view reads them.
func migrateCalBriefs(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx, `ALTER TABLE cal_objects ADD COLUMN brief BLOB NOT NULL DEFAULT x''`)
}

func briefArg(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// CalBriefs is CalObjects for views: the rows of the given calendars whose
// span meets [from, to), ordered by start, with their Brief; Data is read
// only for rows whose brief is not of format version (empty, or written by
// another version), so that the caller can parse them instead. ETag and
// Updated are not read.
func (s *Store) CalBriefs(ctx context.Context, cals []CalendarID, from, to time.Time, version byte) ([]CalObject, error) {
	if len(cals) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(cals)+3)
	args = append(args, []byte{version})
	for _, c := range cals {
		args = append(args, c)
	}
	args = append(args, unix(to), unix(from))
	rows, err := s.r.QueryContext(ctx, `SELECT id, calendar_id, href, uid, brief,
			CASE WHEN substr(brief, 1, 1) = ? THEN '' ELSE data END, start, end_at, state, conflict_of
		FROM cal_objects WHERE calendar_id IN (?`+strings.Repeat(",?", len(cals)-1)+`)
		AND start < ? AND end_at >= ? ORDER BY start, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: calendar briefs: %w", err)
	}
	defer rows.Close()
	var out []CalObject
	for rows.Next() {
		var o CalObject
		var start, end int64
		if err := rows.Scan(&o.ID, &o.Calendar, &o.Href, &o.UID, &o.Brief, &o.Data, &start, &end, &o.State, &o.ConflictOf); err != nil {
			return nil, fmt.Errorf("store: calendar briefs: %w", err)
		}
		o.Start = fromUnix(start)
		o.End = Forever
		if end != math.MaxInt64 {
			o.End = fromUnix(end)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// SetCalBriefs stores the briefs of rows (by ID, each made from the Data
// given with it) in one transaction; a row whose data changed meanwhile is
// left alone (its writer stored its own brief).
func (s *Store) SetCalBriefs(ctx context.Context, rows []CalObject) error {
	if len(rows) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, o := range rows {
			_, err := tx.ExecContext(ctx, `UPDATE cal_objects SET brief = ? WHERE id = ? AND data = ?`, briefArg(o.Brief), o.ID, o.Data)
			if err != nil {
				return fmt.Errorf("store: calendar brief: %w", err)
			}
		}
		return nil
	})
}
