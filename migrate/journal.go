package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/emersion/go-imap/v2"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Outcome is what became of one source message.
type Outcome string

const (
	// OutcomeCopied: APPENDed to the destination by Magpie.
	OutcomeCopied Outcome = "copied"
	// OutcomeAlready: the destination already held an identical message
	// (same SHA-256) not accounted for by another source message.
	OutcomeAlready Outcome = "already-there"
	// OutcomeFailed: the destination refused it; Reason says why. Failed
	// messages are tried again by the next Run.
	OutcomeFailed Outcome = "failed"
	// OutcomeInFlight: an APPEND was about to be sent when the journal was
	// last written; whether it arrived is unknown until the destination is
	// checked.
	OutcomeInFlight Outcome = "in-flight"
)

// done reports whether the outcome accounts for a copy on the destination.
func (o Outcome) done() bool { return o == OutcomeCopied || o == OutcomeAlready }

// Entry is the journal's record of one source message, keyed by source
// folder, UIDVALIDITY and UID (RFC 3501 §2.3.1.1: the pair names a message
// for good).
type Entry struct {
	SrcFolder      string
	SrcUIDValidity uint32
	SrcUID         imap.UID
	Hash           [32]byte // SHA-256 of the raw bytes
	Size           int64
	MessageID      string
	DstFolder      string
	DstUIDValidity uint32   // 0 when unknown
	DstUID         imap.UID // 0 when unknown (no UIDPLUS, or already there)
	Outcome        Outcome
	Reason         FailReason // OutcomeFailed only
	Detail         string     // the server's words, OutcomeFailed only
}

// Journal records every message's outcome for one source/destination
// pair. It is safe for concurrent use.
type Journal struct {
	db   *sql.DB
	path string
}

const journalSchema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
	src_folder TEXT NOT NULL,
	src_uidvalidity INTEGER NOT NULL,
	src_uid INTEGER NOT NULL,
	hash BLOB NOT NULL,
	size INTEGER NOT NULL,
	message_id TEXT NOT NULL,
	dst_folder TEXT NOT NULL,
	dst_uidvalidity INTEGER NOT NULL,
	dst_uid INTEGER NOT NULL,
	outcome TEXT NOT NULL,
	reason TEXT NOT NULL,
	detail TEXT NOT NULL,
	PRIMARY KEY (src_folder, src_uidvalidity, src_uid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS folder_states (
	src_folder TEXT PRIMARY KEY,
	state TEXT NOT NULL -- JSON folderState: the folder as a run verified it
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pop3_uids (
	uidl TEXT PRIMARY KEY,
	uid INTEGER NOT NULL UNIQUE
) WITHOUT ROWID;`

// OpenJournal opens (creating it and its directory when missing) the
// journal at path. srcID and dstID (Side.ID) are stored on creation and
// checked afterwards, so that a journal is never applied to another pair.
func OpenJournal(ctx context.Context, path, srcID, dstID string) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("migrate: journal directory: %w", err)
	}
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL") // WAL + NORMAL survives a killed process
	// A small page cache: SQLite's default (2 MB, each 4 KB page in an
	// 8 KB slot of its allocator, so ~4 MB) filled as the journal grew, a
	// few MB more at 50,000 messages than at 10,000. Its writes go to the
	// right end of each folder's range and its reads are scans, which
	// the OS's file cache serves as well.
	q.Add("_pragma", "cache_size(-512)")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("migrate: open journal %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	j := &Journal{db: db, path: path}
	if err := j.init(ctx, srcID, dstID); err != nil {
		db.Close()
		return nil, err
	}
	return j, nil
}

// ErrJournalMismatch means the journal file belongs to another pair of
// accounts.
var ErrJournalMismatch = errors.New("migrate: journal belongs to other accounts")

func (j *Journal) init(ctx context.Context, srcID, dstID string) error {
	if _, err := j.db.ExecContext(ctx, journalSchema); err != nil {
		return fmt.Errorf("migrate: journal schema: %w", err)
	}
	for _, kv := range [][2]string{{"source", srcID}, {"destination", dstID}} {
		if _, err := j.db.ExecContext(ctx, `INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)`, kv[0], kv[1]); err != nil {
			return fmt.Errorf("migrate: journal meta: %w", err)
		}
		var have string
		if err := j.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, kv[0]).Scan(&have); err != nil {
			return fmt.Errorf("migrate: journal meta: %w", err)
		}
		if have != kv[1] {
			return fmt.Errorf("%w: %s is %q, not %q", ErrJournalMismatch, kv[0], have, kv[1])
		}
	}
	return nil
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// Close closes the journal.
func (j *Journal) Close() error { return j.db.Close() }

const putEntry = `INSERT OR REPLACE INTO messages
	(src_folder, src_uidvalidity, src_uid, hash, size, message_id, dst_folder, dst_uidvalidity, dst_uid, outcome, reason, detail)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// Put writes e, replacing any earlier entry for the same source message.
// It returns once the write is committed.
func (j *Journal) Put(ctx context.Context, e Entry) error {
	return j.PutAll(ctx, []Entry{e})
}

// PutAll writes entries in one transaction: all or none are recorded.
func (j *Journal) PutAll(ctx context.Context, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	return j.PutAllMeta(ctx, entries, "", "")
}

// Meta returns the value stored under key by PutAllMeta ("" when none).
func (j *Journal) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := j.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, "x-"+key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("migrate: journal read: %w", err)
	}
	return v, nil
}

// PutAllMeta is PutAll that also sets key to value (when key is set) in
// the same transaction.
func (j *Journal) PutAllMeta(ctx context.Context, entries []Entry, key, value string) error {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%w write: %w", errJournal, err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, putEntry)
	if err != nil {
		return fmt.Errorf("%w write: %w", errJournal, err)
	}
	defer stmt.Close()
	for _, e := range entries {
		if _, err := stmt.ExecContext(ctx, e.SrcFolder, e.SrcUIDValidity, uint32(e.SrcUID), e.Hash[:], e.Size, e.MessageID,
			e.DstFolder, e.DstUIDValidity, uint32(e.DstUID), string(e.Outcome), string(e.Reason), e.Detail); err != nil {
			return fmt.Errorf("%w write: %w", errJournal, err)
		}
	}
	if key != "" {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)`, "x-"+key, value); err != nil {
			return fmt.Errorf("%w write: %w", errJournal, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%w write: %w", errJournal, err)
	}
	return nil
}

// Folder returns the entries of one source folder at one UIDVALIDITY, by
// source UID.
func (j *Journal) Folder(ctx context.Context, srcFolder string, uidValidity uint32) (map[imap.UID]Entry, error) {
	return j.FolderRange(ctx, srcFolder, uidValidity, 1, 0)
}

// hasFolder reports whether the journal has any entry of one source
// folder at one UIDVALIDITY.
func (j *Journal) hasFolder(ctx context.Context, srcFolder string, uidValidity uint32) (bool, error) {
	var n int
	err := j.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM messages WHERE src_folder = ? AND src_uidvalidity = ? LIMIT 1)`,
		srcFolder, uidValidity).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("migrate: journal read: %w", err)
	}
	return n > 0, nil
}

// FolderRange is Folder for the source UIDs from lo to hi (0: no bound):
// a run reads the journal one window of a folder at a time (see
// window.go), so that what it holds does not grow with the folder.
func (j *Journal) FolderRange(ctx context.Context, srcFolder string, uidValidity uint32, lo, hi imap.UID) (map[imap.UID]Entry, error) {
	top := int64(hi)
	if hi == 0 {
		top = 1 << 32
	}
	out := map[imap.UID]Entry{}
	err := j.scan(ctx, srcFolder, uidValidity, `AND src_uid BETWEEN ? AND ?`, []any{int64(lo), top},
		func(e Entry) { out[e.SrcUID] = e })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scan calls fn with every entry of one source folder at one UIDVALIDITY
// that the SQL condition cond (with its args) selects.
func (j *Journal) scan(ctx context.Context, srcFolder string, uidValidity uint32, cond string, args []any, fn func(Entry)) error {
	rows, err := j.db.QueryContext(ctx, `SELECT src_uid, hash, size, message_id, dst_folder, dst_uidvalidity, dst_uid, outcome, reason, detail
		FROM messages WHERE src_folder = ? AND src_uidvalidity = ? `+cond, append([]any{srcFolder, uidValidity}, args...)...)
	if err != nil {
		return fmt.Errorf("migrate: journal read: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e := Entry{SrcFolder: srcFolder, SrcUIDValidity: uidValidity}
		var uid, duid uint32
		var hash []byte
		var outcome, reason string
		if err := rows.Scan(&uid, &hash, &e.Size, &e.MessageID, &e.DstFolder, &e.DstUIDValidity, &duid, &outcome, &reason, &e.Detail); err != nil {
			return fmt.Errorf("migrate: journal read: %w", err)
		}
		if len(hash) != len(e.Hash) {
			return fmt.Errorf("migrate: journal read: bad hash for UID %d in %q", uid, srcFolder)
		}
		copy(e.Hash[:], hash)
		e.SrcUID, e.DstUID = imap.UID(uid), imap.UID(duid)
		e.Outcome, e.Reason = Outcome(outcome), FailReason(reason)
		fn(e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("migrate: journal read: %w", err)
	}
	return nil
}

// EachHash calls fn with the source UID and content hash of every entry
// of one source folder at one UIDVALIDITY, whatever its outcome, in
// ascending UID order, without keeping them: verification builds its
// multiset from the journal instead of a copy of the folder's entries.
func (j *Journal) EachHash(ctx context.Context, srcFolder string, uidValidity uint32, fn func(imap.UID, [32]byte)) error {
	return j.EachHashRange(ctx, srcFolder, uidValidity, imap.UIDRange{Start: 1, Stop: 0}, fn)
}

// EachHashRange is EachHash for the source UIDs in rg (Stop 0: no
// bound): a folder's verification reads its source hashes one part at a
// time (see verifyParts).
func (j *Journal) EachHashRange(ctx context.Context, srcFolder string, uidValidity uint32, rg imap.UIDRange, fn func(imap.UID, [32]byte)) error {
	top := int64(rg.Stop)
	if rg.Stop == 0 {
		top = 1 << 32
	}
	rows, err := j.db.QueryContext(ctx, `SELECT src_uid, hash FROM messages WHERE src_folder = ? AND src_uidvalidity = ? AND src_uid BETWEEN ? AND ? ORDER BY src_uid`,
		srcFolder, uidValidity, int64(rg.Start), top)
	if err != nil {
		return fmt.Errorf("migrate: journal read: %w", err)
	}
	defer rows.Close()
	var hash []byte
	for rows.Next() {
		var uid uint32
		var sum [32]byte
		if err := rows.Scan(&uid, &hash); err != nil {
			return fmt.Errorf("migrate: journal read: %w", err)
		}
		if len(hash) != len(sum) {
			return fmt.Errorf("migrate: journal read: bad hash for UID %d in %q", uid, srcFolder)
		}
		copy(sum[:], hash)
		fn(imap.UID(uid), sum)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("migrate: journal read: %w", err)
	}
	return nil
}

// POP3UIDs returns the UID standing for each POP3 unique-id (RFC 1939 §7
// UIDL) of a maildrop, giving the next free UIDs, in order, to those seen
// for the first time. A unique-id keeps its UID for good, which is what
// makes a re-run over POP3 copy nothing twice.
func (j *Journal) POP3UIDs(ctx context.Context, uidls []string) (map[string]imap.UID, error) {
	out := map[string]imap.UID{}
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("%w write: %w", errJournal, err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT uidl, uid FROM pop3_uids`)
	if err != nil {
		return nil, fmt.Errorf("migrate: journal read: %w", err)
	}
	var next uint32
	for rows.Next() {
		var uidl string
		var uid uint32
		if err := rows.Scan(&uidl, &uid); err != nil {
			rows.Close()
			return nil, fmt.Errorf("migrate: journal read: %w", err)
		}
		out[uidl] = imap.UID(uid)
		next = max(next, uid)
	}
	rows.Close()
	for _, u := range uidls {
		if _, ok := out[u]; ok {
			continue
		}
		next++
		if _, err := tx.ExecContext(ctx, `INSERT INTO pop3_uids(uidl, uid) VALUES (?, ?)`, u, next); err != nil {
			return nil, fmt.Errorf("%w write: %w", errJournal, err)
		}
		out[u] = imap.UID(next)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("%w write: %w", errJournal, err)
	}
	return out, nil
}

// inFlight returns the entries of one source folder at one UIDVALIDITY
// put in dstFolder whose outcome is in flight: few, at most the batches
// a run had in flight when it stopped.
func (j *Journal) inFlight(ctx context.Context, srcFolder string, uidValidity uint32, dstFolder string) ([]Entry, error) {
	var out []Entry
	err := j.scan(ctx, srcFolder, uidValidity, `AND dst_folder = ? AND outcome = ?`, []any{dstFolder, string(OutcomeInFlight)},
		func(e Entry) { out = append(out, e) })
	return out, err
}
