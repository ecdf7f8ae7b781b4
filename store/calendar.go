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

// The calendar cache: CalDAV collections and their calendar objects (one
// iCalendar document per row, as the server holds it), so that calendar
// views open offline. The store does not parse iCalendar: the calendar
// package hands it the UID and the span each object covers.

// CalendarID identifies a cached calendar collection.
type CalendarID int64

// CalObjectID identifies a cached calendar object.
type CalObjectID int64

// Forever is the End of an object whose recurrence never ends.
var Forever = time.Unix(math.MaxInt64/2, 0).UTC()

// Calendar is one cached CalDAV collection of an account.
type Calendar struct {
	ID         CalendarID
	Account    AccountID
	URL        string // identifies the collection within the account
	Name       string
	Color      string
	ReadOnly   bool
	Components string // comma-separated, e.g. "VEVENT,VTODO"; "" any
	Hidden     bool   // the member switched it off in views

	// Sync state, written with SetCalendarState.
	CTag, SyncToken string
	LastSync        time.Time
}

// CalObjectState says where a cached object stands.
type CalObjectState int

const (
	// CalSynced: the server's version as last seen.
	CalSynced CalObjectState = 0
	// CalConflict: the member's own version of an object that changed on
	// the server meanwhile (a 412). Kept beside the server's so nothing is
	// lost; it has no Href and is never synced until the member resolves it.
	CalConflict CalObjectState = 1
)

// CalObject is one cached calendar object resource.
type CalObject struct {
	ID       CalObjectID
	Calendar CalendarID
	Href     string // absolute URL on the server; "" for a conflict copy
	ETag     string
	UID      string
	Data     string // iCalendar text
	// Start and End bound every occurrence (End is Forever for an endless
	// rule); used to select objects for a range.
	Start, End time.Time
	State      CalObjectState
	// ConflictOf is the Href a conflict copy was meant for.
	ConflictOf string
	Updated    time.Time
	// Brief is the calendar package's pre-parsed summary of Data, which
	// views expand without parsing iCalendar; its first byte is the format
	// version. Empty for rows cached before briefs existed.
	Brief []byte
}

// migrateCalendar adds the calendar cache.
func migrateCalendar(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE TABLE cal_calendars(
			id          INTEGER PRIMARY KEY AUTOINCREMENT,
			account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
			url         TEXT NOT NULL,
			name        TEXT NOT NULL DEFAULT '',
			color       TEXT NOT NULL DEFAULT '',
			read_only   INTEGER NOT NULL DEFAULT 0,
			components  TEXT NOT NULL DEFAULT '',
			hidden      INTEGER NOT NULL DEFAULT 0,
			ctag        TEXT NOT NULL DEFAULT '',
			sync_token  TEXT NOT NULL DEFAULT '',
			last_sync   INTEGER NOT NULL DEFAULT 0,
			UNIQUE(account_id, url))`,
		`CREATE TABLE cal_objects(
			id          INTEGER PRIMARY KEY AUTOINCREMENT,
			calendar_id INTEGER NOT NULL REFERENCES cal_calendars(id) ON DELETE CASCADE,
			href        TEXT NOT NULL DEFAULT '',
			etag        TEXT NOT NULL DEFAULT '',
			uid         TEXT NOT NULL DEFAULT '',
			data        TEXT NOT NULL,
			start       INTEGER NOT NULL DEFAULT 0,
			end_at      INTEGER NOT NULL DEFAULT 0,
			state       INTEGER NOT NULL DEFAULT 0,
			conflict_of TEXT NOT NULL DEFAULT '',
			updated     INTEGER NOT NULL DEFAULT 0)`,
		`CREATE UNIQUE INDEX cal_objects_href ON cal_objects(calendar_id, href) WHERE href <> ''`,
		`CREATE INDEX cal_objects_span ON cal_objects(calendar_id, start)`,
		`CREATE INDEX cal_objects_uid ON cal_objects(calendar_id, uid)`,
	)
}

// UpsertCalendar records a collection keyed by (Account, URL) and returns
// its ID. It updates Name, Color, ReadOnly and Components, never Hidden or
// the sync state.
func (s *Store) UpsertCalendar(ctx context.Context, c Calendar) (CalendarID, error) {
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO cal_calendars(account_id, url, name, color, read_only, components)
			VALUES (?,?,?,?,?,?)
			ON CONFLICT(account_id, url) DO UPDATE SET name = excluded.name, color = excluded.color,
				read_only = excluded.read_only, components = excluded.components
			RETURNING id`, c.Account, c.URL, c.Name, c.Color, boolInt(c.ReadOnly), c.Components).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("store: calendar %q: %w", c.URL, err)
	}
	return CalendarID(id), nil
}

// SetCalendarState records a collection's sync state after a sync.
func (s *Store) SetCalendarState(ctx context.Context, id CalendarID, ctag, syncToken string, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cal_calendars SET ctag = ?, sync_token = ?, last_sync = ? WHERE id = ?`,
			ctag, syncToken, unix(at), id)
		if err != nil {
			return fmt.Errorf("store: calendar state: %w", err)
		}
		return nil
	})
}

// SetCalendarHidden switches a calendar off (or on) in views.
func (s *Store) SetCalendarHidden(ctx context.Context, id CalendarID, hidden bool) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cal_calendars SET hidden = ? WHERE id = ?`, boolInt(hidden), id)
		if err != nil {
			return fmt.Errorf("store: calendar hidden: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: calendar %d: %w", id, ErrNotFound)
		}
		return nil
	})
}

const calCols = `id, account_id, url, name, color, read_only, components, hidden, ctag, sync_token, last_sync`

func scanCalendar(sc interface{ Scan(...any) error }) (Calendar, error) {
	var c Calendar
	var ro, hidden int
	var last int64
	err := sc.Scan(&c.ID, &c.Account, &c.URL, &c.Name, &c.Color, &ro, &c.Components, &hidden, &c.CTag, &c.SyncToken, &last)
	c.ReadOnly, c.Hidden, c.LastSync = ro != 0, hidden != 0, fromUnix(last)
	return c, err
}

// Calendars lists an account's cached calendars by name; acct 0 lists all
// accounts' calendars.
func (s *Store) Calendars(ctx context.Context, acct AccountID) ([]Calendar, error) {
	q := `SELECT ` + calCols + ` FROM cal_calendars`
	var args []any
	if acct != 0 {
		q += ` WHERE account_id = ?`
		args = append(args, acct)
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY account_id, name, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: calendars: %w", err)
	}
	defer rows.Close()
	var out []Calendar
	for rows.Next() {
		c, err := scanCalendar(rows)
		if err != nil {
			return nil, fmt.Errorf("store: calendars: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// DeleteCalendar drops a cached calendar and its objects (the collection
// is gone from the server or the member unbound it).
func (s *Store) DeleteCalendar(ctx context.Context, id CalendarID) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM cal_calendars WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("store: delete calendar: %w", err)
		}
		return nil
	})
}

// CalETags maps each synced object's Href to its ETag, for an etag-listing
// sync.
func (s *Store) CalETags(ctx context.Context, cal CalendarID) (map[string]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT href, etag FROM cal_objects WHERE calendar_id = ? AND href <> ''`, cal)
	if err != nil {
		return nil, fmt.Errorf("store: calendar etags: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var h, e string
		if err := rows.Scan(&h, &e); err != nil {
			return nil, fmt.Errorf("store: calendar etags: %w", err)
		}
		out[h] = e
	}
	return out, rows.Err()
}

// PutCalObjects stores server versions, replacing rows with the same Href,
// and deletes the rows of the hrefs in gone, in one transaction.
func (s *Store) PutCalObjects(ctx context.Context, cal CalendarID, objs []CalObject, gone []string) error {
	now := unix(time.Now())
	return s.write(ctx, func(tx *sql.Tx) error {
		put, err := tx.PrepareContext(ctx, `INSERT INTO cal_objects(calendar_id, href, etag, uid, data, start, end_at, state, updated, brief)
			VALUES (?,?,?,?,?,?,?,0,?,?)
			ON CONFLICT(calendar_id, href) WHERE href <> '' DO UPDATE SET etag = excluded.etag, uid = excluded.uid,
				data = excluded.data, start = excluded.start, end_at = excluded.end_at, updated = excluded.updated,
				brief = excluded.brief`)
		if err != nil {
			return fmt.Errorf("store: put calendar objects: %w", err)
		}
		defer put.Close()
		for _, o := range objs {
			if o.Href == "" {
				return errors.New("store: put calendar objects: empty href")
			}
			if _, err := put.ExecContext(ctx, cal, o.Href, o.ETag, o.UID, o.Data, unix(o.Start), spanEnd(o.End), now, briefArg(o.Brief)); err != nil {
				return fmt.Errorf("store: put calendar object %q: %w", o.Href, err)
			}
		}
		for _, h := range gone {
			if _, err := tx.ExecContext(ctx, `DELETE FROM cal_objects WHERE calendar_id = ? AND href = ?`, cal, h); err != nil {
				return fmt.Errorf("store: delete calendar object %q: %w", h, err)
			}
		}
		return nil
	})
}

// AddCalConflict keeps the member's own version o of an object whose server
// version changed meanwhile, as a conflict copy beside it.
func (s *Store) AddCalConflict(ctx context.Context, cal CalendarID, o CalObject) (CalObjectID, error) {
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO cal_objects(calendar_id, href, etag, uid, data, start, end_at, state, conflict_of, updated, brief)
			VALUES (?, '', '', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			cal, o.UID, o.Data, unix(o.Start), spanEnd(o.End), CalConflict, o.ConflictOf, unix(time.Now()), briefArg(o.Brief)).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("store: calendar conflict copy: %w", err)
	}
	return CalObjectID(id), nil
}

// DeleteCalObject removes one cached row (a resolved conflict copy).
func (s *Store) DeleteCalObject(ctx context.Context, id CalObjectID) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM cal_objects WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("store: delete calendar object: %w", err)
		}
		return nil
	})
}

func spanEnd(t time.Time) int64 {
	if t.IsZero() || !t.Before(Forever) {
		return math.MaxInt64
	}
	return t.Unix()
}

// CalObjects returns the objects of the given calendars whose span meets
// [from, to), conflict copies included, ordered by start. No calendars
// means none.
func (s *Store) CalObjects(ctx context.Context, cals []CalendarID, from, to time.Time) ([]CalObject, error) {
	if len(cals) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(cals)+2)
	for _, c := range cals {
		args = append(args, c)
	}
	args = append(args, unix(to), unix(from))
	rows, err := s.r.QueryContext(ctx, `SELECT id, calendar_id, href, etag, uid, data, start, end_at, state, conflict_of, updated
		FROM cal_objects WHERE calendar_id IN (?`+strings.Repeat(",?", len(cals)-1)+`)
		AND start < ? AND end_at >= ? ORDER BY start, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: calendar objects: %w", err)
	}
	defer rows.Close()
	var out []CalObject
	for rows.Next() {
		var o CalObject
		var start, end, upd int64
		if err := rows.Scan(&o.ID, &o.Calendar, &o.Href, &o.ETag, &o.UID, &o.Data, &start, &end, &o.State, &o.ConflictOf, &upd); err != nil {
			return nil, fmt.Errorf("store: calendar objects: %w", err)
		}
		o.Start, o.Updated = fromUnix(start), fromUnix(upd)
		o.End = Forever
		if end != math.MaxInt64 {
			o.End = fromUnix(end)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// CalObjectByUID returns the synced object of a calendar holding uid.
func (s *Store) CalObjectByUID(ctx context.Context, cal CalendarID, uid string) (CalObject, error) {
	var o CalObject
	var start, end, upd int64
	err := s.r.QueryRowContext(ctx, `SELECT id, calendar_id, href, etag, uid, data, start, end_at, state, conflict_of, updated
		FROM cal_objects WHERE calendar_id = ? AND uid = ? AND state = 0 ORDER BY id LIMIT 1`, cal, uid).
		Scan(&o.ID, &o.Calendar, &o.Href, &o.ETag, &o.UID, &o.Data, &start, &end, &o.State, &o.ConflictOf, &upd)
	if errors.Is(err, sql.ErrNoRows) {
		return CalObject{}, fmt.Errorf("store: calendar object %q: %w", uid, ErrNotFound)
	}
	if err != nil {
		return CalObject{}, fmt.Errorf("store: calendar object %q: %w", uid, err)
	}
	o.Start, o.Updated = fromUnix(start), fromUnix(upd)
	o.End = Forever
	if end != math.MaxInt64 {
		o.End = fromUnix(end)
	}
	return o, nil
}
