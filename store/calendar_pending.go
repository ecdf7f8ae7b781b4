package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Calendar writes are stored before they are sent (offline first): a
// pending row holds the member's version beside the server's (Href "",
// ConflictOf the target resource, ETag the version it was based on, "" for
// a new resource) until calendar.Syncer.Flush sends it.
const (
	// CalPending: the member's new or changed version, not yet sent.
	CalPending CalObjectState = 2
	// CalPendingDelete: the member deleted the object; not yet sent.
	CalPendingDelete CalObjectState = 3
)

// QueueCalWrite stores a write for cal: o.ConflictOf is the target Href,
// o.ETag the server version it replaces ("" to create), del a deletion.
// A later write to the same target replaces the queued one and keeps its
// base ETag, so that two offline edits still meet the server's version the
// first was made on.
func (s *Store) QueueCalWrite(ctx context.Context, cal CalendarID, o CalObject, del bool) (CalObjectID, error) {
	if o.ConflictOf == "" {
		return 0, errors.New("store: queue calendar write: no target")
	}
	state := CalPending
	if del {
		state = CalPendingDelete
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		var base string
		err := tx.QueryRowContext(ctx, `SELECT id, etag FROM cal_objects WHERE calendar_id = ? AND href = ''
			AND conflict_of = ? AND state IN (?, ?)`, cal, o.ConflictOf, CalPending, CalPendingDelete).Scan(&id, &base)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return tx.QueryRowContext(ctx, `INSERT INTO cal_objects(calendar_id, href, etag, uid, data, start, end_at, state, conflict_of, updated, brief)
				VALUES (?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				cal, o.ETag, o.UID, o.Data, unix(o.Start), spanEnd(o.End), state, o.ConflictOf, unix(time.Now()), briefArg(o.Brief)).Scan(&id)
		case err != nil:
			return err
		}
		if del && base == "" { // created and deleted before it was ever sent
			_, err = tx.ExecContext(ctx, `DELETE FROM cal_objects WHERE id = ?`, id)
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE cal_objects SET uid = ?, data = ?, start = ?, end_at = ?, state = ?, updated = ?, brief = ?
			WHERE id = ?`, o.UID, o.Data, unix(o.Start), spanEnd(o.End), state, unix(time.Now()), briefArg(o.Brief), id)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: queue calendar write: %w", err)
	}
	return CalObjectID(id), nil
}

// CalObjectsIn returns a calendar's rows in the given states (pending
// writes, conflict copies), oldest first.
func (s *Store) CalObjectsIn(ctx context.Context, cal CalendarID, states ...CalObjectState) ([]CalObject, error) {
	if len(states) == 0 {
		return nil, nil
	}
	args := []any{cal}
	for _, st := range states {
		args = append(args, st)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+calObjCols+` FROM cal_objects WHERE calendar_id = ?
		AND state IN (?`+strings.Repeat(",?", len(states)-1)+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: calendar objects: %w", err)
	}
	defer rows.Close()
	var out []CalObject
	for rows.Next() {
		o, err := scanCalObject(rows)
		if err != nil {
			return nil, fmt.Errorf("store: calendar objects: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// CalObject returns one cached row by ID.
func (s *Store) CalObject(ctx context.Context, id CalObjectID) (CalObject, error) {
	o, err := scanCalObject(s.r.QueryRowContext(ctx, `SELECT `+calObjCols+` FROM cal_objects WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return CalObject{}, fmt.Errorf("store: calendar object %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return CalObject{}, fmt.Errorf("store: calendar object %d: %w", id, err)
	}
	return o, nil
}

// CalObjectByHref returns the synced row of a resource.
func (s *Store) CalObjectByHref(ctx context.Context, cal CalendarID, href string) (CalObject, error) {
	o, err := scanCalObject(s.r.QueryRowContext(ctx, `SELECT `+calObjCols+` FROM cal_objects
		WHERE calendar_id = ? AND href = ? AND href <> ''`, cal, href))
	if errors.Is(err, sql.ErrNoRows) {
		return CalObject{}, fmt.Errorf("store: calendar object %q: %w", href, ErrNotFound)
	}
	if err != nil {
		return CalObject{}, fmt.Errorf("store: calendar object %q: %w", href, err)
	}
	return o, nil
}

const calObjCols = `id, calendar_id, href, etag, uid, data, start, end_at, state, conflict_of, updated`

func scanCalObject(sc interface{ Scan(...any) error }) (CalObject, error) {
	var o CalObject
	var start, end, upd int64
	if err := sc.Scan(&o.ID, &o.Calendar, &o.Href, &o.ETag, &o.UID, &o.Data, &start, &end, &o.State, &o.ConflictOf, &upd); err != nil {
		return CalObject{}, err
	}
	o.Start, o.Updated = fromUnix(start), fromUnix(upd)
	o.End = Forever
	if end != math.MaxInt64 {
		o.End = fromUnix(end)
	}
	return o, nil
}
