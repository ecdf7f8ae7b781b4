// Package store is Magpie's local, offline-first mail store: accounts,
// folders, message headers and flags, byte-exact raw messages
// (content-addressed by SHA-256), a trigram FTS5 index for local search,
// JWZ-lite threads and the offline operations queue the sync engine drains.
//
// The store does not parse mail. Callers (mailsync, message) hand it decoded
// header fields and plain body text; the store keeps and queries them.
//
// # Concurrency contract
//
// One *Store is shared by all goroutines of a process; every method is safe
// for concurrent use. Writes go through a single SQLite connection and are
// therefore serialized in the order they acquire it; each public write method
// is one transaction (BEGIN IMMEDIATE), so readers see all of it or nothing.
// A connection of its own copies committed WAL frames back into the file
// (see checkpointer), off the writer's path.
// Reads use a separate pool of read-only connections and, thanks to WAL, run
// concurrently with each other and with the writer, each seeing the last
// committed state. Methods block until SQLite answers; they honour ctx
// cancellation between statements. Another process opening the same file
// (for example `magpie search` while the TUI runs) waits up to the busy
// timeout for the write lock.
//
// # Times
//
// Times are stored as Unix seconds and returned in UTC; sub-second precision is
// dropped. The zero time.Time is stored as 0 and read back as the zero time.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"modernc.org/sqlite" // also registers the "sqlite" driver
)

// Identifiers are SQLite row ids. They are never reused within one store
// (AUTOINCREMENT), so a stale ID held by the UI can only miss, never point at
// another row.
type (
	AccountID int64
	FolderID  int64
	MessageID int64
	ThreadID  int64
	OpID      int64
)

// UID is an IMAP UID (RFC 3501 §2.3.1.1) within one folder: server UIDs are
// 1..2^32-1. Values ≤ 0 are provisional UIDs given to rows created offline
// (a queued move, copy or append) until the sync engine learns the real UID.
type UID int64

// Provisional reports whether u is a local placeholder rather than a server UID.
func (u UID) Provisional() bool { return u <= 0 }

// ErrNotFound is returned (wrapped) when an addressed row does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrCorrupt is returned (wrapped) when stored raw bytes no longer hash to
// their content address.
var ErrCorrupt = errors.New("store: blob corrupt")

// VersionError is returned by Open when the file was written by a newer Magpie
// whose schema this build does not know.
type VersionError struct {
	Have, Known int
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("store: schema version %d is newer than this build knows (%d)", e.Have, e.Known)
}

// Store is an open mail store. See the package doc for the concurrency contract.
type Store struct {
	w       *sql.DB // exactly one connection: all writes
	version int

	once  sync.Once     // ready
	stmts stmtCache     // prepared on w; nil until ready
	ckpt  *checkpointer // nil until ready
	r     *sql.DB       // read-only pool
	path  string
	blobs string // the directory of blob files (blobfiles.go)
}

const busyTimeout = 10 * time.Second

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	q.Set("_fk", "1")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	if readOnly {
		// 1 MB per reader, 2 MB for the writer. SQLite's page caches
		// were most of a sync's non-Go memory, and each 4 KB page takes
		// an 8 KB slot of the allocator. A reader's cache cannot serve
		// one read transaction from another while the sync writes: in
		// WAL mode a reader drops its whole cache when it begins a
		// transaction after a commit (pagerBeginReadTransaction), so
		// what a reader holds is the pages of its biggest recent query
		// (the rows a sync walks once: a folder's UIDs, the bodies to
		// fetch), up to the cap, and that grows with the store: with 2 MB
		// readers a 20k cold sync's peak was 73–75 MB against 67–69
		// (SQLite's share at the indexing peak 31 MB against 26) for the
		// same CPU (index stage 47.6 s against 47.8 s, 50.4 s against
		// 50.8 s: two pairs run side by side). The writer's cache is
		// never dropped (its own commits) and holds the index segments
		// it merges. Measured on a 6k-message cold sync: 4 MB readers and
		// an 8 MB writer took ~15 MB more at the peak for no time gained;
		// the 100k-message search, page and thread benchmarks ran no
		// faster with 4 MB readers, and no slower with 1 MB in A/B runs
		// (the OS caches the file).
		q.Add("_pragma", "cache_size(-1000)")
		q.Add("_pragma", "temp_store(MEMORY)")
		q.Set("_query_only", "1")
	} else {
		q.Add("_pragma", "cache_size(-2000)")
		// Temporary files, not memory, for the writer: with temp_store
		// MEMORY SQLite keeps each statement's sub-journal (the original of
		// every page the statement changes) in memory however large it
		// grows, and a statement that feeds the full-text index can rewrite
		// index segments that grow with the store. In a file it spills to
		// disk past 64 KB.
		q.Add("_pragma", "temp_store(FILE)")
		// The checkpointer copies the WAL back; the writer only past
		// this (see checkpointer).
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walWriterLimit))
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating directories and the file when missing) the store at
// path and migrates its schema to the newest version, in place. It fails with
// a *VersionError when the file is newer than this build.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, len(migrations))
}

func open(ctx context.Context, path string, version int) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: path %q: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("store: create directory: %w", err)
	}
	w, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	n := max(2, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	// A store at this version opens without a write transaction (nor a
	// write connection, made at the first write): the app's start reads
	// only, and must not wait for another process's write lock (a running
	// `magpie sync`). Anything else — a new file, an older schema, an
	// error reading the version — goes through migrate on the writer.
	var have int
	if err := r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil || have != version {
		if have > len(migrations) {
			w.Close()
			r.Close()
			return nil, &VersionError{Have: have, Known: len(migrations)}
		}
		if err := migrateRetrying(ctx, w, version); err != nil {
			w.Close()
			r.Close()
			return nil, err
		}
	}
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("store: open %s: %w", abs, err)
	}
	return &Store{w: w, r: r, path: abs, blobs: blobDirFor(abs), version: version}, nil
}

// ready makes, before the first write, what only writes use: the writer's
// prepared statements and the checkpointer (none at Open, so a store that
// is only read never makes a write connection). A failure is not one of
// the write: without them statements are prepared per transaction and the
// writer checkpoints itself.
func (s *Store) ready(ctx context.Context) {
	s.once.Do(func() {
		if s.version != len(migrations) { // an older schema (tests) lacks their columns
			return
		}
		ctx := context.WithoutCancel(ctx)
		if c, err := prepareCache(ctx, s.w); err == nil {
			s.stmts = c
		}
		if c, err := startCheckpointer(ctx, s.path); err == nil {
			s.ckpt = c
		}
	})
}

// migrateRetrying runs migrate, again after a short pause when SQLite
// answers SQLITE_BUSY at once instead of waiting out the busy timeout:
// that happens when several processes create the same file together and
// race to switch it to WAL.
func migrateRetrying(ctx context.Context, db *sql.DB, version int) error {
	const tries = 5
	for i := 1; ; i++ {
		err := migrate(ctx, db, version)
		var se *sqlite.Error
		if err == nil || i == tries || !errors.As(err, &se) || se.Code()&0xff != sqliteBusy {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(i) * 50 * time.Millisecond):
		}
	}
}

// sqliteBusy is SQLITE_BUSY, the primary result code (extended codes keep
// it in their low byte).
const sqliteBusy = 5

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close closes both connection pools. Calls in flight finish first; calls
// after Close fail.
func (s *Store) Close() error {
	s.once.Do(func() {}) // ready has run or never will
	s.stmts.close()
	return errors.Join(s.ckpt.close(), s.r.Close(), s.w.Close())
}

// write runs fn in one write transaction (BEGIN IMMEDIATE) and commits it when
// fn returns nil.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.ready(ctx)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	s.ckpt.nudge()
	return nil
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
